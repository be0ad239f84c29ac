// procleak::Scope — open, check, clean up. The API the launcher and the
// GoogleTest listener are built on, usable from any test framework.
#pragma once

#include <poll.h>
#include <sys/types.h>

#include <cstdint>
#include <algorithm>
#include <functional>
#include <system_error>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "procleak/cached_fd.hpp"
#include "procleak/cgroup.hpp"
#include "procleak/classify.hpp"
#include "procleak/duration.hpp"
#include "procleak/fd_reserve.hpp"
#include "procleak/process_events.hpp"
#include "procleak/leak.hpp"
#include "procleak/own_children.hpp"
#include "procleak/proc_fs.hpp"
#include "procleak/process_tree.hpp"
#include "procleak/report.hpp"
#include "procleak/signal_guard.hpp"
#include "procleak/suppressions.hpp"
#include "procleak/unique_fd.hpp"

namespace procleak {

// Makes this process the child subreaper of everything it starts from now on,
// so orphans come back to it instead of going to init. Call before starting
// anything a scope should see.
std::error_code become_subreaper() noexcept;

enum class OwnerRole : std::uint8_t {
  launcher,    // the owner only spawns the test: its other children are orphans
  in_process,  // the owner is the test itself: its children are the test's
};

struct ScopeOptions {
  Duration settle = std::chrono::milliseconds(100);
  Duration grace = std::chrono::seconds(2);
  bool probe_parent_kill = false;
  // in_process by default: a library user's scope must never reap children
  // it did not find (the launcher role reaps with waitid(P_ALL)).
  OwnerRole role = OwnerRole::in_process;
};

// What the caller knows about the test when it checks.
struct TestFacts {
  pid_t sid = kUnknownId;   // the test's session (kUnknownId: do not check)
  pid_t pgid = kUnknownId;  // the test's process group (kUnknownId: do not check)
  bool killed_by_signal = false;
  // The test's main process (launcher role): any other process the owner
  // is seen forking was started with CLONE_PARENT by a child of the owner.
  // 0: unknown.
  pid_t pid = 0;
};

class Scope {
 public:
  // Opens a scope owned by the calling process. Processes that already
  // descend from it are the baseline: never reported, never signalled.
  // Assumes become_subreaper() was called (or the caller accepts that orphans
  // escape to init unseen).
  Scope() = default;

  static std::error_code open(ScopeOptions options, Scope& out);
  static std::error_code open(const ProcFs& proc, ScopeOptions options, Scope& out);

  // Starts the scope again from now: the processes that descend from the
  // owner at this moment become the new baseline. Cheap (no ancestry read,
  // files kept open), for a listener that reuses one scope for every test.
  std::error_code rebaseline();

  // Waits up to options.settle for leftovers that are already on their way out
  // (on pidfd events, not a fixed sleep; returns at once when nothing is
  // left), then snapshots and classifies what remains. Signals nothing. In the
  // launcher role it also reaps the owner's exited children, which are
  // orphans that finished in time, not leaks.
  std::vector<Leak> check(const TestFacts& facts);

  // Probe (when enabled), then clean_up() from cleanup.hpp. Sets every leak's
  // fate, appends processes born meanwhile, returns the counts.
  CleanupSummary clean_up(std::vector<Leak>& leaks);

  // Forgets the baseline: every descendant of the owner is the scope's from
  // now on (for a launcher's front that inherits its keeper's tree).
  void clear_baseline() noexcept {
    baseline_.clear();
    shape_valid_ = false;
  }

  // A leftover an inner scope already reported (and could not remove:
  // unkillable, or a corpse its living parent never reaps): not this scope's
  // to report again. Each leftover is reported once, by the scope it started in.
  // Such a corpse that becomes the owner's own zombie is reaped quietly.
  void exclude(const Leak& leak) { reported_.insert(identity_key(leak.pid, leak.start_time)); }

