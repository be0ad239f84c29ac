#include "tracked_processes.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <string>

namespace procleak::detail {

TrackedProcesses::TrackedProcesses(const CleanupPlan& plan, std::vector<Leak>& leaks)
    : plan_(plan), leaks_(leaks), pidfd_budget_(pidfd_budget()) {
  for (std::size_t i = 0; i < leaks_.size(); ++i) {
    if (leaks_[i].cleanup == Fate::pending) track(i);
  }
}

Tracked& TrackedProcesses::track(std::size_t i) {
  auto& leak = leaks_[i];
  Tracked t;
  t.leak = i;
  std::error_code ec;
  if (!leak.read_error.empty()) {
    // Listed but unreadable: its identity comes from a pidfd taken while its
    // parent lists it, or it cannot be signalled at all.
    ec = ProcessHandle::open_listed(*plan_.proc, leak.pid, leak.ppid, t.handle);
  } else {
    ec = ProcessHandle::open(*plan_.proc, leak.pid, leak.start_time, t.handle, pidfd_budget_ > 0);
  }
  if (t.handle.pidfd() >= 0 && pidfd_budget_ > 0) --pidfd_budget_;
  if (leak.kinds.has(Kind::zombie)) {
    t.phase = Phase::zombie;
  } else if (means_gone(ec)) {
    t.phase = Phase::exited_untouched;
  } else if (ec) {
    t.phase = Phase::refused;  // could not verify who it is: never signalled
    t.error = ec;
  }
  auto key = std::make_pair(leak.pid, leak.start_time);
  return tracked_.insert_or_assign(key, std::move(t)).first->second;
}

void TrackedProcesses::note_problem(std::string what) {
  if (std::find(problems_.begin(), problems_.end(), what) == problems_.end()) problems_.push_back(std::move(what));
}

std::vector<ProcStat> TrackedProcesses::walk(std::vector<Unseen>& unseen) {
  std::vector<ProcStat> all;
  if (const auto ec = walk_descendants(*plan_.proc, plan_.owner, all, &unseen)) {
    note_problem("could not read the owner's children (" + errno_name(ec.value()) + ")");
  }
  if (!plan_.outside_roots.empty()) walk_outside(*plan_.proc, plan_.outside_roots, all, &unseen);
  const auto in_baseline = [&](pid_t pid, std::uint64_t start) { return plan_.in_baseline && plan_.in_baseline(pid, start); };
  std::erase_if(all, [&](const ProcStat& s) { return in_baseline(s.pid, s.start_time); });
  std::erase_if(unseen, [&](const Unseen& u) { return !u.children_only && in_baseline(u.pid, 0); });
  for (const auto& u : unseen) {
    if (u.children_only) note_problem(children_problem(u));
  }
  return all;
}

Tracked* TrackedProcesses::find(std::size_t leak_index) {
  const auto& leak = leaks_[leak_index];
  const auto it = tracked_.find({leak.pid, leak.start_time});
  return it == tracked_.end() ? nullptr : &it->second;
}

void TrackedProcesses::mark_ended(Tracked& t) noexcept {
  switch (t.phase) {
    case Phase::alive:
    case Phase::stopped:
    case Phase::refused: t.phase = Phase::exited_untouched; break;
    case Phase::terminating:
    case Phase::term_dropped: t.phase = Phase::terminated; break;
    case Phase::killing: t.phase = Phase::killed; break;
    default: break;  // zombie, or already ended
  }
}

bool TrackedProcesses::send(Tracked& t, int sig) {
  SignalPath path = SignalPath::pidfd;
  const auto ec = plan_.guard->send(t.handle, sig, &path);
  if (!ec) {
    note_signal(signals_via_, path);
    return true;
  }
  if (means_gone(ec)) {
    mark_ended(t);
  } else {
    // EPERM (a setuid process, as non-root), or an identity that could not
    // be verified: nothing more to try, and no loop retrying it.
    t.phase = Phase::refused;
    t.error = ec;
  }
  return false;
}

void TrackedProcesses::wait_for_signalled(Clock::time_point deadline, bool only_killed) {
  std::vector<Tracked*> signalled;
  for (auto& [key, t] : tracked_) {
    // term_dropped: nothing to wait for, SIGKILL is next.
    if (t.phase == Phase::killing || (!only_killed && t.phase == Phase::terminating)) signalled.push_back(&t);
  }
  wait_for_exits(signalled, deadline);
}

void TrackedProcesses::wait_for_exits(const std::vector<Tracked*>& waiting, Clock::time_point deadline) {
  std::vector<pollfd> fds;
  std::vector<Tracked*> owners;
  for (;;) {
    fds.clear();
    owners.clear();
    bool without_pidfd = false;
    for (auto* tp : waiting) {
      auto& t = *tp;
      if (has_ended(t.phase) || t.phase == Phase::zombie) continue;
      if (t.handle.pidfd() < 0 || t.pidfd_unusable) {
        if (t.handle.has_exited()) {
          mark_ended(t);
        } else {
          without_pidfd = true;
        }
        continue;
      }
      fds.push_back({t.handle.pidfd(), POLLIN, 0});
      owners.push_back(&t);
    }
    if (owners.empty() && !without_pidfd) return;
    const auto now = Clock::now();
    if (now >= deadline) return;
    auto timeout = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
    // Without a pidfd there is nothing to wait on: look again every 5 ms.
    if (without_pidfd) timeout = std::min<long long>(timeout, 5);
    const int n = ::poll(fds.data(), fds.size(), static_cast<int>(timeout));
    if (n < 0 && errno != EINTR) return;
    for (std::size_t i = 0; i < owners.size(); ++i) {
      // Only POLLIN means it exited; a descriptor that is no longer ours
      // (POLLNVAL) says nothing of the process: looked at without it.
      if ((fds[i].revents & POLLIN) != 0) {
        mark_ended(*owners[i]);
      } else if (fds[i].revents != 0) {
        owners[i]->pidfd_unusable = true;
      }
    }
    reap();
  }
}

void TrackedProcesses::reap() {
  if (plan_.reap_all_children) {
    siginfo_t info{};
    while (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG) == 0 && info.si_pid != 0) info = {};
    return;
  }
  // In-process: only what this scope tracks, never waitpid(-1), so a child
  // the test itself still waits for is left alone. Through the pidfd where
  // there is one: a PID the test already reaped and the kernel gave to a new
  // child of the test is then never reaped by mistake.
  for (auto& [key, t] : tracked_) {
    if (t.handle.valid() && (has_ended(t.phase) || t.phase == Phase::zombie)) t.handle.reap_if_exited();
  }
}

void TrackedProcesses::settle_fates() {
  for (auto& [key, t] : tracked_) {
    auto& leak = leaks_[t.leak];
    if (t.phase == Phase::zombie) {
      // An unreaped zombie keeps its PID: with no handle, ESRCH for it is exact.
      const bool gone = t.handle.valid() ? t.handle.is_gone() : means_gone(pid_exists(leak.pid));
      leak.cleanup = gone ? Fate::reaped : Fate::unkillable;
      continue;
    }
    if (!has_ended(t.phase) && t.handle.valid() && t.handle.has_exited()) mark_ended(t);
    switch (t.phase) {
      case Phase::exited_untouched: leak.cleanup = Fate::exited; break;
      case Phase::terminated: leak.cleanup = Fate::terminated; break;
      case Phase::killed: leak.cleanup = Fate::killed; break;
      case Phase::refused:
        leak.cleanup = Fate::unkillable;
        leak.cleanup_error = errno_name(t.error.value());
        break;
      default: leak.cleanup = Fate::unkillable; break;
    }
  }
}

}  // namespace procleak::detail
