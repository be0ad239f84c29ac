// Stopping, terminating, killing and reaping the leftovers of a scope.
#pragma once

#include <sys/types.h>

#include <functional>
#include <vector>

#include "procleak/duration.hpp"
#include "procleak/leak.hpp"
#include "procleak/proc_fs.hpp"
#include "procleak/process_tree.hpp"
#include "procleak/report.hpp"
#include "procleak/signal_guard.hpp"

namespace procleak {

struct CleanupPlan {
  const ProcFs* proc = nullptr;
  const SignalGuard* guard = nullptr;
  pid_t owner = 0;
  Duration grace = std::chrono::seconds(2);
  Duration settle = std::chrono::milliseconds(100);
  // Launcher: every child of the owner is the scope's, so it reaps with
  // waitid(P_ALL). In-process: reaps only the scope's own PIDs.
  bool reap_all_children = true;
  // Processes the scope owns outside the owner's tree (Scope::adopt).
  std::vector<OutsideRoot> outside_roots;
  // Processes that existed when the scope opened: never touched.
  std::function<bool(pid_t, std::uint64_t)> in_baseline;
  // Classifies a process born while cleanup runs (it becomes a leak too).
  std::function<Leak(const ProcStat&)> describe_newcomer;
  // The same for one the walk lists but cannot read (process_tree.hpp).
  std::function<Leak(const Unseen&)> describe_unseen;
};

// The parent-kill probe (DESIGN.md): generation by generation, SIGKILL each
// leak that has living children; children still alive after plan.settle are
// marked parent_kill_survivor. Probed parents get fate killed, children that
// died with them fate exited.
void probe_parent_kill(const CleanupPlan& plan, std::vector<Leak>& leaks);

// Stops the tree growing (SIGSTOP sweeps until a walk finds nothing new),
// sends SIGTERM then SIGCONT, waits up to plan.grace on pidfds, SIGKILLs what
// is left (repeating until a walk finds nothing alive), reaps, and verifies.
// Sets every leak's fate, appends processes born meanwhile, and returns the
// counts, how signals went out and what it could not look at (problems). A
// process procleak may not signal is unkillable with its cleanup_error at
// once, never retried in a loop. Assumes the owner is a child subreaper, so that everything killed
// ends up as the owner's zombie to reap.
CleanupSummary clean_up(const CleanupPlan& plan, std::vector<Leak>& leaks);

}  // namespace procleak