  // Containment by cgroup (the launcher): the test's own cgroup, and its
  // path as /proc/<pid>/cgroup names it. check() then freezes the cgroup
  // once the settle time is over and something is left in it (nothing in it
  // runs or forks from then on), takes its members the walk does not reach
  // as the scope's, and marks a leak outside it as escaped via cgroup.
  // clean_up() then sends each member SIGTERM while frozen, thaws, waits up
  // to the grace on cgroup.events, freezes again, describes what was born
  // meanwhile, and kills the rest at once (cgroup.kill), before anything
  // else. nullptr (the default): none.
  void use_cgroup(const TestCgroup* cgroup, std::string path) {
    cgroup_ = cgroup;
    cgroup_path_ = std::move(path);
  }

  // A process the owner started with clone(CLONE_PARENT) since the scope
  // opened: a sibling of the owner, outside the tree the scope walks, so it
  // is named here (the listener's clone wrapper knows it). Checked, reported
  // as started with CLONE_PARENT, and cleaned up with its descendants, like
  // the rest; forgotten once it has exited and at the next rebaseline.
  void adopt(OutsideRoot root) {
    if (std::find(outside_roots_.begin(), outside_roots_.end(), root) == outside_roots_.end()) {
      outside_roots_.push_back(root);
    }
  }

  // No settle wait and no grace period from now on: for a launcher that was
  // itself killed, when nothing waits for a gentle end any more.
  void hurry() noexcept {
    options_.settle = Duration::zero();
    options_.grace = Duration::zero();
  }

  [[nodiscard]] const ScopeOptions& options() const noexcept { return options_; }
  [[nodiscard]] pid_t owner() const noexcept { return owner_; }
  // What the last check() could not look at (a children file it could not
  // read, ...): each makes the verdict incomplete.
  [[nodiscard]] const std::vector<std::string>& problems() const noexcept { return problems_; }
  // The guard every signal of this scope goes through (owner and ancestors refused).
  [[nodiscard]] const SignalGuard& guard() const noexcept { return guard_; }

  // Where each leak came from: events the caller subscribed to before the
  // test started (process_events.hpp). check() drains them before it
  // describes the leaks, and fills each leak's lineage when they are
  // complete; nullptr (the default): no lineage.
  void use_lineage(ProcessEvents* events) noexcept { events_ = events; }
  // Where each leak was started in the owner's own code: given the process
  // the owner started (and which thread forked it when, from the lineage;
  // 0 when unknown), the frames of the call that did, or nullopt. The
  // listener's spawn sites; nothing (the default): no spawned_at.
  struct SpawnSite {
    std::vector<SpawnFrame> frames;
    // What the call runs, when the call itself says (system and popen run
    // "sh -c COMMAND", as POSIX has them): names the origin if it had gone
    // before its name was read. Empty otherwise.
    std::vector<std::string> origin_argv;
  };
  using SpawnSiteLookup = std::function<std::optional<SpawnSite>(const LineageBook::Origin&)>;
  void use_spawn_sites(SpawnSiteLookup lookup) { spawn_sites_ = std::move(lookup); }
  // Why the last check() could not give its leaks a lineage; empty when it
  // could, or when it found nothing.
  [[nodiscard]] const std::string& lineage_unavailable() const noexcept { return lineage_unavailable_; }

