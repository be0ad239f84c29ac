// Runs a program to completion with captured output, for the integration tests.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace procleak_test {

struct RunResult {
  int exit_code = -1;  // set when it exited
  int signal = 0;      // set when it died of a signal
  std::string out;
  std::string err;
  double seconds = 0;
  pid_t pid = 0;
};

struct RunOptions {
  std::string stdin_text;
  std::map<std::string, std::string> env;  // added to (or replacing in) the environment
  std::vector<std::string> unset_env;
  // SIGKILLed after this: a hung launcher fails the test instead of hanging CI.
  std::chrono::seconds limit{30};
  // Called in the parent once the program runs, with its PID (for tests that
  // signal the launcher).
  std::function<void(pid_t)> while_running;
};

// Runs argv. When PROCLEAK_TEST_WRAP is set (tests/integration/in_environment.sh)
// and argv[0] is procleak-run or a listener's scenario binary (GoogleTest,
// doctest, Catch2, Boost.Test), its words
// (split at spaces) go in front: the program under test then runs in the
// environment they set up (another user, refused system calls, a low fd
// limit, signals ignored), while the test binary and its oracle do not.
RunResult run_command(const std::vector<std::string>& argv, const RunOptions& options = {});

// The words PROCLEAK_TEST_WRAP puts in front of program (none for others).
std::vector<std::string> environment_wrapper(const std::string& program);

// The whole of a file ("" when it cannot be read).
std::string slurp(const std::string& path);

}  // namespace procleak_test
