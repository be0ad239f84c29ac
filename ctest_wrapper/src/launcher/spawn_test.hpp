// Starting the test's main process (Boost.Process v2).
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "inherited_state.hpp"
#include "procleak/cgroup.hpp"
#include "procleak/unique_fd.hpp"

namespace procleak::launcher {

struct SpawnedTest {
  // What was executed: the path given to execve and the argument vector.
  std::string exec_path;
  std::vector<std::string> argv;
  pid_t pid = 0;
  UniqueFd pidfd;  // our child: its PID cannot be reused before we reap it
};

enum class SpawnError { none, not_found, not_executable, setup_failed };

struct SpawnResult {
  SpawnError error = SpawnError::none;
  std::string message;  // one line for SpawnError != none
  SpawnedTest test;
};

// Starts command in a new session (so its process group and session are its
// own), with SIGKILL as its parent-death signal, the signal mask given in
// child_mask, SIGCHLD, SIGPIPE and RLIMIT_NOFILE as the caller handed them
// to the launcher (inherited), and every inheritable fd of the launcher (not
// only 0, 1, 2: a test may be handed more). Looks the command up on PATH and
// runs a script without "#!" with /bin/sh, as execvp does.
// Assumes the caller already is a child subreaper.
// cgroup: the test's cgroup (procleak/cgroup.hpp), or nullptr. The child is
// born in it: clone3(CLONE_INTO_CGROUP), with fork's semantics (the vfork
// launcher cannot pass a cgroup). Where clone3 is refused (ENOSYS, EPERM: a
// seccomp profile), the vfork child writes "0" into its cgroup.procs before
// anything else instead: a migration, which waits for the kernel's RCU grace
// period (about 0.6 ms here, against a fork's 0.1). If it cannot join, the
// spawn fails with SpawnError::setup_failed and *join_error holds the errno.
[[nodiscard]] SpawnResult spawn_test(const std::vector<std::string>& command, const sigset_t& child_mask,
                                     const InheritedState& inherited, const TestCgroup* cgroup = nullptr,
                                     int* join_error = nullptr);

}  // namespace procleak::launcher
