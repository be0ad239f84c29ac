// The test file procleak-ctest generates: every test of a build tree, as
// `ctest --show-only=json-v1` lists it (name, command, properties), with its
// command under procleak-run and its properties kept.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace procleak::ctest_runner {

struct LauncherSetup {
  std::string procleak_run;           // absolute path
  std::vector<std::string> flags;     // procleak-run flags given to procleak-ctest
  double grace_seconds = 2.0;         // the launcher's grace (flag, PROCLEAK_GRACE or 2 s)
  double settle_seconds = 0.1;        // the launcher's settle time
  std::optional<double> default_timeout;  // ctest --timeout, for tests without TIMEOUT
};

struct GeneratedTests {
  std::string cmake;                  // the CTestTestfile.cmake text
  std::size_t tests = 0;
  std::vector<std::string> warnings;  // one line each (a property left out)
  std::vector<std::string> left_out;  // the names of the properties left out
  std::string error;                  // not a listing this build reads
};

// From the json-v1 text. json-v1 leaves out the tests that are NOT_AVAILABLE
// in the configuration (every test of a multi-config tree without -C); given
// every_name (`ctest -N`'s order, names_from_show_only), they are written as
// NOT_AVAILABLE where they were, so CTest says "Not Run" for them as it does
// without procleak, and every test keeps its number.
[[nodiscard]] GeneratedTests generate_tests(std::string_view listing, const LauncherSetup& setup,
                                            const std::vector<std::string>* every_name = nullptr);

// The test names of `ctest -N` output ("  Test  #3: name"), in order.
[[nodiscard]] std::vector<std::string> names_from_show_only(std::string_view text);

// ctest's listing of the generated tests (json-v1) against the build tree's:
// the same tests in the same order, each running its own command under
// procleak-run with its own name, its properties as they were (but those in
// left_out). Empty when they agree, else one line naming the first test that
// differs. A generated file that CMake reads differently from what was meant
// (a quoting bug) is caught here, before any test runs.
[[nodiscard]] std::string compare_listings(std::string_view original, std::string_view generated,
                                           const LauncherSetup& setup, const std::vector<std::string>& left_out);

// CTest's TIMEOUT seconds -> procleak-run's own --timeout and --grace, in
// ms, a margin before CTest's (the CMake module's rule): margin = min(T/3,
// 2 grace + settle + 1 s), grace shrunk to fit the margin.
struct LauncherDeadline {
  long timeout_ms = 0;
  long grace_ms = 0;
};
[[nodiscard]] LauncherDeadline launcher_deadline(double ctest_timeout_s, double grace_s, double settle_s);

// A CMake argument holding text exactly: a bracket argument ([==[text]==]),
// or, for a text with a CR (which CMake reads as part of a line end even in
// a bracket), a quoted argument with escapes.
[[nodiscard]] std::string cmake_argument(std::string_view text);

}  // namespace procleak::ctest_runner
