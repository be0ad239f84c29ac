#include "procleak/scope.hpp"

#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>

#include "procleak/cleanup.hpp"
#include "procleak/listening_sockets.hpp"
#include "procleak/output_sharing.hpp"
#include "procleak/process_handle.hpp"
#include "procleak/process_tree.hpp"

namespace procleak {
namespace {

using Clock = std::chrono::steady_clock;

// Re-walk at least this often while settling: a zombie's parent may reap it,
// or a new process may appear, and neither wakes a pidfd we hold.
constexpr auto kSettleSlice = std::chrono::milliseconds(10);

double age_ms(std::uint64_t start_ticks) {
  static const long ticks_per_second = ::sysconf(_SC_CLK_TCK);
  timespec now{};
  ::clock_gettime(CLOCK_BOOTTIME, &now);
  const double now_ms = static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
  const double start_ms = static_cast<double>(start_ticks) * 1e3 / static_cast<double>(ticks_per_second);
  return now_ms > start_ms ? now_ms - start_ms : 0.0;
}

}  // namespace

std::error_code become_subreaper() noexcept {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) return {errno, std::generic_category()};
  return {};
}

std::error_code Scope::open(ScopeOptions options, Scope& out) { return open(ProcFs(), options, out); }

std::error_code Scope::open(const ProcFs& proc, ScopeOptions options, Scope& out) {
  out = Scope();
  out.proc_ = proc;
  out.own_children_ = OwnChildren(proc.root());
  out.options_ = options;
  out.owner_ = ::getpid();
  out.guard_ = SignalGuard(out.owner_);  // the real ancestry, read only if a signal is due
  if (options.role == OwnerRole::in_process) out.reserve_.fill();
  return out.rebaseline();
}

std::error_code Scope::rebaseline() {
  seen_parents_.clear();
  outside_roots_.clear();
  facts_ = {};
  std::vector<pid_t> children;
  if (auto ec = read_own_children(children)) return ec;
  if (shape_unchanged(children)) return {};  // the same tree: the same baseline
  baseline_.clear();
  reported_.clear();  // what is still there is in the new baseline
  std::vector<ProcStat> existing;
  std::vector<Unseen> unseen;
  reserve_.release();
  if (!children.empty()) walk_below(proc_, owner_, children, existing, &unseen);
  for (const auto& p : existing) baseline_.insert(identity_key(p.pid, p.start_time));
  // A process there before the scope that cannot be read (hidepid=2) is in
  // the baseline by its PID alone, as Unseen entries are keyed.
  for (const auto& u : unseen) {
    if (!u.children_only) baseline_.insert(identity_key(u.pid, 0));
  }
  remember_shape(children, existing);
  if (options_.role == OwnerRole::in_process) reserve_.fill();
  return {};
}

std::error_code Scope::read_own_children(std::vector<pid_t>& children) {
  auto ec = own_children_.read(children);
  // Out of descriptors (the test took them all): the reserve's slots let it
  // open its files afresh.
  if ((ec.value() == EMFILE || ec.value() == ENFILE) && options_.role == OwnerRole::in_process) {
    reserve_.release();
    ec = own_children_.read(children);
  }
  return ec;
}

namespace {

// pread from offset 0 lists a process's children afresh; false when it
// cannot be read or the list does not fit (then the caller walks). The file
// of a process that has gone reads as "no children": the caller checks first
// that its path still names the file kept (shape_unchanged).
bool read_kids(int fd, std::vector<pid_t>& out) {
  char buf[1024];
  const ssize_t n = ::pread(fd, buf, sizeof buf, 0);
  if (n < 0 || static_cast<std::size_t>(n) == sizeof buf) return false;
  out.clear();
  parse_pid_list(std::string_view(buf, static_cast<std::size_t>(n)), out);
  std::sort(out.begin(), out.end());
  return true;
}

}  // namespace

