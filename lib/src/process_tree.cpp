#include "procleak/process_tree.hpp"

#include <algorithm>

#include "procleak/process_handle.hpp"
#include "procleak/report.hpp"

namespace procleak {

std::string children_problem(const Unseen& u) {
  return "could not read the children of PID " + std::to_string(u.pid) + " (" + errno_name(u.error.value()) + ")";
}

std::error_code walk_descendants(const ProcFs& proc, pid_t root, std::vector<ProcStat>& out,
                                 std::vector<Unseen>* unseen) {
  out.clear();
  ProcStat root_stat;
  if (auto ec = proc.read_stat(root, root_stat)) return ec;

  std::vector<pid_t> frontier;
  if (auto ec = proc.read_children(root, root_stat.num_threads, frontier)) return ec;
  walk_below(proc, root, std::move(frontier), out, unseen);
  return {};
}

namespace {

// Whether parent still lists pid as its child (one more read, made only when
// a stat could not be read).
bool still_listed(const ProcFs& proc, pid_t parent, pid_t pid) {
  ProcStat p;
  const long threads = proc.read_stat(parent, p) ? 0 : p.num_threads;
  std::vector<pid_t> kids;
  if (proc.read_children(parent, threads, kids)) return true;  // cannot tell: not gone
  return std::find(kids.begin(), kids.end(), pid) != kids.end();
}

}  // namespace

void walk_below(const ProcFs& proc, pid_t root, std::vector<pid_t> frontier, std::vector<ProcStat>& out,
                std::vector<Unseen>* unseen) {
  out.clear();
  // Breadth first, so parents come before their children. A child can show up
  // twice when it is re-parented between two reads; the seen list stays small
  // (the subtree), so a sorted vector beats a hash set here. Each entry of
  // the frontier remembers who listed it.
  std::vector<pid_t> seen;
  std::vector<std::pair<pid_t, pid_t>> level;  // (pid, listed_by)
  std::vector<std::pair<pid_t, pid_t>> next;
  std::vector<pid_t> kids;
  for (const pid_t pid : frontier) level.emplace_back(pid, root);
  while (!level.empty()) {
    next.clear();
    for (const auto& [pid, listed_by] : level) {
      const auto it = std::lower_bound(seen.begin(), seen.end(), pid);
      if ((it != seen.end() && *it == pid) || pid == root) continue;
      seen.insert(it, pid);
      ProcStat stat;
      if (auto ec = proc.read_stat(pid, stat)) {
        // Gone only on the kernel's word; hidden or unreadable is unseen.
        if (means_gone(ec) && (means_gone(pid_exists(pid)) || !still_listed(proc, listed_by, pid))) continue;
        if (means_gone(ec)) ec = std::make_error_code(std::errc::permission_denied);
        if (unseen != nullptr) unseen->push_back({pid, listed_by, ec, false});
        continue;
      }
      if (!stat.is_zombie()) {
        kids.clear();
        const auto ec = proc.read_children(pid, stat.num_threads, kids);
        // no_such_process: it is exiting; its children, if any, are being
        // re-parented to the root and show up in the next walk.
        if (ec && !means_gone(ec) && unseen != nullptr) unseen->push_back({pid, listed_by, ec, true});
        for (const pid_t kid : kids) next.emplace_back(kid, pid);
      }
      out.push_back(std::move(stat));
    }
    level.swap(next);
  }
}

void walk_outside(const ProcFs& proc, const std::vector<OutsideRoot>& roots, std::vector<ProcStat>& out,
                  std::vector<Unseen>* unseen) {
  std::vector<ProcStat> below;
  std::vector<pid_t> kids;
  for (const auto& root : roots) {
    if (std::any_of(out.begin(), out.end(), [&](const ProcStat& p) { return p.pid == root.pid; })) continue;
    ProcStat stat;
    if (auto ec = proc.read_stat(root.pid, stat)) {
      if (means_gone(ec) && means_gone(pid_exists(root.pid))) continue;
      if (means_gone(ec)) ec = std::make_error_code(std::errc::permission_denied);
      if (unseen != nullptr) unseen->push_back({root.pid, 0, ec, false});
      continue;
    }
    if (stat.start_time != root.start_time || stat.is_zombie()) continue;
    kids.clear();
    const auto ec = proc.read_children(root.pid, stat.num_threads, kids);
    if (ec && !means_gone(ec) && unseen != nullptr) unseen->push_back({root.pid, stat.ppid, ec, true});
    out.push_back(std::move(stat));
    if (kids.empty()) continue;
    walk_below(proc, root.pid, kids, below, unseen);
    for (auto& p : below) out.push_back(std::move(p));
  }
}

}  // namespace procleak
