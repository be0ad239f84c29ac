// What the framework scenarios leave behind, bounded: every process they
// start ends by itself within a minute (an alarm survives exec), even where
// procleak failed to stop it.
#pragma once

#include <errno.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

// Added to every sleep's argument: the consumer project builds the same
// scenarios with 1000, so its leftovers are told from the in-tree tests'.
#ifndef SCENARIOS_SLEEP_OFFSET
#define SCENARIOS_SLEEP_OFFSET 0
#endif

namespace framework_scenarios {

inline constexpr unsigned kMaxLifetimeSeconds = 60;

// `sleep <seconds + SCENARIOS_SLEEP_OFFSET>` left running, never waited for.
inline pid_t leave_sleep(const char* seconds) {
  const std::string argument = std::to_string(std::atoi(seconds) + SCENARIOS_SLEEP_OFFSET);
  const pid_t pid = fork();
  if (pid == 0) {
    alarm(kMaxLifetimeSeconds);
    execlp("sleep", "sleep", argument.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

// A child that exits at once and is never waited for: this binary's zombie.
inline pid_t leave_zombie() {
  const pid_t pid = fork();
  if (pid == 0) _exit(0);
  return pid;
}

// `true`, run and waited for: the clean test's own child. True when it
// exited with 0, or when the kernel reaped it (SIGCHLD inherited as
// ignored: waitpid then answers ECHILD once it is gone). Anywhere else an
// ECHILD means someone else reaped it (a listener must never), and fails.
inline bool run_true() {
  const pid_t pid = fork();
  if (pid == 0) {
    execlp("true", "true", static_cast<char*>(nullptr));
    _exit(127);
  }
  if (pid < 0) return false;
  int status = 0;
  const pid_t waited = waitpid(pid, &status, 0);
  if (waited < 0) {
    const int wait_error = errno;
    struct sigaction chld {};
    const bool kernel_reaps = sigaction(SIGCHLD, nullptr, &chld) == 0 &&
                              (chld.sa_handler == SIG_IGN || (chld.sa_flags & SA_NOCLDWAIT) != 0);
    return wait_error == ECHILD && kernel_reaps;
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace framework_scenarios
