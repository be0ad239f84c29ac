#include "procleak/settings.hpp"

#include <charconv>

namespace procleak {
namespace {

// Each setter parses one value; it returns an empty string or the reason the
// value is wrong. `what` names the flag or the variable in the message.
std::string set_duration(std::string_view value, Duration& out, std::string_view what) {
  const auto d = parse_duration(value);
  if (!d) {
    return std::string(what) + ": invalid duration '" + std::string(value) +
           "' (expected a number with a unit: 250ms, 2s, 1.5m)";
  }
  out = *d;
  return {};
}

std::string set_mode(std::string_view value, Mode& out, std::string_view what) {
  const auto m = parse_mode(value);
  if (!m) return std::string(what) + ": invalid mode '" + std::string(value) + "' (expected fail, warn or off)";
  out = *m;
  return {};
}

std::string set_exit_code(std::string_view value, int& out, std::string_view what) {
  int n = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc{} || end != value.data() + value.size() || n < 1 || n > 255) {
    return std::string(what) + ": invalid exit code '" + std::string(value) + "' (expected 1 to 255)";
  }
  out = n;
  return {};
}

std::string set_string(std::string_view value, std::string& out, std::string_view what) {
  if (value.empty()) return std::string(what) + ": value must not be empty";
  out = value;
  return {};
}

std::string set_on_off(std::string_view value, bool& out, std::string_view what) {
  if (value != "on" && value != "off") return std::string(what) + ": expected on or off, got '" + std::string(value) + "'";
  out = value == "on";
  return {};
}

struct Setting {
  std::string_view flag;
  const char* env;
  std::string (*apply)(std::string_view, Settings&, std::string_view);
};

const Setting kSettings[] = {
    {"--mode", "PROCLEAK_MODE", [](auto v, Settings& s, auto w) { return set_mode(v, s.mode, w); }},
    {"--grace", "PROCLEAK_GRACE", [](auto v, Settings& s, auto w) { return set_duration(v, s.grace, w); }},
    {"--settle", "PROCLEAK_SETTLE", [](auto v, Settings& s, auto w) { return set_duration(v, s.settle, w); }},
    {"--timeout", "PROCLEAK_TIMEOUT",
     [](auto v, Settings& s, auto w) {
       Duration d{};
       auto err = set_duration(v, d, w);
       if (err.empty() && d.count() == 0) err = std::string(w) + ": must be more than 0";
       if (err.empty()) s.timeout = d;
       return err;
     }},
    {"--report-dir", "PROCLEAK_REPORT_DIR",
     [](auto v, Settings& s, auto w) { return set_string(v, s.report_dir, w); }},
    {"--suppressions", "PROCLEAK_SUPPRESSIONS",
     [](auto v, Settings& s, auto w) { return set_string(v, s.suppressions, w); }},
    {"--leak-exit-code", "PROCLEAK_LEAK_EXIT_CODE",
     [](auto v, Settings& s, auto w) { return set_exit_code(v, s.leak_exit_code, w); }},
    {"--lineage", "PROCLEAK_LINEAGE", [](auto v, Settings& s, auto w) { return set_on_off(v, s.lineage, w); }},
};

}  // namespace

std::string read_settings_from_env(const EnvLookup& env_lookup, Settings& settings) {
  for (const auto& s : kSettings) {
    const char* value = env_lookup(s.env);
    // An empty variable means "not set", as shells make it easy to export "".
    if (value == nullptr || *value == '\0') continue;
    if (auto err = s.apply(value, settings, s.env); !err.empty()) return err;
  }
  if (const char* probe = env_lookup("PROCLEAK_PROBE_PARENT_KILL"); probe != nullptr && *probe != '\0') {
    const std::string_view v(probe);
    if (v != "0" && v != "1") return "PROCLEAK_PROBE_PARENT_KILL: expected 1 or 0, got '" + std::string(v) + "'";
    settings.probe_parent_kill = v == "1";
  }
  return {};
}

bool is_setting_flag(std::string_view flag) noexcept {
  for (const auto& s : kSettings) {
    if (s.flag == flag) return true;
  }
  return false;
}

std::optional<std::string> apply_setting_flag(std::string_view flag, std::string_view value, Settings& settings) {
  for (const auto& s : kSettings) {
    if (s.flag == flag) return s.apply(value, settings, flag);
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> settings_for_the_test(const Settings& s) {
  std::vector<std::pair<std::string, std::string>> out{
      {"PROCLEAK_MODE", std::string(to_string(s.mode))},
      {"PROCLEAK_GRACE", format_duration(s.grace)},
      {"PROCLEAK_SETTLE", format_duration(s.settle)},
  };
  if (!s.report_dir.empty()) {
    out.emplace_back("PROCLEAK_REPORT_DIR", s.report_dir);
    // The launcher's own report covers the run: a listener in the test
    // writes reports of its leaks only, not one of a clean program.
    out.emplace_back("PROCLEAK_LAUNCHER_REPORTS", "1");
  }
  if (!s.suppressions.empty()) out.emplace_back("PROCLEAK_SUPPRESSIONS", s.suppressions);
  if (!s.lineage) out.emplace_back("PROCLEAK_LINEAGE", "off");
  return out;
}

}  // namespace procleak
