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
    if (it == current_.end() || nodes_[it->second].self.exit) return;
    parent_index = it->second;
  }
  Node node;
  node.self.pid = child;
  node.parent = parent_index;
  node.by_thread = by_thread;
  node.at_ns = at_ns;
  if (parent_index != kOwner) {
    node.self.comm = nodes_[parent_index].self.comm;
    node.self.cmdline = nodes_[parent_index].self.cmdline;
  }
  nodes_.push_back(std::move(node));
  current_.insert_or_assign(child, nodes_.size() - 1);
}

void LineageBook::describe(pid_t pid, std::string comm, std::vector<std::string> cmdline) {
  const auto it = current_.find(pid);
  if (it == current_.end() || nodes_[it->second].self.exit) return;
  auto& self = nodes_[it->second].self;
  self.comm = std::move(comm);
  self.cmdline = std::move(cmdline);
}

void LineageBook::name_if_unknown(pid_t pid, const std::string& comm, const std::vector<std::string>& cmdline) {
  const auto it = current_.find(pid);
  if (it == current_.end()) return;
  Node& n = nodes_[it->second];
  if (n.execs != 1 || !n.self.comm.empty() || !n.self.cmdline.empty()) return;
  n.self.comm = comm;
  n.self.cmdline = cmdline;
}

void LineageBook::on_exit(pid_t pid, std::uint32_t wait_status) {
  const auto it = current_.find(pid);
  if (it == current_.end() || nodes_[it->second].self.exit) return;
  ExitStatus status;
  const int s = static_cast<int>(wait_status);
  if (WIFSIGNALED(s)) {
    status.signal = WTERMSIG(s);
  } else {
    status.code = WEXITSTATUS(s);
  }
  nodes_[it->second].self.exit = status;
}

std::optional<std::vector<Ancestor>> LineageBook::lineage_of(pid_t pid) const {
  const auto it = current_.find(pid);
  if (it == current_.end()) return std::nullopt;
  std::vector<Ancestor> out;
  for (std::size_t i = nodes_[it->second].parent; i != kOwner; i = nodes_[i].parent) out.push_back(nodes_[i].self);
  std::reverse(out.begin(), out.end());
  return out;
}

std::optional<LineageBook::Origin> LineageBook::origin_of(pid_t pid) const {
  const auto it = current_.find(pid);
  if (it == current_.end()) return std::nullopt;
  std::size_t i = it->second;
  while (nodes_[i].parent != kOwner) i = nodes_[i].parent;
  return Origin{nodes_[i].self.pid, nodes_[i].by_thread, nodes_[i].at_ns};
}

}  // namespace procleak
