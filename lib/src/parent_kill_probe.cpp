// The parent-kill probe (DESIGN.md): generation by generation, SIGKILL each
// leak that has living children; children still alive after plan.settle are
// parent_kill_survivor and are probed in turn.
#include <signal.h>

#include <algorithm>

#include "procleak/cleanup.hpp"
#include "tracked_processes.hpp"

namespace procleak {
namespace {

using detail::Clock;
using detail::Phase;
using detail::Tracked;
using detail::TrackedProcesses;

bool is_living(const Tracked* t) {
  return t != nullptr && t->phase != Phase::zombie && !detail::has_ended(t->phase) && t->phase != Phase::refused;
}

// Those of candidates that are alive and have a living, non-zombie child leak.
std::vector<std::size_t> parents_with_living_children(TrackedProcesses& procs, const std::vector<std::size_t>& candidates) {
  const auto& leaks = procs.leaks();
  std::vector<std::size_t> out;
  for (const std::size_t i : candidates) {
    if (!is_living(procs.find(i))) continue;
    const bool has_living_child = std::any_of(leaks.begin(), leaks.end(), [&](const Leak& child) {
      return child.ppid == leaks[i].pid && !child.kinds.has(Kind::zombie) && child.pid != leaks[i].pid;
    });
    if (has_living_child) out.push_back(i);
  }
  return out;
}

}  // namespace

void probe_parent_kill(const CleanupPlan& plan, std::vector<Leak>& leaks) {
  TrackedProcesses procs(plan, leaks);
  std::vector<std::size_t> all(leaks.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  std::vector<std::size_t> generation = parents_with_living_children(procs, all);
  while (!generation.empty()) {
    std::vector<pid_t> probed;
    for (const std::size_t i : generation) {
      auto* t = procs.find(i);
      if (!is_living(t)) continue;
      if (procs.send(*t, SIGKILL)) {
        t->phase = Phase::killing;
        probed.push_back(leaks[i].pid);
      }
    }
    procs.wait_for_signalled(Clock::now() + detail::kKillWait, /*only_killed=*/true);
    procs.reap();
    const auto is_probed_child = [&](std::size_t i) {
      return std::find(probed.begin(), probed.end(), leaks[i].ppid) != probed.end();
    };
    // Give the children the settle time to notice (PDEATHSIG, EOF on a
    // pipe): wait on their pidfds until all are gone or the time is up.
    std::vector<Tracked*> children;
    for (std::size_t i = 0; i < leaks.size(); ++i) {
      if (!is_probed_child(i)) continue;
      if (auto* t = procs.find(i); t != nullptr && t->phase != Phase::zombie) children.push_back(t);
    }
    procs.wait_for_exits(children, Clock::now() + plan.settle);
    std::vector<std::size_t> survivors;
    for (std::size_t i = 0; i < leaks.size(); ++i) {
      if (!is_probed_child(i)) continue;
      auto* t = procs.find(i);
      if (t == nullptr || t->phase == Phase::zombie) continue;
      if (detail::has_ended(t->phase) || t->handle.has_exited()) {
        TrackedProcesses::mark_ended(*t);  // died with its parent: fate exited
        continue;
      }
      leaks[i].kinds.add(Kind::parent_kill_survivor);
      leaks[i].original_parent = leaks[i].ppid;
      survivors.push_back(i);
    }
    generation = parents_with_living_children(procs, survivors);
  }
  procs.settle_fates();
  // Leave the fates of the processes still alive to clean_up().
  for (auto& leak : leaks) {
    if (leak.cleanup == Fate::unkillable && leak.cleanup_error.empty()) leak.cleanup = Fate::pending;
  }
}

}  // namespace procleak