void Scope::remember_shape(const std::vector<pid_t>& owner_children, const std::vector<ProcStat>& tree) {
  shape_valid_ = false;
  shape_.clear();
  shape_owner_children_ = owner_children;
  std::unordered_set<pid_t> in_tree;
  for (const auto& p : tree) in_tree.insert(p.pid);
  for (const pid_t pid : owner_children) {
    if (!in_tree.contains(pid)) return;  // changed under the walk: no fast path
  }
  for (const auto& p : tree) {
    // A multi-threaded process has one children file per thread: walk it.
    if (p.num_threads != 1) return;
    const std::string path =
        proc_.root() + '/' + std::to_string(p.pid) + "/task/" + std::to_string(p.pid) + "/children";
    const std::string task = proc_.root() + '/' + std::to_string(p.pid) + "/task";
    KnownProcess known{p.pid, CachedFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)),
                       CachedFd(::open(task.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)), 0, {}, UniqueFd()};
    // Taken while the walk's look at it is fresh: a PID listed as a child
    // is not reused, and its start time is checked against the walk's.
    if (pidfds_available()) {
      known.pidfd = UniqueFd(pidfd_open(p.pid));
      ProcStat now;
      if (!known.pidfd.valid() || proc_.read_stat(p.pid, now) || now.start_time != p.start_time) return;
    }
    struct stat st{};
    if (!known.task_dir.names_same_file(st) || !known.children.valid() || !read_kids(known.children.get(), known.kids)) {
      return;
    }
    known.task_links = st.st_nlink;
    // Every child must be one the walk saw, or the shape would hide it.
    for (const pid_t kid : known.kids) {
      if (!in_tree.contains(kid)) return;
    }
    shape_.push_back(std::move(known));
  }
  shape_valid_ = true;
}

bool Scope::shape_unchanged(const std::vector<pid_t>& owner_children) {
  if (!shape_valid_ || owner_children != shape_owner_children_) return false;
  // Every known process still the one whose files are kept: one that
  // exited (its PID may be used again by a process of the test, and its
  // children file reads as "no children") makes its pidfd readable. Any
  // event, POLLNVAL of a descriptor the test closed included, means walk.
  if (!shape_.empty() && shape_.front().pidfd.valid()) {
    shape_polls_.resize(shape_.size());
    for (std::size_t i = 0; i < shape_.size(); ++i) shape_polls_[i] = {shape_[i].pidfd.get(), POLLIN, 0};
    if (::poll(shape_polls_.data(), shape_polls_.size(), 0) != 0) return false;
  }
  std::vector<pid_t> kids;
  struct stat st{};
  for (const auto& known : shape_) {
    if (!known.task_dir.names_same_file(st) || st.st_nlink != known.task_links) return false;  // threads came or went
    if (!known.pidfd.valid()) {
      // Without pidfds: a new process at the same PID has another file at
      // the same path (procfs makes a new inode for a new process).
      const std::string path =
          proc_.root() + '/' + std::to_string(known.pid) + "/task/" + std::to_string(known.pid) + "/children";
      if (::stat(path.c_str(), &st) != 0 || !known.children.same_file(st)) return false;
    }
    if (!known.children.still_ours() || !read_kids(known.children.get(), kids) || kids != known.kids) return false;
  }
  return true;
}

bool Scope::in_baseline(pid_t pid, std::uint64_t start) const {
  if (baseline_.empty() && reported_.empty()) return false;
  const auto key = identity_key(pid, start);
  return baseline_.contains(key) || reported_.contains(key);
}

void Scope::reap_reported_corpse(const ProcStat& p) {
  if (!p.is_zombie() || p.ppid != owner_) return;
  ProcessHandle h;
  if (!ProcessHandle::open(proc_, p.pid, p.start_time, h)) h.reap_if_exited();
}

ClassifyContext Scope::context() const {
  ClassifyContext ctx;
  ctx.owner = owner_;
  ctx.owner_children_are_orphans = options_.role == OwnerRole::launcher;
  ctx.test_sid = facts_.sid;
  ctx.test_pgid = facts_.pgid;
  ctx.test_killed_by_signal = facts_.killed_by_signal;
  ctx.known_parents = &seen_parents_;
  return ctx;
}

void Scope::reap_owner_children() {
  // Launcher role only: every child of the owner other than the test's main
  // process (already reaped) is an orphan; one that has exited is not a leak.
  siginfo_t info{};
  while (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG) == 0 && info.si_pid != 0) info = {};
}