 private:
  // A process's baseline key: readable processes by PID and start time,
  // unreadable ones (start time unknown: 0) by PID alone.
  [[nodiscard]] static std::uint64_t identity_key(pid_t pid, std::uint64_t start) noexcept {
    return (start << 22) ^ static_cast<std::uint64_t>(pid);
  }
  [[nodiscard]] bool in_baseline(pid_t pid, std::uint64_t start) const;
  [[nodiscard]] ClassifyContext context() const;
  [[nodiscard]] Leak describe(const ProcStat& p, const ClassifyContext& ctx) const;
  [[nodiscard]] Leak describe(const Unseen& u, const ClassifyContext& ctx) const;
  std::vector<ProcStat> leftovers(std::vector<Unseen>& unseen);
  std::error_code read_own_children(std::vector<pid_t>& children);
  void reap_reported_corpse(const ProcStat& p);
  void note_problem(std::string what);
  // The tree's shape at the baseline, with each process's children file kept
  // open: while every pread gives the same children, the tree is the
  // baseline and nothing needs walking (the per-test fast path).
  struct KnownProcess {
    pid_t pid;
    CachedFd children;  // verified before each read: the test may have reused its number
    // /proc/<pid>/task: its link count is 2 + the number of threads. A new
    // thread has a children file of its own, which the fast path does not
    // read: a changed count means walk.
    CachedFd task_dir;
    nlink_t task_links = 0;
    std::vector<pid_t> kids;
    // Readable once the process has exited (its PID may then be used again,
    // and its children file read as "no children"): all polled at once.
    UniqueFd pidfd;
  };
  std::vector<struct pollfd> shape_polls_;  // shape_unchanged's, kept to not allocate per check
  void remember_shape(const std::vector<pid_t>& owner_children, const std::vector<ProcStat>& tree);
  [[nodiscard]] bool shape_unchanged(const std::vector<pid_t>& owner_children);
  void reap_owner_children();

  ProcFs proc_;
  OwnChildren own_children_;
  ScopeOptions options_;
  pid_t owner_ = 0;
  SignalGuard guard_{0, std::vector<pid_t>{}};
  std::unordered_set<std::uint64_t> baseline_;  // key(pid, start time)
  std::unordered_set<std::uint64_t> reported_;  // by inner scopes: exclude()
  std::unordered_map<pid_t, pid_t> seen_parents_;
  TestFacts facts_;
  bool shape_valid_ = false;
  std::vector<pid_t> shape_owner_children_;
  std::vector<KnownProcess> shape_;
  std::vector<std::string> problems_;
  std::vector<OutsideRoot> outside_roots_;  // adopt()
  const TestCgroup* cgroup_ = nullptr;      // use_cgroup()
  std::string cgroup_path_;
  bool cgroup_frozen_ = false;                    // by the last check()
  bool cgroup_listed_ = false;                    // its members listed by the last check(), frozen or not
  std::vector<OutsideRoot> cgroup_roots_;         // its members at that check
  std::unordered_set<pid_t> cgroup_members_;
  void freeze_cgroup(std::vector<ProcStat>& left, std::vector<Unseen>& unseen);
  void stop_cgroup(std::vector<Leak>& leaks, std::vector<std::string>& problems,
                   std::optional<SignalPath>& signals_via);
  [[nodiscard]] bool started_with_clone_parent(const ProcStat& p) const;
  // In-process role: the test shares this process's descriptor table and may
  // exhaust it; walks and cleanup use the reserve's slots.
  FdReserve reserve_;
  ProcessEvents* events_ = nullptr;
  bool lineage_known_ = false;
  unsigned clean_checks_ = 0;
  SpawnSiteLookup spawn_sites_;
  std::string lineage_unavailable_;
};

// What verify_none found and did.
struct Verification {
  std::vector<Leak> leaks;  // with fates and suppressed_by set
  CleanupSummary cleanup;
  // What could not be looked at or cleaned up; empty when the check was whole.
  std::string incomplete_reason;
  [[nodiscard]] Verdict verdict() const noexcept { return verdict_of(leaks, incomplete_reason); }
};

// goleak's VerifyNone, for any test framework: checks what the scope's test
// left behind, cleans all of it up, and marks the leaks the suppressions
// match. Format the result with report_text.hpp; fail the test when
// fails(verdict()): Verdict::leaked, or Verdict::incomplete when some
// process could not be read or killed (never reported as clean).
[[nodiscard]] Verification verify_none(Scope& scope, std::string_view test, const TestFacts& facts = {},
                                       const Suppressions* suppressions = nullptr);

}  // namespace procleak
