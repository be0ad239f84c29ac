// A reference to one process that cannot be confused with a later process
// that reuses its PID: pid + start time + pidfd.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <system_error>

#include "procleak/proc_fs.hpp"
#include "procleak/unique_fd.hpp"

namespace procleak {

class ProcessHandle {
 public:
  ProcessHandle() = default;

  // Opens a pidfd for pid and then re-reads its stat: the handle is valid only
  // if the process at pid still has expected_start_time, so the pidfd refers
  // to the process that was snapshotted, not a stranger that got the PID
  // later. Returns no_such_process when the process is gone (or was
  // replaced). Where the kernel has no pidfds (before 5.3) the handle keeps
  // only pid + start time and send_signal re-verifies them before kill(2);
  // the window between that check and kill(2) is the documented race.
  static std::error_code open(const ProcFs& proc, pid_t pid, std::uint64_t expected_start_time,
                              ProcessHandle& out);

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  [[nodiscard]] std::uint64_t start_time() const noexcept { return start_time_; }
  [[nodiscard]] int pidfd() const noexcept { return pidfd_.get(); }
  [[nodiscard]] bool valid() const noexcept { return pid_ > 0; }

  // Signals the referenced process. no_such_process when it is gone.
  // Callers go through SignalGuard::send, which checks the target first.
  std::error_code send_signal(int sig) const;

  // True once the process has exited (it may still be an unreaped zombie).
  [[nodiscard]] bool has_exited() const;

  // True once the process is gone entirely (exited and reaped).
  [[nodiscard]] bool is_gone() const;

 private:
  const ProcFs* proc_ = nullptr;
  pid_t pid_ = 0;
  std::uint64_t start_time_ = 0;
  UniqueFd pidfd_;
};

// pidfd_open(2) and pidfd_send_signal(2), the only places procleak makes
// these calls: -1 with errno set (ENOSYS on kernels without them).
int pidfd_open(pid_t pid) noexcept;
int pidfd_send_signal(int pidfd, int sig) noexcept;

// Whether this kernel has pidfd_open(2). Checked once.
[[nodiscard]] bool pidfds_available() noexcept;

}  // namespace procleak