std::vector<ProcStat> Scope::leftovers(std::vector<Unseen>& unseen) {
  std::vector<ProcStat> all;
  unseen.clear();
  std::vector<pid_t> children;
  if (const auto ec = read_own_children(children)) {
    // Not "no leftovers": this check could not look at all.
    note_problem("could not read this process's children (" + errno_name(ec.value()) + ")");
    return all;
  }
  if (outside_roots_.empty() && cgroup_roots_.empty() && shape_unchanged(children)) return all;  // the baseline's tree
  reserve_.release();
  if (!children.empty()) walk_below(proc_, owner_, std::move(children), all, &unseen);
  if (!cgroup_roots_.empty()) walk_outside(proc_, cgroup_roots_, all, &unseen);
  if (!outside_roots_.empty()) {
    walk_outside(proc_, outside_roots_, all, &unseen);
    // One that has exited is forgotten (its PID may serve another process).
    std::erase_if(outside_roots_, [&](const OutsideRoot& r) {
      return std::none_of(all.begin(), all.end(), [&](const ProcStat& p) { return p.pid == r.pid; }) &&
             std::none_of(unseen.begin(), unseen.end(), [&](const Unseen& u) { return u.pid == r.pid; });
    });
  }
  if (!reported_.empty()) {
    for (const auto& p : all) {
      if (reported_.contains(identity_key(p.pid, p.start_time))) reap_reported_corpse(p);
    }
  }
  std::erase_if(all, [&](const ProcStat& p) { return in_baseline(p.pid, p.start_time); });
  std::erase_if(unseen, [&](const Unseen& u) { return !u.children_only && in_baseline(u.pid, 0); });
  for (const auto& p : all) {
    if (p.ppid != owner_) seen_parents_.insert_or_assign(p.pid, p.ppid);
  }
  return all;
}

void Scope::freeze_cgroup(std::vector<ProcStat>& left, std::vector<Unseen>& unseen) {
  bool populated = false;
  if (const auto ec = cgroup_->populated(populated)) {
    note_problem("could not read the test's cgroup " + cgroup_->dir() + " (" + errno_name(ec.value()) + ")");
    return;
  }
  if (!populated) return;  // nothing in it: what the walk found has left it
  // Thousands of processes forking on a loaded machine can take seconds to
  // freeze. Past the wait the snapshot is not exact (the check is then
  // incomplete), but the cgroup still holds every one of them: the stop
  // goes through it all the same, and ends with cgroup.kill.
  constexpr auto kFreezeWait = std::chrono::seconds(5);
  if (const auto ec = cgroup_->freeze(kFreezeWait)) {
    note_problem("could not freeze the test's cgroup " + cgroup_->dir() + " (" + errno_name(ec.value()) + ")");
  } else {
    cgroup_frozen_ = true;
  }
  std::vector<pid_t> members;
  if (const auto ec = cgroup_->members(members)) {
    note_problem("could not list the test's cgroup " + cgroup_->dir() + " (" + errno_name(ec.value()) + ")");
    cgroup_frozen_ = false;  // membership unknown: each leak's own file says
    (void)cgroup_->thaw();   // the session cleanup then stops them one by one
    return;
  }
  cgroup_listed_ = true;
  for (const pid_t pid : members) {
    cgroup_members_.insert(pid);
    ProcStat stat;
    if (!proc_.read_stat(pid, stat)) cgroup_roots_.push_back({pid, stat.start_time});
  }
  // Frozen now: the snapshot is exact, and members outside the tree are in it.
  left = leftovers(unseen);
}

