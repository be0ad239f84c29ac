#include "procleak/process_handle.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace procleak {

int pidfd_open(pid_t pid) noexcept {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  errno = ENOSYS;
  return -1;
#endif
}

int pidfd_send_signal(int pidfd, int sig) noexcept {
#ifdef SYS_pidfd_send_signal
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
#else
  errno = ENOSYS;
  return -1;
#endif
}

namespace {

std::error_code gone() { return std::make_error_code(std::errc::no_such_process); }

}  // namespace

bool pidfds_available() noexcept {
  static const bool available = [] {
    const int fd = pidfd_open(::getpid());
    if (fd < 0) return false;
    ::close(fd);
    return true;
  }();
  return available;
}

std::error_code ProcessHandle::open(const ProcFs& proc, pid_t pid, std::uint64_t expected_start_time,
                                    ProcessHandle& out) {
  out = ProcessHandle();
  UniqueFd pidfd;
  if (pidfds_available()) {
    pidfd.reset(pidfd_open(pid));
    if (!pidfd.valid()) {
      if (errno == ESRCH) return gone();
      return {errno, std::generic_category()};
    }
  }
  // Verify after opening: if the start time still matches, the pidfd was
  // taken while the snapshotted process held the PID, so it refers to it.
  ProcStat now;
  if (proc.read_stat(pid, now)) return gone();
  if (now.start_time != expected_start_time) return gone();
  out.proc_ = &proc;
  out.pid_ = pid;
  out.start_time_ = expected_start_time;
  out.pidfd_ = std::move(pidfd);
  return {};
}

std::error_code ProcessHandle::send_signal(int sig) const {
  if (pidfd_.valid()) {
    if (pidfd_send_signal(pidfd_.get(), sig) == 0) return {};
    return errno == ESRCH ? gone() : std::error_code(errno, std::generic_category());
  }
  // No pidfds: re-verify the identity right before kill(2). The PID could
  // still be reused between these two calls; README "Limits" documents it.
  ProcStat now;
  if (proc_ == nullptr || proc_->read_stat(pid_, now) || now.start_time != start_time_) return gone();
  if (::kill(pid_, sig) == 0) return {};
  return errno == ESRCH ? gone() : std::error_code(errno, std::generic_category());
}

bool ProcessHandle::has_exited() const {
  if (pidfd_.valid()) {
    pollfd p{pidfd_.get(), POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
  }
  ProcStat now;
  return proc_ == nullptr || proc_->read_stat(pid_, now) || now.start_time != start_time_ ||
         now.is_zombie();
}

bool ProcessHandle::is_gone() const {
  if (pidfd_.valid()) {
    // A zombie still accepts signal 0; only a reaped process answers ESRCH.
    return pidfd_send_signal(pidfd_.get(), 0) != 0 && errno == ESRCH;
  }
  ProcStat now;
  return proc_ == nullptr || proc_->read_stat(pid_, now) || now.start_time != start_time_;
}

}  // namespace procleak
