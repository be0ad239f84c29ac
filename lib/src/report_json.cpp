#include "procleak/report_json.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <nlohmann/json.hpp>

#include "procleak/report_text.hpp"
#include "procleak/unique_fd.hpp"
#include "procleak/version.hpp"

namespace procleak {
namespace {

// ordered: fields appear in the order of the schema in the README.
using json = nlohmann::ordered_json;

double tenth(double ms) { return std::round(ms * 10.0) / 10.0; }

std::string iso8601_utc(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const time_t secs = static_cast<time_t>(ms / 1000);
  tm utc{};
  ::gmtime_r(&secs, &utc);
  char buf[40];
  const auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms % 1000));
  return buf;
}

template <typename T>
json or_null(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json exit_json(const std::optional<ExitStatus>& e) {
  if (!e) return nullptr;
  return json{{"code", or_null(e->code)}, {"signal", e->signal ? json(signal_name(*e->signal)) : json(nullptr)}};
}

json lineage_json(const std::optional<std::vector<Ancestor>>& lineage) {
  if (!lineage) return nullptr;
  json out = json::array();
  for (const auto& a : *lineage) {
    out.push_back(json{{"pid", a.pid}, {"comm", a.comm}, {"cmdline", a.cmdline}, {"exit", exit_json(a.exit)}});
  }
  return out;
}

json spawned_at_json(const std::optional<std::vector<SpawnFrame>>& frames) {
  if (!frames) return nullptr;
  json out = json::array();
  for (const auto& f : *frames) {
    out.push_back(json{{"function", f.function.empty() ? json(nullptr) : json(f.function)},
                       {"file", f.file.empty() ? json(nullptr) : json(f.file)},
                       {"line", f.line > 0 ? json(f.line) : json(nullptr)}});
  }
  return out;
}

json leak_json(const Leak& l) {
  json kinds = json::array();
  for (const auto name : l.kinds.names()) kinds.push_back(name);
  // comm and argv may hold bytes that are not UTF-8; the report stays valid
  // JSON by replacing them (error_handler below).
  // A process that could not be read has only its PID and parent: the rest is null.
  const bool read = l.read_error.empty();
  return json{
      {"pid", l.pid},
      {"ppid", l.ppid},
      {"pgid", read ? json(l.pgid) : json(nullptr)},
      {"sid", read ? json(l.sid) : json(nullptr)},
      {"state", std::string(1, l.state)},
      {"comm", l.comm},
      {"cmdline", l.cmdline},
      {"exe", l.exe.empty() ? json(nullptr) : json(l.exe)},
      {"kinds", std::move(kinds)},
      {"escaped_via", l.escaped_via == EscapedVia::none ? json(nullptr) : json(to_string(l.escaped_via))},
      {"original_parent", or_null(l.original_parent)},
      {"clone_parent", l.clone_parent},
      {"age_ms", read ? json(tenth(l.age_ms)) : json(nullptr)},
      {"holds_test_output", or_null(l.holds_test_output)},
      {"cleanup", to_string(l.cleanup)},
      {"suppressed_by", or_null(l.suppressed_by)},
      {"read_error", l.read_error.empty() ? json(nullptr) : json(l.read_error)},
      {"cleanup_error", l.cleanup_error.empty() ? json(nullptr) : json(l.cleanup_error)},
      {"lineage", lineage_json(l.lineage)},
      {"lineage_omitted", l.lineage ? json(l.lineage_omitted) : json(nullptr)},
      {"listening", l.listening ? json(*l.listening) : json(nullptr)},
      {"spawned_at", spawned_at_json(l.spawned_at)},
  };
}

// File names from test names: keep [A-Za-z0-9._-], map the rest to '_'.
std::string safe_file_stem(const std::string& name) {
  std::string out;
  for (const char c : name.substr(0, 100)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    out.push_back(ok ? c : '_');
  }
  if (out.empty() || out.front() == '.') out.insert(out.begin(), 'r');
  return out;
}

std::error_code errno_code() { return {errno, std::generic_category()}; }

// --- reading ---------------------------------------------------------------

// A required field missing or of the wrong type; the message names it.
struct BadField {
  std::string what;
};

const nlohmann::json& field(const nlohmann::json& obj, const char* name, const std::string& where) {
  const auto it = obj.find(name);
  if (it == obj.end()) throw BadField{where + name + " is missing"};
  return *it;
}

std::string text_field(const nlohmann::json& obj, const char* name, const std::string& where) {
  const auto& v = field(obj, name, where);
  if (!v.is_string()) throw BadField{where + name + " is not a string"};
  return v.get<std::string>();
}

template <typename Int>
Int int_field(const nlohmann::json& obj, const char* name, const std::string& where) {
  const auto& v = field(obj, name, where);
  if (!v.is_number_integer()) throw BadField{where + name + " is not an integer"};
  return v.get<Int>();
}

template <typename Int>
std::optional<Int> optional_int(const nlohmann::json& obj, const char* name, const std::string& where) {
  const auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer()) throw BadField{where + name + " is not an integer"};
  return it->get<Int>();
}