void Scope::stop_cgroup(std::vector<Leak>& leaks, std::vector<std::string>& problems,
                        std::optional<SignalPath>& signals_via) {
  const auto say = [&](const std::string& what, std::error_code ec) {
    problems.push_back(what + " the test's cgroup " + cgroup_->dir() + " (" + errno_name(ec.value()) + ")");
  };
  // One descriptor at a time (the test may have left thousands): a frozen
  // process cannot exit, so its PID and start time name it until the thaw.
  const auto signal = [&](Leak& leak, int sig) {
    ProcessHandle h;
    if (const auto ec = ProcessHandle::open(proc_, leak.pid, leak.start_time, h)) return ec;
    SignalPath path{};
    const auto ec = guard_.send(h, sig, &path);
    if (!ec) note_signal(signals_via, path);
    return ec;
  };
  const auto exited = [&](const Leak& leak) {
    ProcessHandle h;
    const auto ec = ProcessHandle::open(proc_, leak.pid, leak.start_time, h);
    return means_gone(ec) || (!ec && h.has_exited());
  };
  const auto member = [&](const Leak& leak) {
    return leak.cleanup == Fate::pending && !leak.kinds.has(Kind::zombie) && cgroup_members_.contains(leak.pid);
  };
  // SIGTERM to every member while it is frozen (queued: none can fork
  // first), then thaw: each acts on it as it would without procleak. One
  // that drops SIGTERM (ignored, not blocked) gets SIGKILL at once instead,
  // as in the session cleanup: only SIGKILL can end it, and the grace is for
  // the others.
  bool any_acts = false;
  std::vector<std::size_t> sent;
  for (std::size_t i = 0; i < leaks.size(); ++i) {
    auto& leak = leaks[i];
    if (!member(leak)) continue;
    ProcStat stat;
    const bool drops = !proc_.read_stat(leak.pid, stat) && stat.drops(SIGTERM);
    if (const auto ec = signal(leak, drops ? SIGKILL : SIGTERM); ec && !means_gone(ec)) {
      leak.cleanup = Fate::unkillable;
      leak.cleanup_error = errno_name(ec.value());
      continue;
    }
    if (drops) continue;  // Fate::killed below, once it is gone
    any_acts = true;
    sent.push_back(i);
  }
  if (const auto ec = cgroup_->thaw()) say("could not thaw", ec);
  // The grace, on cgroup.events, for those that act on SIGTERM.
  if (any_acts) (void)cgroup_->wait_empty(options_.grace);
  for (const std::size_t i : sent) {
    if (exited(leaks[i])) leaks[i].cleanup = Fate::terminated;
  }
  bool populated = false;
  if (const auto ec = cgroup_->populated(populated)) say("could not read", ec);
  if (populated) {
    // Frozen again, so what was born during the grace is described before
    // it dies with the rest, at once (cgroup.kill).
    if (const auto ec = cgroup_->freeze(std::chrono::seconds(5))) say("could not freeze", ec);
    std::vector<pid_t> now;
    if (const auto ec = cgroup_->members(now)) say("could not list", ec);
    const auto ctx = context();
    for (const pid_t pid : now) {
      if (cgroup_members_.contains(pid)) continue;
      ProcStat stat;
      if (proc_.read_stat(pid, stat) || in_baseline(stat.pid, stat.start_time)) continue;
      cgroup_members_.insert(pid);
      leaks.push_back(describe(stat, ctx));
    }
    if (const auto ec = cgroup_->kill_all()) say("could not kill", ec);
    // cgroup.kill passes over a process whose main thread has exited (a
    // zombie leader: its other threads run on): SIGKILL to each one left.
    if (cgroup_->wait_empty(std::chrono::milliseconds(50))) {
      for (auto& leak : leaks) {
        if (member(leak) && !exited(leak)) (void)signal(leak, SIGKILL);
      }
      if (const auto ec = cgroup_->wait_empty(std::chrono::seconds(5))) say("could not empty", ec);
    }
  }
  for (auto& leak : leaks) {
    if (member(leak) && exited(leak)) leak.cleanup = Fate::killed;
  }
  if (options_.role == OwnerRole::launcher) reap_owner_children();
}

void Scope::note_problem(std::string what) {
  if (std::find(problems_.begin(), problems_.end(), what) == problems_.end()) problems_.push_back(std::move(what));
}

bool Scope::started_with_clone_parent(const ProcStat& p) const {
  if (std::find(outside_roots_.begin(), outside_roots_.end(), OutsideRoot{p.pid, p.start_time}) != outside_roots_.end()) {
    return true;
  }
  // Launcher: the kernel names the owner as the parent in the fork event
  // of a clone(CLONE_PARENT) child of the test's main process.
  return options_.role == OwnerRole::launcher && lineage_known_ && facts_.pid != 0 && p.pid != facts_.pid &&
         events_->book().forked_by_owner(p.pid);
}

