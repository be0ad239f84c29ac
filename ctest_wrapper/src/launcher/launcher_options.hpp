// procleak-run's command line and PROCLEAK_* variables (README: "procleak-run").
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "procleak/settings.hpp"

namespace procleak::launcher {

// How the test is contained (--containment, PROCLEAK_CONTAINMENT): in a
// cgroup of its own where one can be made, else in its own session under
// procleak's subreaper (automatic); only in a cgroup (cgroup: 125 where
// none can be made); only in its session (session).
enum class Containment { automatic, cgroup, session };

// The shared settings (procleak/settings.hpp) plus the launcher's own flags.
struct Options : Settings {
  Containment containment = Containment::automatic;
  std::string report_file;           // --report
  std::string name;                  // --name (default: derived)
  bool ctest_measurements = false;   // --ctest-measurements, PROCLEAK_CTEST_MEASUREMENTS=1
  bool ctest = false;                // --ctest: run as a CTest test (CTest's result rule, see help_text)
  bool meson = false;                // --meson: run as a Meson test (exit 99 on a leak, see help_text)
  std::vector<std::string> command;  // COMMAND [ARG...]
};

// sweep: --sweep, which takes no command.
enum class ParseOutcome { run, help, version, sweep, error };

struct ParseResult {
  ParseOutcome outcome = ParseOutcome::run;
  Options options;
  std::string error;  // one line naming the flag or variable, for ParseOutcome::error
};

// Reads the environment first, then the flags (a flag wins over its
// variable). Options stop at "--" or at the first argument that does not start
// with '-': everything from there is the command, untouched. Pure apart from
// env_lookup.
[[nodiscard]] ParseResult parse_options(const std::vector<std::string>& args, const EnvLookup& env_lookup);

// The test's name when --name is not given: the value of a --gtest_filter=
// argument, else the command: the program's base name and its arguments,
// shell-quoted where needed ("bash a.sh", "server --port '80 80'"), so two
// different commands are two tests. Past 200 bytes it is cut, and a hash of
// the whole command keeps it apart from others with the same start. The
// program's folder is left out: the same test built in another tree (a CI
// machine's, a developer's) keeps its name, and a baseline still applies.
[[nodiscard]] std::string default_test_name(const std::vector<std::string>& command);

// Whether the command only lists a test binary's tests, as test discovery
// does through the launcher (GoogleTest's --gtest_list_tests; Catch2's,
// doctest's and Boost.Test's listing flags, in their long forms): such a run
// starts no test, so procleak-run passes it through untouched and silent.
[[nodiscard]] bool lists_tests_only(const std::vector<std::string>& command);

// The leak counts as CTest measurements (one line each, on stdout), which
// CTest sends to CDash and writes into --output-junit.
[[nodiscard]] std::string ctest_measurements(const Report& report);

[[nodiscard]] std::string help_text();

}  // namespace procleak::launcher
