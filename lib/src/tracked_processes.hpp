// Internal to the core: the leftovers cleanup and the parent-kill probe act
// on, one state per process, and the signal, wait and reap steps both use.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <system_error>
#include <vector>

#include "procleak/cleanup.hpp"
#include "procleak/process_handle.hpp"
#include "procleak/process_tree.hpp"

namespace procleak::detail {

using Clock = std::chrono::steady_clock;

// How long SIGKILLed processes get to disappear before they count as
// unkillable (a process in uninterruptible sleep can take a while).
inline constexpr auto kKillWait = std::chrono::seconds(2);

// Where a tracked process is in cleanup: one state, not a set of flags.
enum class Phase : std::uint8_t {
  zombie,            // exited before the snapshot: only reaping is left
  alive,             // nothing sent yet
  stopped,           // SIGSTOP sent
  terminating,       // SIGTERM sent (then SIGCONT)
  term_dropped,      // SIGTERM sent to a process that drops it: SIGKILL next, no grace
  killing,           // SIGKILL sent
  refused,           // procleak may not (or cannot safely) signal it: `error` says why
  exited_untouched,  // exited before any signal of ours reached it
  terminated,        // exited after SIGTERM
  killed,            // exited after SIGKILL
};

[[nodiscard]] constexpr bool has_ended(Phase p) noexcept {
  return p == Phase::exited_untouched || p == Phase::terminated || p == Phase::killed;
}

// What a SIGTERM sent now would meet, judged from a stat read: a process
// that ignores it (and does not block it) drops it on arrival; that is
// certain only while it is stopped, since it cannot change its disposition.
enum class SigtermArrival : std::uint8_t { acted_on, dropped, ignored_not_yet_stopped };

struct Tracked {
  std::size_t leak = 0;
  ProcessHandle handle;
  Phase phase = Phase::alive;
  SigtermArrival sigterm = SigtermArrival::acted_on;  // as of the last look at its stat
  std::error_code error;                              // for Phase::refused
  bool pidfd_unusable = false;  // poll said POLLNVAL/POLLERR: looked at without it from then on
};

class TrackedProcesses {
 public:
  // Tracks every leak whose fate is still pending. Takes pidfds while the
  // descriptor budget lasts (pidfd_budget()); the rest are signalled by
  // kill(2) with their start time re-checked, so a low RLIMIT_NOFILE costs
  // exactness of nothing but the PID-reuse window.
  TrackedProcesses(const CleanupPlan& plan, std::vector<Leak>& leaks);

  // The owner's descendants now, baseline excluded. New processes (born
  // while cleanup runs) become leaks and are tracked; `added` tells. Calls
  // fn(stat or nullptr, tracked) for each, nullptr for one that could not be
  // read.
  template <typename Fn>
  void for_each_in_walk(bool& added, Fn&& fn);

  Tracked* find(std::size_t leak_index);
  std::map<std::pair<pid_t, std::uint64_t>, Tracked>& all() noexcept { return tracked_; }
  std::vector<Leak>& leaks() noexcept { return leaks_; }

  // Sends sig; on no_such_process marks it ended, on a refusal marks it
  // refused. True when the signal went out.
  bool send(Tracked& t, int sig);
  static void mark_ended(Tracked& t) noexcept;

  // Waits on pidfds (or looks every 5 ms without one) until every process
  // in `waiting` has exited or the deadline passes; reaps along the way.
  void wait_for_exits(const std::vector<Tracked*>& waiting, Clock::time_point deadline);
  // The signalled processes (those that are waited for) of the given phases.
  void wait_for_signalled(Clock::time_point deadline, bool only_killed = false);
  void reap();

  // Every tracked process's fate, from its phase and a last look.
  void settle_fates();

  [[nodiscard]] std::optional<SignalPath> signals_via() const noexcept { return signals_via_; }
  [[nodiscard]] const std::vector<std::string>& problems() const noexcept { return problems_; }

 private:
  Tracked& track(std::size_t i);
  std::vector<ProcStat> walk(std::vector<Unseen>& unseen);
  void note_problem(std::string what);

  const CleanupPlan& plan_;
  std::vector<Leak>& leaks_;
  std::map<std::pair<pid_t, std::uint64_t>, Tracked> tracked_;
  std::size_t pidfd_budget_ = 0;
  std::optional<SignalPath> signals_via_;
  std::vector<std::string> problems_;
};

template <typename Fn>
void TrackedProcesses::for_each_in_walk(bool& added, Fn&& fn) {
  std::vector<Unseen> unseen;
  const auto stats = walk(unseen);
  auto newcomer = [&](Leak leak) -> Tracked* {
    if (!plan_.describe_newcomer && !plan_.describe_unseen) return nullptr;
    leaks_.push_back(std::move(leak));
    added = true;
    return &track(leaks_.size() - 1);
  };
  for (const auto& stat : stats) {
    Tracked* t = nullptr;
    if (auto it = tracked_.find({stat.pid, stat.start_time}); it != tracked_.end()) {
      t = &it->second;
    } else if (plan_.describe_newcomer) {
      t = newcomer(plan_.describe_newcomer(stat));  // born while cleanup runs: a leak too
    }
    if (t != nullptr) fn(&stat, *t);
  }
  for (const auto& u : unseen) {
    if (u.children_only) continue;  // recorded as a problem by walk()
    Tracked* t = nullptr;
    if (auto it = tracked_.find({u.pid, 0}); it != tracked_.end()) {
      t = &it->second;
    } else if (plan_.describe_unseen) {
      t = newcomer(plan_.describe_unseen(u));
    }
    if (t != nullptr) fn(nullptr, *t);
  }
}

}  // namespace procleak::detail