Leak Scope::describe(const ProcStat& p, const ClassifyContext& ctx) const {
  std::optional<std::vector<Ancestor>> lineage;
  std::size_t omitted = 0;
  if (lineage_known_) lineage = events_->book().lineage_of(p.pid, LineageBook::kMaxLineage, &omitted);
  const Ancestor* lineage_parent = lineage && !lineage->empty() ? &lineage->back() : nullptr;
  const bool clone_parent = started_with_clone_parent(p);
  const auto c = classify(p, ctx, lineage_parent, clone_parent);
  Leak leak = leak_from_stat(p);
  leak.kinds = c.kinds;
  leak.escaped_via = c.escaped_via;
  leak.original_parent = c.original_parent;
  leak.clone_parent = clone_parent;
  if (cgroup_ != nullptr && !p.is_zombie()) {
    // Frozen, the members are known; else (nothing left in the cgroup) each
    // leak is outside it, which its own cgroup file confirms.
    const std::optional<bool> inside =
        cgroup_frozen_ ? std::optional<bool>(cgroup_members_.contains(p.pid)) : in_cgroup(proc_, p.pid, cgroup_path_);
    if (inside == false) {
      leak.kinds.add(Kind::escaped);
      leak.escaped_via = EscapedVia::cgroup;
    }
  }
  if (lineage_parent != nullptr && c.original_parent == lineage_parent->pid && lineage_parent->exit) {
    leak.original_parent_comm = lineage_parent->comm;  // gone: its name is what the lineage kept
  } else if (c.original_parent) {
    ProcStat parent;
    if (!proc_.read_stat(*c.original_parent, parent)) leak.original_parent_comm = parent.comm;
  }
  leak.lineage = std::move(lineage);
  leak.lineage_omitted = omitted;
  (void)proc_.read_cmdline(p.pid, leak.cmdline);
  if (!p.is_zombie()) (void)proc_.read_exe(p.pid, leak.exe);
  leak.age_ms = age_ms(p.start_time);
  // A zombie has no open files left: it holds nothing, for certain.
  leak.holds_test_output = p.is_zombie() ? std::optional<bool>(false) : holds_test_output(proc_, p.pid);
  leak.listening = p.is_zombie() ? std::optional<std::vector<std::string>>(std::vector<std::string>{})
                                 : listening_sockets(proc_, p.pid);
  if (spawn_sites_) {
    // The owner started it, or the top-most ancestor the lineage names.
    std::optional<LineageBook::Origin> origin;
    if (lineage_known_) origin = events_->book().origin_of(p.pid);
    if (!origin && (p.ppid == owner_ || clone_parent)) origin = LineageBook::Origin{p.pid, 0, 0};
    if (origin) {
      if (auto site = spawn_sites_(*origin)) {
        leak.spawned_at = std::move(site->frames);
        // A shell started by system or popen that had gone before its
        // exec event was read: named by what the call ran.
        if (!site->origin_argv.empty() && lineage_known_ && leak.lineage && !leak.lineage->empty() &&
            leak.lineage->front().pid == origin->pid) {
          events_->book().name_if_unknown(origin->pid, "sh", site->origin_argv);
          leak.lineage = events_->book().lineage_of(p.pid, LineageBook::kMaxLineage, &leak.lineage_omitted);
        }
      }
    }
  }
  return leak;
}

Leak Scope::describe(const Unseen& u, const ClassifyContext& ctx) const {
  // Only what the walk saw: the PID and who lists it as a child. Its session
  // and group are unknown, so no escape is claimed either way.
  ProcStat seen;
  seen.pid = u.pid;
  seen.ppid = u.listed_by;
  seen.pgrp = kUnknownId;
  seen.session = kUnknownId;
  ClassifyContext without_ids = ctx;
  without_ids.test_sid = kUnknownId;
  without_ids.test_pgid = kUnknownId;
  const auto c = classify(seen, without_ids);
  Leak leak;
  leak.pid = u.pid;
  leak.ppid = u.listed_by;
  leak.pgid = kUnknownId;
  leak.sid = kUnknownId;
  leak.kinds = c.kinds;
  leak.original_parent = c.original_parent;
  leak.read_error = errno_name(u.error.value());
  return leak;
}

