#include "procleak/cleanup.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <thread>

#include "procleak/process_handle.hpp"
#include "procleak/process_tree.hpp"

namespace procleak {
namespace {

using Clock = std::chrono::steady_clock;

// How long SIGKILLed processes get to disappear before they count as
// unkillable (a process in uninterruptible sleep can take a while).
constexpr auto kKillWait = std::chrono::seconds(2);
// Upper bound on freeze sweeps: each sweep stops everything it sees, so a
// tree converges in (depth of fork chain) sweeps; this only guards a bug.
constexpr int kMaxFreezeSweeps = 10'000;

// What a SIGTERM sent now would meet, judged from a stat read: a process
// that ignores it (and does not block it) drops it on arrival; that is
// certain only while it is stopped, since it cannot change its disposition.
enum class SigtermArrival { acted_on, dropped, ignored_not_yet_stopped };

SigtermArrival sigterm_arrival(const ProcStat& stat) {
  if (!stat.drops(SIGTERM)) return SigtermArrival::acted_on;
  return stat.state == 'T' ? SigtermArrival::dropped : SigtermArrival::ignored_not_yet_stopped;
}

struct Tracked {
  std::size_t leak = 0;
  ProcessHandle handle;
  bool zombie_at_start = false;
  bool stopped = false;
  bool term_sent = false;
  SigtermArrival sigterm = SigtermArrival::acted_on;  // as of the last look at its stat
  bool term_dropped = false;  // it ignored SIGTERM when it got it: no grace to wait for
  bool kill_sent = false;
  bool dead = false;  // exited (possibly still an unreaped zombie)
  bool dead_before_signal = false;
};

using Key = std::pair<pid_t, std::uint64_t>;

class Cleaner {
 public:
  Cleaner(const CleanupPlan& plan, std::vector<Leak>& leaks) : plan_(plan), leaks_(leaks) {
    for (std::size_t i = 0; i < leaks_.size(); ++i) {
      if (leaks_[i].cleanup == Fate::pending) track(i);
    }
  }

  void freeze() {
    for (int sweep = 0; sweep < kMaxFreezeSweeps; ++sweep) {
      bool found_new = false;
      for (const auto& stat : walk()) {
        auto* t = find_or_add(stat, found_new);
        if (t == nullptr) continue;
        t->sigterm = sigterm_arrival(stat);
        if (t->dead || t->zombie_at_start || t->stopped) continue;
        // Stopped processes cannot fork: one more sweep then finds every child
        // forked before the stop, and the loop ends when a sweep adds nothing.
        if (send(*t, SIGSTOP)) t->stopped = true;
      }
      if (!found_new) return;
    }
  }

  void terminate_and_wait() {
    mark_sigterm_droppers();
    // SIGTERM first, then SIGCONT: the stopped process wakes with the
    // termination already pending, so it cannot run on (and fork) before it.
    for (auto& [key, t] : tracked_) {
      if (t.dead || t.zombie_at_start) continue;
      if (t.handle.has_exited()) {
        mark_dead(t, /*before_signal=*/!t.term_sent);
        continue;
      }
      if (send(t, SIGTERM)) t.term_sent = true;
    }
    for (auto& [key, t] : tracked_) {
      if (!t.dead && t.stopped) send(t, SIGCONT);
    }
    wait_for_deaths(Clock::now() + plan_.grace);
  }

  void kill_remaining() {
    const auto deadline = Clock::now() + kKillWait;
    for (;;) {
      bool any_alive = false;
      bool ignored = false;
      for (const auto& stat : walk()) {
        auto* t = find_or_add(stat, ignored);
        if (t == nullptr || stat.is_zombie()) continue;
        if (t->dead) continue;
        any_alive = true;
        if (!t->kill_sent && send(*t, SIGKILL)) t->kill_sent = true;
      }
      // Tracked processes outside the walk (already dead) still need a look.
      for (auto& [key, t] : tracked_) {
        if (!t.dead && !t.zombie_at_start && t.handle.has_exited()) mark_dead(t, !t.term_sent && !t.kill_sent);
      }
      reap();
      if (!any_alive || Clock::now() >= deadline) return;
      wait_for_deaths(std::min(deadline, Clock::now() + std::chrono::milliseconds(50)));
    }
  }

