#include "procleak/lineage.hpp"

#include <sys/wait.h>

#include <algorithm>

namespace procleak {

LineageBook::LineageBook(pid_t owner) : owner_(owner) {}

void LineageBook::on_fork(pid_t parent, pid_t child, pid_t by_thread, std::uint64_t at_ns) {
  std::size_t parent_index = kOwner;
  if (parent != owner_) {
    const auto it = current_.find(parent);
    // Not ours: dropped. Nor is a PID whose process has exited: another
    // process has it now.
    if (it == current_.end() || nodes_[it->second].exit) return;
    parent_index = it->second;
  }
  Node node;
  node.pid = child;
  node.parent = parent_index;
  node.by_thread = by_thread;
  node.at_ns = at_ns;
  if (parent_index != kOwner) node.names = nodes_[parent_index].names;  // shared, not copied
  nodes_.push_back(std::move(node));
  current_.insert_or_assign(child, nodes_.size() - 1);
}

void LineageBook::describe(pid_t pid, std::string comm, std::vector<std::string> cmdline) {
  const auto it = current_.find(pid);
  if (it == current_.end() || nodes_[it->second].exit) return;
  nodes_[it->second].names = std::make_shared<const Names>(Names{std::move(comm), std::move(cmdline)});
}

void LineageBook::name_if_unknown(pid_t pid, const std::string& comm, const std::vector<std::string>& cmdline) {
  const auto it = current_.find(pid);
  if (it == current_.end()) return;
  Node& n = nodes_[it->second];
  if (n.execs != 1 || (n.names && (!n.names->comm.empty() || !n.names->cmdline.empty()))) return;
  n.names = std::make_shared<const Names>(Names{comm, cmdline});
}

void LineageBook::on_exit(pid_t pid, std::uint32_t wait_status) {
  const auto it = current_.find(pid);
  if (it == current_.end() || nodes_[it->second].exit) return;
  if (--nodes_[it->second].threads > 0) return;  // other threads run on
  ExitStatus status;
  const int s = static_cast<int>(wait_status);
  if (WIFSIGNALED(s)) {
    status.signal = WTERMSIG(s);
  } else {
    status.code = WEXITSTATUS(s);
  }
  nodes_[it->second].exit = status;
}

std::optional<std::vector<Ancestor>> LineageBook::lineage_of(pid_t pid, std::size_t max, std::size_t* omitted) const {
  const auto it = current_.find(pid);
  if (it == current_.end()) return std::nullopt;
  std::vector<Ancestor> out;
  std::size_t left_out = 0;
  for (std::size_t i = nodes_[it->second].parent; i != kOwner; i = nodes_[i].parent) {
    if (out.size() == max) {
      ++left_out;
      continue;
    }
    const Node& n = nodes_[i];
    Ancestor a;
    a.pid = n.pid;
    if (n.names) {
      a.comm = n.names->comm;
      a.cmdline = n.names->cmdline;
    }
    a.exit = n.exit;
    out.push_back(std::move(a));
  }
  std::reverse(out.begin(), out.end());
  if (omitted != nullptr) *omitted = left_out;
  return out;
}

std::optional<LineageBook::Origin> LineageBook::origin_of(pid_t pid) const {
  const auto it = current_.find(pid);
  if (it == current_.end()) return std::nullopt;
  std::size_t i = it->second;
  while (nodes_[i].parent != kOwner) i = nodes_[i].parent;
  return Origin{nodes_[i].pid, nodes_[i].by_thread, nodes_[i].at_ns};
}

}  // namespace procleak
