// procleak-run's command line and PROCLEAK_* variables (README: "procleak-run").
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "procleak/duration.hpp"
#include "procleak/report.hpp"

namespace procleak::launcher {

// One field per flag; the flag is named in the comment.
struct Options {
  Mode mode = Mode::fail;                                  // --mode, PROCLEAK_MODE
  Duration grace = std::chrono::seconds(2);                // --grace, PROCLEAK_GRACE
  Duration settle = std::chrono::milliseconds(100);        // --settle, PROCLEAK_SETTLE
  std::optional<Duration> timeout;                         // --timeout, PROCLEAK_TIMEOUT
  std::string report_file;                                 // --report
  std::string report_dir;                                  // --report-dir, PROCLEAK_REPORT_DIR
  std::string name;                                        // --name (default: derived)
  std::string suppressions;                                // --suppressions, PROCLEAK_SUPPRESSIONS
  bool probe_parent_kill = false;                          // --probe-parent-kill, PROCLEAK_PROBE_PARENT_KILL=1
  int leak_exit_code = 3;                                  // --leak-exit-code, PROCLEAK_LEAK_EXIT_CODE
  std::vector<std::string> command;                        // COMMAND [ARG...]
};

enum class ParseOutcome { run, help, version, error };

struct ParseResult {
  ParseOutcome outcome = ParseOutcome::run;
  Options options;
  std::string error;  // one line naming the flag or variable, for ParseOutcome::error
};

using EnvLookup = std::function<const char*(const char*)>;

// Reads the environment first, then the flags (a flag wins over its
// variable). Options stop at "--" or at the first argument that does not start
// with '-': everything from there is the command, untouched. Pure apart from
// env_lookup.
[[nodiscard]] ParseResult parse_options(const std::vector<std::string>& args, const EnvLookup& env_lookup);

// The test's name when --name is not given: the value of a --gtest_filter=
// argument, else the base name of the command.
[[nodiscard]] std::string default_test_name(const std::vector<std::string>& command);

[[nodiscard]] std::string help_text();

}  // namespace procleak::launcher
