// The kernel's process-events connector (netlink NETLINK_CONNECTOR,
// CN_IDX_PROC): fork, exec and exit of every process on the machine, as
// they happen. Subscribed before the test starts, read while it runs, and
// kept in a LineageBook for the owner's descendants only. Open to
// unprivileged users since Linux 6.6; where it is refused or delivers
// nothing (seccomp, a PID or user namespace other than the initial one,
// an old kernel without root), unavailable() says why and the reports say
// "lineage": null, and everything else works as without it.
#pragma once

#include <sys/types.h>

#include <string>

#include "procleak/lineage.hpp"
#include "procleak/proc_fs.hpp"
#include "procleak/unique_fd.hpp"

namespace procleak {

class ProcessEvents {
 public:
  ProcessEvents() = default;

  // Subscribes; owner is the root of the book (see LineageBook). Never
  // fails the caller: on failure, unavailable() says why and fd() is -1.
  static ProcessEvents open(const ProcFs& proc, pid_t owner);

  // Readable when events are waiting (for the caller's poll); -1 if none.
  [[nodiscard]] int fd() const noexcept { return fd_.get(); }

  // Reads every event waiting, without blocking, into the book: a fork,
  // exec or exit of a process the book keeps, and nothing of any other.
  void drain();

  // Marks that the owner forked this child: the test's main process, whose
  // fork event must arrive (else the connector delivers nothing here), and
  // what its exec makes it: the kernel names a process after the basename
  // of the path given to execve (15 bytes), and its command line is the
  // argument vector, so its exec event needs no /proc read.
  void expect(pid_t child, const std::string& exec_path, std::vector<std::string> argv);

  // Why lineage is not known; empty when it is. Drains first.
  [[nodiscard]] std::string unavailable();

  [[nodiscard]] const LineageBook& book() const noexcept { return book_; }
  [[nodiscard]] LineageBook& book() noexcept { return book_; }

 private:
  void handle(const void* event, std::size_t size);

  UniqueFd fd_;
  ProcFs proc_;
  LineageBook book_;
  std::string unavailable_ = "not subscribed";
  pid_t expected_ = 0;
  std::string expected_comm_;
  std::vector<std::string> expected_argv_;
  bool expected_exec_seen_ = false;
  bool lost_ = false;
  int read_error_ = 0;  // errno of a failed read other than "nothing waiting"
  bool namespaces_checked_ = false;
  std::string namespace_problem_;
};

}  // namespace procleak
