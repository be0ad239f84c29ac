#include "procleak/process_tree.hpp"

#include <algorithm>

namespace procleak {

std::error_code walk_descendants(const ProcFs& proc, pid_t root, std::vector<ProcStat>& out) {
  out.clear();
  ProcStat root_stat;
  if (auto ec = proc.read_stat(root, root_stat)) return ec;

  std::vector<pid_t> frontier;
  if (auto ec = proc.read_children(root, root_stat.num_threads, frontier)) return ec;
  walk_below(proc, root, std::move(frontier), out);
  return {};
}

void walk_below(const ProcFs& proc, pid_t root, std::vector<pid_t> frontier, std::vector<ProcStat>& out) {
  out.clear();
  // Breadth first, so parents come before their children. A child can show up
  // twice when it is re-parented between two reads; the seen list stays small
  // (the subtree), so a sorted vector beats a hash set here.
  std::vector<pid_t> seen;
  std::vector<pid_t> next;
  while (!frontier.empty()) {
    next.clear();
    for (const pid_t pid : frontier) {
      const auto it = std::lower_bound(seen.begin(), seen.end(), pid);
      if ((it != seen.end() && *it == pid) || pid == root) continue;
      seen.insert(it, pid);
      ProcStat stat;
      if (proc.read_stat(pid, stat)) continue;  // gone since its parent listed it
      if (!stat.is_zombie()) {
        // Errors here mean the process is exiting: its children, if any, are
        // being re-parented to the root and show up in the next walk.
        (void)proc.read_children(pid, stat.num_threads, next);
      }
      out.push_back(std::move(stat));
    }
    frontier.swap(next);
  }
}

}  // namespace procleak