std::vector<Leak> Scope::check(const TestFacts& facts) {
  facts_ = facts;
  problems_.clear();
  const auto deadline = Clock::now() + options_.settle;
  std::vector<ProcStat> left;
  std::vector<Unseen> unseen;
  std::vector<ProcessHandle> handles;
  std::vector<pollfd> fds;
  std::size_t budget = 0;
  bool budget_known = false;
  for (;;) {
    if (options_.role == OwnerRole::launcher) reap_owner_children();
    left = leftovers(unseen);
    const auto now = Clock::now();
    // An unreadable children file is no process on its way out: nothing to wait for.
    const bool unseen_processes = std::any_of(unseen.begin(), unseen.end(), [](const Unseen& u) { return !u.children_only; });
    if ((left.empty() && !unseen_processes) || now >= deadline) break;
    // Sleep until one of them exits, or the next slice: on events, so a
    // process that exits 1 ms into the window ends the wait 1 ms in. As many
    // pidfds as the descriptor limit leaves room for; the slice covers the rest.
    if (!budget_known) {
      budget = pidfd_budget();
      budget_known = true;
    }
    handles.clear();
    fds.clear();
    for (const auto& p : left) {
      if (p.is_zombie() || handles.size() >= budget) continue;
      ProcessHandle h;
      if (ProcessHandle::open(proc_, p.pid, p.start_time, h) || h.pidfd() < 0) continue;
      fds.push_back({h.pidfd(), POLLIN, 0});
      handles.push_back(std::move(h));
    }
    const auto wait = std::min<Clock::duration>(deadline - now, kSettleSlice);
    (void)::poll(fds.data(), fds.size(),
                 static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(wait).count()));
  }
  handles.clear();
  cgroup_frozen_ = false;
  cgroup_listed_ = false;
  cgroup_roots_.clear();
  cgroup_members_.clear();
  if (cgroup_ != nullptr) freeze_cgroup(left, unseen);

  // Every event of the processes found is waiting by now (the kernel queues
  // a fork's event before the child can run).
  // Only when there is something to describe: a clean check costs nothing more.
  lineage_known_ = false;
  lineage_unavailable_.clear();
  if (left.empty() && unseen.empty()) {
    // Now and then: a binary that runs many clean tests must not let the
    // events pile up until its socket overflows (that would cost the next
    // leak its lineage). Every 16th clean check, about 0.05 us per test.
    if (events_ != nullptr && ++clean_checks_ % 16 == 0) events_->drain();
  } else {
    lineage_unavailable_ = events_ != nullptr ? events_->unavailable() : "not asked for (Scope::use_lineage)";
    lineage_known_ = lineage_unavailable_.empty();
  }
  const auto ctx = context();
  std::vector<Leak> leaks;
  leaks.reserve(left.size() + unseen.size());
  for (const auto& p : left) leaks.push_back(describe(p, ctx));
  for (const auto& u : unseen) {
    if (u.children_only) {
      note_problem(children_problem(u));
    } else {
      leaks.push_back(describe(u, ctx));
    }
  }
  // Nothing to clean up: the reserve is taken again now; else after clean_up.
  if (leaks.empty() && options_.role == OwnerRole::in_process) reserve_.fill();
  return leaks;
}

CleanupSummary Scope::clean_up(std::vector<Leak>& leaks) {
  const auto start = Clock::now();
  guard_.read_ancestry();
  const auto ctx = context();
  CleanupPlan plan;
  plan.proc = &proc_;
  plan.guard = &guard_;
  plan.owner = owner_;
  plan.grace = options_.grace;
  plan.settle = options_.settle;
  plan.reap_all_children = options_.role == OwnerRole::launcher;
  plan.outside_roots = outside_roots_;
  plan.in_baseline = [this](pid_t pid, std::uint64_t st) { return in_baseline(pid, st); };
  plan.describe_newcomer = [this, ctx](const ProcStat& p) { return describe(p, ctx); };
  plan.describe_unseen = [this, ctx](const Unseen& u) { return describe(u, ctx); };
  reserve_.release();
  // The probe watches children react to their parent's death: a frozen
  // child would not, and be taken for a survivor.
  if (options_.probe_parent_kill && cgroup_listed_) (void)cgroup_->thaw();
  if (options_.probe_parent_kill) probe_parent_kill(plan, leaks);
  std::vector<std::string> cgroup_problems;
  std::optional<SignalPath> cgroup_signals_via;
  if (cgroup_ != nullptr && cgroup_listed_) stop_cgroup(leaks, cgroup_problems, cgroup_signals_via);
  auto summary = procleak::clean_up(plan, leaks);
  summary.problems.insert(summary.problems.end(), cgroup_problems.begin(), cgroup_problems.end());
  if (cgroup_signals_via) note_signal(summary.signals_via, *cgroup_signals_via);
  if (options_.role == OwnerRole::in_process) reserve_.fill();
  summary.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return summary;
}

Verification verify_none(Scope& scope, std::string_view test, const TestFacts& facts,
                         const Suppressions* suppressions) {
  Verification v;
  v.leaks = scope.check(facts);
  std::vector<std::string> problems = scope.problems();
  if (!v.leaks.empty()) {
    v.cleanup = scope.clean_up(v.leaks);
    problems.insert(problems.end(), v.cleanup.problems.begin(), v.cleanup.problems.end());
    // After cleanup, so processes born during it are matched too. Suppressed
    // leaks were killed like any other; they only do not fail the test.
    if (suppressions != nullptr) suppressions->apply(v.leaks, test);
  }
  v.incomplete_reason = incomplete_reason_of(v.leaks, problems);
  return v;
}

}  // namespace procleak
