// What procleak-run changes about its own process to check a test, and gives
// back to the test: the test starts exactly as it would without the launcher.
//
// - SIGCHLD set to its default: inherited as ignored (Python harnesses, some
//   CI agents), the kernel would reap the test and every orphan by itself,
//   and waitid would never see the test's exit status.
// - SIGPIPE ignored: a closed or broken stderr must not kill the launcher
//   before its report is written; a write there fails with EPIPE instead.
// - RLIMIT_NOFILE's soft limit raised to the hard one: cleanup holds a pidfd
//   per leftover while the budget lasts (process_handle.hpp, pidfd_budget).
//
// The forwarded signals the caller ignores (SIGHUP under nohup, SIGINT for a
// background job) are recorded too: they stay ignored, for the launcher and
// for the test (forwarded_signals.hpp).
#pragma once

#include <signal.h>
#include <sys/resource.h>

namespace procleak::launcher {

struct InheritedState {
  bool sigchld_ignored = false;
  bool sigpipe_ignored = false;
  bool nofile_known = false;
  rlimit nofile{};
};

// Records the caller's settings, then applies the launcher's (above).
// Plain system calls; nothing here can fail in a way that matters (a limit
// that cannot be raised stays as it was).
InheritedState take_over_inherited_state() noexcept;

// In the test's child between fork and exec (a vfork child: system calls
// only): puts back SIGCHLD, SIGPIPE and RLIMIT_NOFILE as the caller had them.
// Returns 0, or the errno of the call that failed.
int restore_inherited_state(const InheritedState& state) noexcept;

// True when SIG was ignored at start-up.
[[nodiscard]] bool was_ignored(int sig) noexcept;

}  // namespace procleak::launcher
