#include "procleak/cleanup.hpp"

#include <signal.h>

#include <thread>

#include "tracked_processes.hpp"

namespace procleak {
namespace {

using detail::Clock;
using detail::Phase;
using detail::SigtermArrival;
using detail::Tracked;
using detail::TrackedProcesses;

// Upper bound on freeze sweeps: each sweep stops everything it sees, so a
// tree converges in (depth of fork chain) sweeps; this only guards a bug.
constexpr int kMaxFreezeSweeps = 10'000;

SigtermArrival sigterm_arrival(const ProcStat& stat) {
  if (!stat.drops(SIGTERM)) return SigtermArrival::acted_on;
  return stat.state == 'T' ? SigtermArrival::dropped : SigtermArrival::ignored_not_yet_stopped;
}

// Stops the tree growing: SIGSTOP sweeps until a walk finds nothing new.
// Stopped processes cannot fork: one more sweep then finds every child forked
// before the stop, and the loop ends when a sweep adds nothing.
void freeze(TrackedProcesses& procs) {
  for (int sweep = 0; sweep < kMaxFreezeSweeps; ++sweep) {
    bool found_new = false;
    procs.for_each_in_walk(found_new, [&](const ProcStat* stat, Tracked& t) {
      if (stat != nullptr) t.sigterm = sigterm_arrival(*stat);
      if (t.phase == Phase::alive && procs.send(t, SIGSTOP)) t.phase = Phase::stopped;
    });
    if (!found_new) return;
  }
}

// A process that ignores SIGTERM (and does not block it) drops the SIGTERM
// on arrival and would cost the whole grace period for nothing; it gets
// SIGKILL right away. Decided only for a process seen stopped, before its
// SIGTERM is sent: it cannot change its disposition in between. So a
// shutdown handler that ignores further SIGTERMs is not mistaken for one:
// it was not ignoring when read. SIGSTOP takes effect when the process next
// runs, so an ignorer not stopped yet is looked at again until it is, for up
// to 250 ms: on a loaded machine (ctest -j) it may not run for tens of ms,
// and waiting for its stop is still far shorter than the grace it saves.
// The freeze's last sweep read every process: only ignorers are read again.
std::vector<Tracked*> sigterm_droppers(TrackedProcesses& procs, const ProcFs& proc) {
  std::vector<Tracked*> pending;
  std::vector<Tracked*> droppers;
  for (auto& [key, t] : procs.all()) {
    if (t.phase == Phase::stopped && t.sigterm != SigtermArrival::acted_on) pending.push_back(&t);
  }
  const auto deadline = Clock::now() + std::chrono::milliseconds(250);
  for (bool first = true;; first = false) {
    std::erase_if(pending, [&](Tracked* t) {
      if (!first) {
        ProcStat now;
        if (proc.read_stat(t->handle.pid(), now) || now.start_time != t->handle.start_time()) return true;
        t->sigterm = sigterm_arrival(now);
      }
      if (t->sigterm == SigtermArrival::ignored_not_yet_stopped) return false;  // not stopped yet
      if (t->sigterm == SigtermArrival::dropped) droppers.push_back(t);
      return true;
    });
    if (pending.empty() || Clock::now() >= deadline) return droppers;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

// SIGTERM first, then SIGCONT: the stopped process wakes with the
// termination already pending, so it cannot run on (and fork) before it.
void terminate_and_wait(TrackedProcesses& procs, const CleanupPlan& plan) {
  const auto droppers = sigterm_droppers(procs, *plan.proc);
  for (auto& [key, t] : procs.all()) {
    if (t.phase != Phase::alive && t.phase != Phase::stopped) continue;
    if (t.handle.has_exited()) {
      TrackedProcesses::mark_ended(t);
      continue;
    }
    if (procs.send(t, SIGTERM)) {
      const bool drops = std::find(droppers.begin(), droppers.end(), &t) != droppers.end();
      t.phase = drops ? Phase::term_dropped : Phase::terminating;
    }
  }
  for (auto& [key, t] : procs.all()) {
    if (t.phase == Phase::terminating || t.phase == Phase::term_dropped) (void)procs.send(t, SIGCONT);
  }
  procs.wait_for_signalled(Clock::now() + plan.grace);
}

// SIGKILLs what is left, repeating until a walk finds nothing alive that
// may still be signalled, or kKillWait has passed. A process procleak may
// not signal (refused) ends the loop's interest in it at once: no spinning.
void kill_remaining(TrackedProcesses& procs) {
  const auto deadline = Clock::now() + detail::kKillWait;
  for (;;) {
    bool any_alive = false;
    bool ignored = false;
    procs.for_each_in_walk(ignored, [&](const ProcStat* stat, Tracked& t) {
      if ((stat != nullptr && stat->is_zombie()) || t.phase == Phase::zombie) return;
      if (detail::has_ended(t.phase) || t.phase == Phase::refused) return;
      if (t.phase != Phase::killing && !procs.send(t, SIGKILL)) return;
      t.phase = Phase::killing;
      any_alive = true;
    });
    // Tracked processes outside the walk (already dead) still need a look.
    for (auto& [key, t] : procs.all()) {
      if (!detail::has_ended(t.phase) && t.phase != Phase::zombie && t.handle.valid() && t.handle.has_exited()) {
        TrackedProcesses::mark_ended(t);
      }
    }
    procs.reap();
    if (!any_alive || Clock::now() >= deadline) return;
    procs.wait_for_signalled(std::min(deadline, Clock::now() + std::chrono::milliseconds(50)), true);
  }
}

// Collects zombies until every tracked process is gone or the deadline.
void reap_all_tracked(TrackedProcesses& procs) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(500);
  for (;;) {
    procs.reap();
    bool all_gone = true;
    for (auto& [key, t] : procs.all()) {
      if (!t.handle.valid() || t.phase == Phase::refused) continue;
      if (!t.handle.is_gone()) all_gone = false;
    }
    if (all_gone || Clock::now() >= deadline) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace

CleanupSummary clean_up(const CleanupPlan& plan, std::vector<Leak>& leaks) {
  const auto start = Clock::now();
  TrackedProcesses procs(plan, leaks);
  freeze(procs);
  terminate_and_wait(procs, plan);
  kill_remaining(procs);
  reap_all_tracked(procs);
  procs.settle_fates();
  auto summary = count_fates(leaks);
  summary.signals_via = procs.signals_via();
  summary.problems = procs.problems();
  summary.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return summary;
}

}  // namespace procleak