std::string optional_text(const nlohmann::json& obj, const char* name, const std::string& where) {
  const auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return {};
  if (!it->is_string()) throw BadField{where + name + " is not a string"};
  return it->get<std::string>();
}

double optional_number(const nlohmann::json& obj, const char* name, const std::string& where) {
  const auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return 0.0;
  if (!it->is_number()) throw BadField{where + name + " is not a number"};
  return it->get<double>();
}

// The member when present and not null, after checking its type.
const nlohmann::json* optional_member(const nlohmann::json& obj, const char* name, const std::string& where,
                                      bool (nlohmann::json::*is_type)() const noexcept, const char* type) {
  const auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return nullptr;
  if (!((*it).*is_type)()) throw BadField{where + name + " is not " + type};
  return &*it;
}

std::vector<std::string> strings_field(const nlohmann::json& obj, const char* name, const std::string& where) {
  const auto it = obj.find(name);
  std::vector<std::string> out;
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_array()) throw BadField{where + name + " is not an array"};
  for (const auto& e : *it) {
    if (!e.is_string()) throw BadField{where + name + " holds a non-string"};
    out.push_back(e.get<std::string>());
  }
  return out;
}

std::optional<std::chrono::system_clock::time_point> parse_iso8601_utc(const std::string& text) {
  tm utc{};
  int millis = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &utc.tm_year, &utc.tm_mon, &utc.tm_mday,
                  &utc.tm_hour, &utc.tm_min, &utc.tm_sec, &millis) != 7) {
    return std::nullopt;
  }
  // Within what a time_point of nanoseconds holds (and what a report can mean).
  if (utc.tm_year < 1970 || utc.tm_year > 2200 || utc.tm_mon < 1 || utc.tm_mon > 12 || utc.tm_mday < 1 ||
      utc.tm_mday > 31 || utc.tm_hour < 0 || utc.tm_hour > 23 || utc.tm_min < 0 || utc.tm_min > 59 ||
      utc.tm_sec < 0 || utc.tm_sec > 60 || millis < 0 || millis > 999) {
    return std::nullopt;
  }
  utc.tm_year -= 1900;
  utc.tm_mon -= 1;
  const time_t secs = ::timegm(&utc);
  return std::chrono::system_clock::from_time_t(secs) + std::chrono::milliseconds(millis);
}

