#include "procleak/report_json.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <nlohmann/json.hpp>

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

json leak_json(const Leak& l) {
  json kinds = json::array();
  for (const auto name : l.kinds.names()) kinds.push_back(name);
  // comm and argv may hold bytes that are not UTF-8; the report stays valid
  // JSON by replacing them (error_handler below).
  return json{
      {"pid", l.pid},
      {"ppid", l.ppid},
      {"pgid", l.pgid},
      {"sid", l.sid},
      {"state", std::string(1, l.state)},
      {"comm", l.comm},
      {"cmdline", l.cmdline},
      {"exe", l.exe.empty() ? json(nullptr) : json(l.exe)},
      {"kinds", std::move(kinds)},
      {"escaped_via", l.escaped_via == EscapedVia::none ? json(nullptr) : json(to_string(l.escaped_via))},
      {"original_parent", or_null(l.original_parent)},
      {"age_ms", tenth(l.age_ms)},
      {"holds_test_output", l.holds_test_output},
      {"cleanup", to_string(l.cleanup)},
      {"suppressed_by", or_null(l.suppressed_by)},
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

}  // namespace

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
      {"verdict", to_string(verdict_of(r.leaks))},
      {"leaks", std::move(leaks)},
      {"cleanup",
       {{"terminated", r.cleanup.terminated},
        {"killed", r.cleanup.killed},
        {"reaped", r.cleanup.reaped},
        {"exited", r.cleanup.exited},
        {"unkillable", r.cleanup.unkillable},
        {"duration_ms", tenth(r.cleanup.duration_ms)},
        {"signals_via", r.cleanup.used_pidfds ? "pidfd" : "kill"}}},
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
