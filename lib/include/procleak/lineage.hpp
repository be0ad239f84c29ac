// Where each process of a test came from: a book of the forks, execs and
// exits of the owner's descendants, kept from the kernel's process events
// (process_events.hpp) so that a leak's ancestors are known even after they
// have exited, with how they exited. Pure bookkeeping, fed by the caller;
// only processes that descend from the owner are kept (memory bounded by
// the test's own processes, each name and command line stored once and
// shared by the forks that inherit it), and an event of any other process is
// dropped after one hash lookup, without allocating.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace procleak {

// How a process ended: exactly one of the two is set.
struct ExitStatus {
  std::optional<int> code;
  std::optional<int> signal;
};

// One ancestor of a leak, as the report lists it.
struct Ancestor {
  pid_t pid = 0;
  std::string comm;                   // empty when never read
  std::vector<std::string> cmdline;   // empty when never read
  std::optional<ExitStatus> exit;     // nullopt: still running at the check
};

class LineageBook {
 public:
  // owner: the process whose descendants are kept (the launcher's keeper,
  // or the test binary). It is the root, never part of a lineage.
  explicit LineageBook(pid_t owner = 0);

  // parent forked child (process ids, not thread ids); by_thread is the
  // thread of parent that forked, at_ns the kernel's CLOCK_MONOTONIC time of
  // the fork (0 when unknown). The child inherits the parent's comm and
  // command line until its own exec.
  void on_fork(pid_t parent, pid_t child, pid_t by_thread = 0, std::uint64_t at_ns = 0);
  // pid called execve: whether the book keeps it (the caller then reads its
  // new name with describe()).
  [[nodiscard]] bool on_exec(pid_t pid) noexcept {
    const auto it = current_.find(pid);
    if (it == current_.end() || nodes_[it->second].exit) return false;
    ++nodes_[it->second].execs;
    return true;
  }
  // Names pid as what its one exec ran, when reading it failed (it had
  // gone): only if it called execve exactly once and its names are unknown.
  void name_if_unknown(pid_t pid, const std::string& comm, const std::vector<std::string>& cmdline);
  void describe(pid_t pid, std::string comm, std::vector<std::string> cmdline);
  // process pid started one more thread.
  void on_thread(pid_t pid) noexcept {
    const auto it = current_.find(pid);
    if (it != current_.end() && !nodes_[it->second].exit) ++nodes_[it->second].threads;
  }
  // A thread of process pid ended (its main thread too: a main thread that
  // calls pthread_exit leaves the process running), with wait_status as the
  // kernel reports it (the value waitpid would give). The process has
  // exited when its last thread has, with that thread's status: the status
  // of the whole process (exit_group and a fatal signal give every thread
  // the same).
  void on_exit(pid_t pid, std::uint32_t wait_status);

  // Whether pid is a descendant the book saw being born.
  [[nodiscard]] bool knows(pid_t pid) const noexcept { return current_.contains(pid); }
  // Whether the book saw the owner itself fork pid. The kernel names the
  // new parent of a clone(CLONE_PARENT) child, not its caller: a child of
  // the test's main process started that way is "forked by the owner" too.
  [[nodiscard]] bool forked_by_owner(pid_t pid) const noexcept {
    const auto it = current_.find(pid);
    return it != current_.end() && nodes_[it->second].parent == kOwner;
  }

  // The most ancestors a lineage lists: the nearest ones. A report of many
  // leaks of a deep tree would otherwise grow with depth x leaks.
  static constexpr std::size_t kMaxLineage = 16;

  // pid's ancestors, oldest first, from the owner's child down to pid's
  // parent, at most max of them: the nearest, with how many older ones were
  // left out in *omitted. nullopt when the book did not see pid born.
  [[nodiscard]] std::optional<std::vector<Ancestor>> lineage_of(pid_t pid, std::size_t max = kMaxLineage,
                                                                std::size_t* omitted = nullptr) const;

  // The process the owner itself started that pid descends from (pid itself
  // when the owner started it), and which thread of the owner forked it
  // when: where to look for the code that started it (spawn sites).
  struct Origin {
    pid_t pid = 0;
    pid_t by_thread = 0;
    std::uint64_t at_ns = 0;
  };
  [[nodiscard]] std::optional<Origin> origin_of(pid_t pid) const;

  [[nodiscard]] std::size_t size() const noexcept { return nodes_.size(); }

 private:
  static constexpr std::size_t kOwner = static_cast<std::size_t>(-1);
  struct Names {
    std::string comm;
    std::vector<std::string> cmdline;
  };
  struct Node {
    pid_t pid = 0;
    std::shared_ptr<const Names> names;  // shared with the parent until an exec
    std::optional<ExitStatus> exit;
    std::size_t parent = kOwner;  // index into nodes_, or kOwner
    pid_t by_thread = 0;
    std::uint64_t at_ns = 0;
    int execs = 0;
    int threads = 1;  // running threads: a process is born with one
  };
  std::vector<Node> nodes_;
  // The live (or last) node of each PID: a PID reused after an exit starts
  // a new node, and older lineages keep pointing at the old one.
  std::unordered_map<pid_t, std::size_t> current_;
  pid_t owner_;
};

}  // namespace procleak