Leak leak_from_json(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw BadField{where + "is not an object"};
  Leak l;
  l.pid = int_field<pid_t>(j, "pid", where);
  l.ppid = optional_int<pid_t>(j, "ppid", where).value_or(0);
  l.pgid = optional_int<pid_t>(j, "pgid", where).value_or(0);
  l.sid = optional_int<pid_t>(j, "sid", where).value_or(0);
  if (const auto* state = optional_member(j, "state", where, &nlohmann::json::is_string, "a string")) {
    const auto text = state->get<std::string>();
    if (text.size() != 1) throw BadField{where + "state is not one character"};
    l.state = text[0];
  }
  l.comm = text_field(j, "comm", where);
  l.cmdline = strings_field(j, "cmdline", where);
  l.exe = optional_text(j, "exe", where);
  for (const auto& name : strings_field(j, "kinds", where)) {
    const auto kind = parse_kind(name);
    if (!kind) throw BadField{where + "kinds holds an unknown kind \"" + printable(name) + '"'};
    l.kinds.add(*kind);
  }
  if (l.kinds.empty()) throw BadField{where + "kinds is empty"};
  if (const auto it = j.find("escaped_via"); it != j.end() && !it->is_null()) {
    const auto via = it->is_string() ? parse_escaped_via(it->get<std::string>()) : std::nullopt;
    if (!via) throw BadField{where + "escaped_via is not session, group, cgroup or null"};
    l.escaped_via = *via;
  }
  l.original_parent = optional_int<pid_t>(j, "original_parent", where);
  // An addition to procleak.report/1: absent in older reports (false).
  if (const auto it = j.find("clone_parent"); it != j.end() && !it->is_null()) {
    if (!it->is_boolean()) throw BadField{where + "clone_parent is not true or false"};
    l.clone_parent = it->get<bool>();
  }
  l.age_ms = optional_number(j, "age_ms", where);
  if (const auto it = j.find("holds_test_output"); it != j.end() && !it->is_null()) {
    if (!it->is_boolean()) throw BadField{where + "holds_test_output is not true, false or null"};
    l.holds_test_output = it->get<bool>();
  }
  l.read_error = optional_text(j, "read_error", where);
  l.cleanup_error = optional_text(j, "cleanup_error", where);
  const auto fate = parse_fate(text_field(j, "cleanup", where));
  if (!fate) throw BadField{where + "cleanup is not a known fate"};
  l.cleanup = *fate;
  if (const auto it = j.find("suppressed_by"); it != j.end() && !it->is_null()) {
    if (!it->is_string()) throw BadField{where + "suppressed_by is not a string"};
    l.suppressed_by = it->get<std::string>();
  }
  if (const auto* frames = optional_member(j, "spawned_at", where, &nlohmann::json::is_array, "an array")) {
    l.spawned_at.emplace();
    for (std::size_t i = 0; i < frames->size(); ++i) {
      const auto& f = (*frames)[i];
      const std::string at = where + "spawned_at[" + std::to_string(i) + "].";
      if (!f.is_object()) throw BadField{at + "is not an object"};
      SpawnFrame frame;
      frame.function = optional_text(f, "function", at);
      frame.file = optional_text(f, "file", at);
      frame.line = optional_int<int>(f, "line", at).value_or(0);
      l.spawned_at->push_back(std::move(frame));
    }
  }
  if (optional_member(j, "listening", where, &nlohmann::json::is_array, "an array") != nullptr) {
    l.listening = strings_field(j, "listening", where);
  }
  if (const auto* lineage = optional_member(j, "lineage", where, &nlohmann::json::is_array, "an array")) {
    l.lineage.emplace();
    for (std::size_t i = 0; i < lineage->size(); ++i) {
      const auto& a = (*lineage)[i];
      const std::string at = where + "lineage[" + std::to_string(i) + "].";
      if (!a.is_object()) throw BadField{at + "is not an object"};
      Ancestor ancestor;
      ancestor.pid = int_field<pid_t>(a, "pid", at);
      ancestor.comm = text_field(a, "comm", at);
      ancestor.cmdline = strings_field(a, "cmdline", at);
      if (const auto* exit = optional_member(a, "exit", at, &nlohmann::json::is_object, "an object")) {
        ExitStatus status;
        status.code = optional_int<int>(*exit, "code", at + "exit.");
        if (const auto* sig = optional_member(*exit, "signal", at + "exit.", &nlohmann::json::is_string, "a string")) {
          status.signal = signal_number(sig->get<std::string>());
        }
        ancestor.exit = status;
      }
      l.lineage->push_back(std::move(ancestor));
    }
    if (const auto omitted = optional_int<std::size_t>(j, "lineage_omitted", where)) l.lineage_omitted = *omitted;
    // The parent's name is not a field of its own: its lineage entry has it.
    if (!l.lineage->empty() && l.original_parent == l.lineage->back().pid) l.original_parent_comm = l.lineage->back().comm;
  }
  return l;
}

