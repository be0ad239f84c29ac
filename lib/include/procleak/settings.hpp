// The settings shared by procleak-run and the GoogleTest listener, and the
// PROCLEAK_* variables that set them (README: "procleak-run").
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "procleak/duration.hpp"
#include "procleak/report.hpp"

namespace procleak {

struct Settings {
  Mode mode = Mode::fail;                            // --mode, PROCLEAK_MODE
  Duration grace = std::chrono::seconds(2);          // --grace, PROCLEAK_GRACE
  Duration settle = std::chrono::milliseconds(100);  // --settle, PROCLEAK_SETTLE
  std::optional<Duration> timeout;                   // --timeout, PROCLEAK_TIMEOUT (launcher only)
  std::string report_dir;                            // --report-dir, PROCLEAK_REPORT_DIR
  std::string suppressions;                          // --suppressions, PROCLEAK_SUPPRESSIONS
  bool probe_parent_kill = false;                    // --probe-parent-kill, PROCLEAK_PROBE_PARENT_KILL=1
  int leak_exit_code = 3;                            // --leak-exit-code, PROCLEAK_LEAK_EXIT_CODE (launcher only)
  bool lineage = true;                               // --lineage on|off, PROCLEAK_LINEAGE
};

using EnvLookup = std::function<const char*(const char*)>;

// Reads every PROCLEAK_* variable that is set and not empty into settings.
// Returns an empty string, or a one-line error naming the variable.
[[nodiscard]] std::string read_settings_from_env(const EnvLookup& env_lookup, Settings& settings);

// Whether flag ("--grace") names one of the settings above.
[[nodiscard]] bool is_setting_flag(std::string_view flag) noexcept;

// Sets the setting behind a value flag ("--grace") from its value. Returns
// nullopt when flag is not a setting flag; else an empty string or a one-line
// error naming the flag.
[[nodiscard]] std::optional<std::string> apply_setting_flag(std::string_view flag, std::string_view value,
                                                            Settings& settings);

// The settings a test's own procleak (the listener in a GoogleTest binary)
// should share with the launcher that runs it: mode, grace, settle, report
// folder, suppressions and lineage (when off), as PROCLEAK_* name/value pairs,
// and PROCLEAK_LAUNCHER_REPORTS=1 with a report folder (the launcher reports
// the run, so the listener reports only leaks). Not the timeout or the leak
// exit code, which only the launcher applies.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> settings_for_the_test(const Settings& settings);

}  // namespace procleak
