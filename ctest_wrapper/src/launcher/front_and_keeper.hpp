// procleak-run runs as two processes, so that even a SIGKILL of the launcher
// (CTest's TIMEOUT sends one) leaves nothing behind.
//
// The front is the process CTest or the shell started. It only forwards
// SIGINT, SIGTERM, SIGHUP and SIGQUIT to the keeper, waits for it, and exits
// as the keeper did (same code, or death by the same signal).
//
// The keeper, the front's child, does all the work: it is the child subreaper
// and the parent of the test, checks, cleans up and reports. It holds a pidfd
// of the front; when that becomes readable while the test runs, the front was
// killed, and the keeper kills the test's tree at once (no grace, no settle),
// reports it, and exits. Nothing the test started outlives the front by more
// than that cleanup.
//
// Both start with the forwarded signals blocked (from before the keeper
// exists): one sent during start-up waits for the front's handler, and then
// in the keeper for its signalfd, instead of killing either unreported.
//
// The keeper is started with clone(CLONE_VM) on a stack of its own: it
// shares the front's memory instead of copying it, which saves a fork of
// the launcher on every test (README.md, "Figures"). That is safe because the
// front, from then on, only makes system calls that cannot fail (so it never
// writes errno, which the two share) and touches nothing but its own stack
// and one signal-safe variable. Sanitizer builds, whose runtimes keep
// per-thread state the two would share, fork instead, and so does a run
// under valgrind, which does not support CLONE_VM without threads.
#pragma once

#include <signal.h>

#include <functional>
#include <system_error>

#include "procleak/unique_fd.hpp"

namespace procleak::launcher {

struct Keeper {
  // Readable once the front has exited or been killed. Invalid without pidfds
  // (kernel < 5.3): the keeper then gets SIGTERM as its parent-death signal,
  // which it handles like a forwarded SIGTERM (cleanup within --grace).
  UniqueFd front_gone;
  // The signal mask procleak-run started with (the keeper runs with the
  // forwarded signals blocked on top of it, see above): the test's mask.
  sigset_t original_mask{};
};

// Called by the keeper (procleak-run --ctest, after its own --timeout): once
// the keeper has exited, the front waits for CTest's own TIMEOUT to end it
// (a forwarded signal, which it then dies of, or SIGKILL), so that CTest says
// "Timeout" as it does without procleak; after 60 s without one, it exits as
// the keeper did. The keeper, which holds the test's tree, is gone by then:
// when CTest kills the front, nothing of procleak is left.
void wait_for_ctest_after_keeper() noexcept;

// The front's way back after the keeper died of a signal while the two
// shared memory (CLONE_VM): procleak-run runs again as the same process with
// this variable set to the signal, checks and cleans up what the keeper
// left, reports it, and dies of that signal (main.cpp).
inline constexpr const char* kAfterKeeperVariable = "PROCLEAK_INTERNAL_AFTER_KEEPER";

// main's argv and envp, for that re-exec. Call before run_as_front_and_keeper.
void keep_command_line(char** argv, char** envp) noexcept;

// Starts the keeper, which runs keeper_main and exits with the code it
// returns (stdio flushed), and becomes the front, which never returns.
// The front is a child subreaper too: if the keeper dies of a signal (the
// OOM killer may pick it alone), everything below it is re-parented to the
// front, which then runs after_keeper_killed(signal) and dies of the same
// signal. Where the keeper shared the front's memory, it may have died in
// the middle of an allocation: the front then runs after_keeper_killed in a
// fresh procleak-run (kAfterKeeperVariable), not on that heap.
// Returns only if the keeper could not be started, in the one process there
// still is.
std::error_code run_as_front_and_keeper(const std::function<int(const Keeper&)>& keeper_main,
                                        const std::function<void(int)>& after_keeper_killed);

}  // namespace procleak::launcher