Report report_from_json(const nlohmann::json& doc) {
  Report r;
  r.source = text_field(doc, "source", "");
  r.test = text_field(doc, "test", "");
  r.command = strings_field(doc, "command", "");
  if (const auto* at = optional_member(doc, "started_at", "", &nlohmann::json::is_string, "a string")) {
    const auto t = parse_iso8601_utc(at->get<std::string>());
    if (!t) throw BadField{"started_at is not a UTC time (YYYY-MM-DDThh:mm:ss.mmmZ)"};
    r.started_at = *t;
  }
  r.duration_ms = optional_number(doc, "duration_ms", "");
  const auto mode = parse_mode(text_field(doc, "mode", ""));
  if (!mode) throw BadField{"mode is not fail, warn or off"};
  r.mode = *mode;
  if (const auto* exit = optional_member(doc, "exit", "", &nlohmann::json::is_object, "an object")) {
    r.exit_code = optional_int<int>(*exit, "code", "exit.");
    if (const auto* sig = optional_member(*exit, "signal", "exit.", &nlohmann::json::is_string, "a string")) {
      r.exit_signal = signal_number(sig->get<std::string>());
    }
  }
  if (const auto* t = optional_member(doc, "timed_out", "", &nlohmann::json::is_boolean, "true or false")) {
    r.timed_out = t->get<bool>();
  }
  const auto& leaks = field(doc, "leaks", "");
  if (!leaks.is_array()) throw BadField{"leaks is not an array"};
  for (std::size_t i = 0; i < leaks.size(); ++i) {
    r.leaks.push_back(leak_from_json(leaks[i], "leaks[" + std::to_string(i) + "]."));
  }
  r.incomplete_reason = optional_text(doc, "incomplete_reason", "");
  r.lineage_unavailable = optional_text(doc, "lineage_unavailable", "");
  // Additions to procleak.report/1: absent in older reports.
  r.containment = optional_text(doc, "containment", "");
  r.containment_reason = optional_text(doc, "containment_reason", "");
  if (const auto* res = optional_member(doc, "resources", "", &nlohmann::json::is_object, "an object")) {
    CgroupResources got;
    got.cpu_usec = optional_int<std::uint64_t>(*res, "cpu_usec", "resources.");
    got.memory_peak_bytes = optional_int<std::uint64_t>(*res, "memory_peak_bytes", "resources.");
    got.pids_peak = optional_int<std::uint64_t>(*res, "pids_peak", "resources.");
    r.resources = got;
  }
  const auto verdict = text_field(doc, "verdict", "");
  if (verdict == "incomplete" && r.incomplete_reason.empty()) throw BadField{"verdict \"incomplete\" has no incomplete_reason"};
  if (verdict != to_string(verdict_of(r))) {
    throw BadField{"verdict \"" + printable(verdict) + "\" does not match its leaks"};
  }
  // The counts follow from the leaks' fates; only the timing and the signal
  // path are read.
  r.cleanup = count_fates(r.leaks);
  if (const auto* cleanup = optional_member(doc, "cleanup", "", &nlohmann::json::is_object, "an object")) {
    r.cleanup.duration_ms = optional_number(*cleanup, "duration_ms", "cleanup.");
    if (const auto* via = optional_member(*cleanup, "signals_via", "cleanup.", &nlohmann::json::is_string, "a string")) {
      const auto name = via->get<std::string>();
      if (name != "kill" && name != "pidfd") throw BadField{"cleanup.signals_via is not pidfd, kill or null"};
      r.cleanup.signals_via = name == "kill" ? SignalPath::kill : SignalPath::pidfd;
    }
  }
  return r;
}

}  // namespace

std::string json_limits_problem(std::string_view text) {
  if (text.size() > kMaxJsonBytes) {
    return "larger than " + std::to_string(kMaxJsonBytes >> 20) + " MiB (" + std::to_string(text.size()) +
           " bytes): not a file procleak wrote";
  }
  // Brackets outside strings, one pass: a forged file nested a million deep
  // is refused before the parser sees it.
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return {};
}

ParsedReport parse_report(std::string_view text) {
  ParsedReport out;
  if (auto problem = json_limits_problem(text); !problem.empty()) {
    out.status = ParsedReport::Status::malformed;
    out.error = std::move(problem);
    return out;
  }
  const auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    out.status = ParsedReport::Status::not_json;
    out.error = "not valid JSON (a truncated or partly written file?)";
    return out;
  }
  const auto schema = doc.is_object() && doc.contains("schema") && doc["schema"].is_string()
                          ? doc["schema"].get<std::string>()
                          : std::string();
  constexpr std::string_view prefix = "procleak.report/";
  if (schema.rfind(prefix, 0) != 0) {
    out.status = ParsedReport::Status::not_a_report;
    out.error = "not a procleak report (no \"schema\": \"procleak.report/...\")";
    return out;
  }
  if (schema != kSchema) {
    out.status = ParsedReport::Status::newer_schema;
    // Text from the file, in a one-line message: made printable.
    out.error = "schema " + printable(schema) + " is not " + std::string(kSchema) +
                ", the one this procleak " + std::string(kVersion) + " reads; use a newer procleak-report";
    return out;
  }
  try {
    out.report = report_from_json(doc);
  } catch (const BadField& bad) {
    out.status = ParsedReport::Status::malformed;
    out.error = "malformed report: " + bad.what;
  }
  return out;
}