  // Collects zombies until every tracked process is gone or the deadline.
  void reap_all_tracked() {
    const auto deadline = Clock::now() + std::chrono::milliseconds(500);
    for (;;) {
      reap();
      bool all_gone = true;
      for (auto& [key, t] : tracked_) {
        if (!t.handle.valid() || t.handle.is_gone()) continue;
        all_gone = false;
      }
      if (all_gone || Clock::now() >= deadline) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  void settle_fates() {
    for (auto& [key, t] : tracked_) {
      auto& leak = leaks_[t.leak];
      const bool gone = !t.handle.valid() || t.handle.is_gone();
      if (t.zombie_at_start) {
        leak.cleanup = gone ? Fate::reaped : Fate::unkillable;
      } else if (!t.dead && !t.handle.has_exited()) {
        leak.cleanup = Fate::unkillable;
      } else if (t.dead_before_signal) {
        leak.cleanup = Fate::exited;
      } else if (t.kill_sent) {
        leak.cleanup = Fate::killed;
      } else if (t.term_sent) {
        leak.cleanup = Fate::terminated;
      } else {
        leak.cleanup = Fate::exited;
      }
    }
  }

  // Runs the probe on the tracked set (see probe_parent_kill).
  void probe() {
    std::vector<std::size_t> generation = parents_with_living_children(all_leak_indices());
    while (!generation.empty()) {
      std::vector<pid_t> probed;
      for (const std::size_t i : generation) {
        auto* t = tracked_for(i);
        if (t == nullptr || t->dead) continue;
        if (send(*t, SIGKILL)) {
          t->kill_sent = true;
          probed.push_back(leaks_[i].pid);
        }
      }
      wait_for_deaths(Clock::now() + kKillWait, /*only_killed=*/true);
      reap();
      // Give the children the settle time to notice (PDEATHSIG, EOF on a
      // pipe): wait on their pidfds until all are gone or the time is up.
      std::vector<Tracked*> children;
      for (std::size_t i = 0; i < leaks_.size(); ++i) {
        if (std::find(probed.begin(), probed.end(), leaks_[i].ppid) == probed.end()) continue;
        if (auto* t = tracked_for(i); t != nullptr && !t->zombie_at_start) children.push_back(t);
      }
      wait_for_exits(children, Clock::now() + plan_.settle);
      std::vector<std::size_t> survivors;
      for (std::size_t i = 0; i < leaks_.size(); ++i) {
        auto& leak = leaks_[i];
        if (std::find(probed.begin(), probed.end(), leak.ppid) == probed.end()) continue;
        auto* t = tracked_for(i);
        if (t == nullptr || t->zombie_at_start) continue;
        if (t->dead || t->handle.has_exited()) {
          mark_dead(*t, /*before_signal=*/true);  // died with its parent: fate exited
          continue;
        }
        leak.kinds.add(Kind::parent_kill_survivor);
        leak.original_parent = leak.ppid;
        survivors.push_back(i);
      }
      generation = parents_with_living_children(survivors);
    }
  }

 private:
  std::vector<ProcStat> walk() const {
    std::vector<ProcStat> all;
    (void)walk_descendants(*plan_.proc, plan_.owner, all);
    std::erase_if(all, [&](const ProcStat& s) {
      return plan_.in_baseline && plan_.in_baseline(s.pid, s.start_time);
    });
    return all;
  }

  void track(std::size_t i) {
    auto& leak = leaks_[i];
    Tracked t;
    t.leak = i;
    t.zombie_at_start = leak.state == 'Z' || leak.state == 'X';
    if (ProcessHandle::open(*plan_.proc, leak.pid, leak.start_time, t.handle)) {
      t.dead = true;
      t.dead_before_signal = true;
    }
    tracked_.insert_or_assign(Key{leak.pid, leak.start_time}, std::move(t));
  }

  Tracked* find_or_add(const ProcStat& stat, bool& added) {
    const Key key{stat.pid, stat.start_time};
    if (auto it = tracked_.find(key); it != tracked_.end()) return &it->second;
    // Born while cleanup runs: a leak too (DESIGN.md "Snapshot").
    if (!plan_.describe_newcomer) return nullptr;
    leaks_.push_back(plan_.describe_newcomer(stat));
    track(leaks_.size() - 1);
    added = true;
    return &tracked_.at(key);
  }

  Tracked* tracked_for(std::size_t leak_index) {
    const auto& leak = leaks_[leak_index];
    const auto it = tracked_.find(Key{leak.pid, leak.start_time});
    return it == tracked_.end() ? nullptr : &it->second;
  }

  std::vector<std::size_t> all_leak_indices() const {
    std::vector<std::size_t> out(leaks_.size());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = i;
    return out;
  }

  // Those of candidates that are alive and have a living, non-zombie child leak.
  std::vector<std::size_t> parents_with_living_children(const std::vector<std::size_t>& candidates) {
    std::vector<std::size_t> out;
    for (const std::size_t i : candidates) {
      const auto* t = tracked_for(i);
      if (t == nullptr || t->dead || t->zombie_at_start) continue;
      const bool has_living_child = std::any_of(leaks_.begin(), leaks_.end(), [&](const Leak& child) {
        return child.ppid == leaks_[i].pid && child.state != 'Z' && child.pid != leaks_[i].pid;
      });
      if (has_living_child) out.push_back(i);
    }
    return out;
  }

  // A process that ignores SIGTERM (and does not block it) drops the SIGTERM
  // on arrival and would cost the whole grace period for nothing; it gets
  // SIGKILL right away. Decided only for a process seen stopped, before its
  // SIGTERM is sent: it cannot change its disposition in between. So a
  // shutdown handler that ignores further SIGTERMs is not mistaken for one:
  // it was not ignoring when read. SIGSTOP takes effect when the process next
  // runs, so an ignorer not stopped yet is looked at again, for up to 20 ms.
  // The freeze's last sweep read every process: only ignorers are read again.
  void mark_sigterm_droppers() {
    std::vector<Tracked*> pending;
    for (auto& [key, t] : tracked_) {
      if (t.dead || t.zombie_at_start || !t.stopped || t.sigterm == SigtermArrival::acted_on) continue;
      pending.push_back(&t);
    }
    const auto deadline = Clock::now() + std::chrono::milliseconds(20);
    for (bool first = true;; first = false) {
      std::erase_if(pending, [&](Tracked* t) {
        if (!first) {
          ProcStat now;
          if (plan_.proc->read_stat(t->handle.pid(), now) || now.start_time != t->handle.start_time()) return true;
          t->sigterm = sigterm_arrival(now);
        }
        if (t->sigterm == SigtermArrival::ignored_not_yet_stopped) return false;  // not stopped yet
        t->term_dropped = t->sigterm == SigtermArrival::dropped;
        return true;
      });
      if (pending.empty() || Clock::now() >= deadline) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  bool send(Tracked& t, int sig) {
    const auto ec = plan_.guard->send(t.handle, sig);
    if (ec == std::errc::no_such_process) mark_dead(t, !t.term_sent && !t.kill_sent);
    return !ec;
  }

  static void mark_dead(Tracked& t, bool before_signal) {
    if (t.dead) return;
    t.dead = true;
    t.dead_before_signal = before_signal;
  }

  // Waits on the pidfds of signalled, living processes until all of them have
  // exited or the deadline passes. Reaps along the way so zombies do not pile up.
  void wait_for_deaths(Clock::time_point deadline, bool only_killed = false) {
    std::vector<Tracked*> signalled;
    for (auto& [key, t] : tracked_) {
      if (t.dead || t.zombie_at_start || !(t.term_sent || t.kill_sent)) continue;
      if (only_killed && !t.kill_sent) continue;
      if (t.term_dropped && !t.kill_sent) continue;  // nothing to wait for: SIGKILL is next
      signalled.push_back(&t);
    }
    wait_for_exits(signalled, deadline);
  }

  // Waits until every process in `waiting` has exited (each is marked dead as
  // it goes) or the deadline passes.
  void wait_for_exits(const std::vector<Tracked*>& waiting, Clock::time_point deadline) {
    std::vector<pollfd> fds;
    std::vector<Tracked*> owners;
    for (;;) {
      fds.clear();
      owners.clear();
      for (auto* tp : waiting) {
        auto& t = *tp;
        if (t.dead) continue;
        if (t.handle.pidfd() < 0) {
          if (t.handle.has_exited()) mark_dead(t, false);
          else owners.push_back(&t);
          continue;
        }
        fds.push_back({t.handle.pidfd(), POLLIN, 0});
        owners.push_back(&t);
      }
      if (owners.empty()) return;
      const auto now = Clock::now();
      if (now >= deadline) return;
      auto timeout = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
      // Without pidfds there is nothing to wait on: look again every 5 ms.
      if (fds.size() < owners.size()) timeout = std::min<long long>(timeout, 5);
      const int n = ::poll(fds.data(), fds.size(), static_cast<int>(timeout));
      if (n < 0 && errno != EINTR) return;
      std::size_t fd_index = 0;
      for (auto* t : owners) {
        if (t->handle.pidfd() < 0) continue;
        if (fds[fd_index++].revents != 0) mark_dead(*t, false);
      }
      reap();
    }
  }

  void reap() {
    if (plan_.reap_all_children) {
      siginfo_t info{};
      while (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG) == 0 && info.si_pid != 0) info = {};
      return;
    }
    // In-process: only what this scope tracks, never waitpid(-1), so a child
    // the test itself still waits for is left alone.
    for (auto& [key, t] : tracked_) {
      if (t.handle.valid() && (t.dead || t.zombie_at_start)) {
        (void)::waitpid(t.handle.pid(), nullptr, WNOHANG);
      }
    }
  }

  const CleanupPlan& plan_;
  std::vector<Leak>& leaks_;
  std::map<Key, Tracked> tracked_;
};

}  // namespace

void probe_parent_kill(const CleanupPlan& plan, std::vector<Leak>& leaks) {
  Cleaner cleaner(plan, leaks);
  cleaner.probe();
  cleaner.settle_fates();
  // Leave the fates of the processes still alive to clean_up().
  for (auto& leak : leaks) {
    if (leak.cleanup == Fate::unkillable) leak.cleanup = Fate::pending;
  }
}

CleanupSummary clean_up(const CleanupPlan& plan, std::vector<Leak>& leaks) {
  const auto start = Clock::now();
  Cleaner cleaner(plan, leaks);
  cleaner.freeze();
  cleaner.terminate_and_wait();
  cleaner.kill_remaining();
  cleaner.reap_all_tracked();
  cleaner.settle_fates();
  auto summary = count_fates(leaks);
  summary.used_pidfds = pidfds_available();
  summary.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return summary;
}

}  // namespace procleak
