// procleak-ctest's command line: procleak-run flags before a "--" (if any),
// ctest's options after it, passed through with the few procleak-ctest must
// know or change.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace procleak::ctest_runner {

struct CtestArguments {
  std::vector<std::string> launcher_flags;  // for every procleak-run, before its --name
  std::vector<std::string> ctest_args;      // passed through, without --test-dir
  std::string test_dir = ".";               // --test-dir, else the working directory
  std::string config;                       // -C / --build-config, empty if none
  std::optional<double> default_timeout;    // --timeout SECONDS: for tests without TIMEOUT
  std::string error;                        // one line, when the command line is unusable
};

// args without argv[0]. A relative --output-junit is made absolute against
// the test directory (where ctest itself would write it), not the generated one.
[[nodiscard]] CtestArguments parse_ctest_arguments(const std::vector<std::string>& args);

}  // namespace procleak::ctest_runner