json resources_json(const std::optional<CgroupResources>& r) {
  if (!r) return nullptr;
  return json{{"cpu_usec", or_null(r->cpu_usec)},
              {"memory_peak_bytes", or_null(r->memory_peak_bytes)},
              {"pids_peak", or_null(r->pids_peak)}};
}

std::string to_json(const Report& r) {
  json leaks = json::array();
  for (const auto& leak : r.leaks) leaks.push_back(leak_json(leak));
  const json doc{
      {"schema", kSchema},
      {"tool", {{"name", "procleak"}, {"version", kVersion}}},
      {"source", r.source},
      {"test", r.test},
      {"command", r.command},
      {"started_at", iso8601_utc(r.started_at)},
      {"duration_ms", tenth(r.duration_ms)},
      {"mode", to_string(r.mode)},
      {"exit",
       {{"code", or_null(r.exit_code)},
        {"signal", r.exit_signal ? json(signal_name(*r.exit_signal)) : json(nullptr)}}},
      {"timed_out", r.timed_out},
      {"verdict", to_string(verdict_of(r))},
      {"incomplete_reason", r.incomplete_reason.empty() ? json(nullptr) : json(r.incomplete_reason)},
      {"lineage_unavailable", r.lineage_unavailable.empty() ? json(nullptr) : json(r.lineage_unavailable)},
      {"containment", r.containment.empty() ? json(nullptr) : json(r.containment)},
      {"containment_reason", r.containment_reason.empty() ? json(nullptr) : json(r.containment_reason)},
      {"resources", resources_json(r.resources)},
      {"leaks", std::move(leaks)},
      {"cleanup",
       {{"terminated", r.cleanup.terminated},
        {"killed", r.cleanup.killed},
        {"reaped", r.cleanup.reaped},
        {"exited", r.cleanup.exited},
        {"unkillable", r.cleanup.unkillable},
        {"duration_ms", tenth(r.cleanup.duration_ms)},
        {"signals_via", !r.cleanup.signals_via                       ? json(nullptr)
                        : *r.cleanup.signals_via == SignalPath::kill ? json("kill")
                                                                     : json("pidfd")}}},
  };
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + '\n';
}

std::error_code make_directories(const std::string& dir) {
  if (dir.empty()) return std::make_error_code(std::errc::invalid_argument);
  for (std::size_t pos = 1;; ++pos) {
    pos = dir.find('/', pos);
    const std::string prefix = dir.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0777) != 0 && errno != EEXIST) return errno_code();
    if (pos == std::string::npos) break;
  }
  struct stat st{};
  if (::stat(dir.c_str(), &st) != 0) return errno_code();
  if (!S_ISDIR(st.st_mode)) return std::make_error_code(std::errc::not_a_directory);
  return {};
}

std::error_code write_file_atomically(const std::string& path, const std::string& content) {
  // The temporary name is unique to this process and attempt; O_EXCL and
  // O_NOFOLLOW mean a planted file or symlink is never written through.
  static unsigned attempt = 0;
  const std::string tmp = path + ".tmp." + std::to_string(::getpid()) + '.' + std::to_string(++attempt);
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd.valid()) return errno_code();
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const auto ec = errno_code();
      ::unlink(tmp.c_str());
      return ec;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd.release()) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const auto ec = errno_code();
    ::unlink(tmp.c_str());
    return ec;
  }
  return {};
}

std::error_code write_report_into_dir(const std::string& dir, const Report& report,
                                      std::string& written_path) {
  if (auto ec = make_directories(dir)) return ec;
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  // PID + nanoseconds: two live processes never share a PID, and one process
  // never writes two reports in the same nanosecond.
  char unique[64];
  std::snprintf(unique, sizeof unique, "%d-%lld%09ld", static_cast<int>(::getpid()),
                static_cast<long long>(now.tv_sec), now.tv_nsec);
  written_path = dir + '/' + safe_file_stem(report.test) + '.' + unique + ".json";
  return write_file_atomically(written_path, to_json(report));
}

}  // namespace procleak
