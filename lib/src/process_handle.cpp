#include "procleak/process_handle.hpp"

#include <dirent.h>
#include <poll.h>
#include <sys/resource.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

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
std::error_code errno_code(int err) { return {err, std::generic_category()}; }

// A pidfd_open that failed this way gives a handle without a pidfd, not an
// error: out of descriptors, or the call refused (no such call, a seccomp
// profile's EPERM; EPERM is not a permission answer for pidfd_open, which
// needs none).
bool pidfd_unavailable(int err) { return err == EMFILE || err == ENFILE || err == ENOSYS || err == EPERM; }

// Readable (POLLIN) is the kernel saying the process exited. POLLNVAL (the
// descriptor closed behind our back) or POLLERR say nothing about it: not
// exited, as far as this look can tell.
bool pidfd_readable(int pidfd) {
  pollfd p{pidfd, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & POLLIN) != 0;
}

}  // namespace

std::error_code pid_exists(pid_t pid) noexcept {
  if (pid <= 0) return std::make_error_code(std::errc::invalid_argument);
  if (::kill(pid, 0) == 0 || errno == EPERM) return {};
  return errno == ESRCH ? gone() : errno_code(errno);
}

std::size_t pidfd_budget() noexcept {
  constexpr std::size_t kReserve = 16;
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY) return 1024;
  std::size_t open_now = 0;
  if (DIR* dir = ::opendir("/proc/self/fd")) {
    while (::readdir(dir) != nullptr) ++open_now;
    ::closedir(dir);
  } else {
    return 0;  // cannot even open a folder: no descriptor to spare
  }
  const std::size_t limit = lim.rlim_cur;
  return limit > open_now + kReserve ? limit - open_now - kReserve : 0;
}

bool pidfds_available() noexcept {
  static const bool available = [] {
    const int fd = pidfd_open(::getpid());
    if (fd >= 0) {
      ::close(fd);
      return true;
    }
    // Out of descriptors says nothing about the call: assume it is there and
    // let each open fall back on its own.
    return errno == EMFILE || errno == ENFILE;
  }();
  return available;
}

bool pidfd_signals_available() noexcept {
  static const bool available = [] {
    if (!pidfds_available()) return false;
    const int fd = pidfd_open(::getpid());
    if (fd < 0) return true;  // out of descriptors now: decided per signal below
    const bool ok = pidfd_send_signal(fd, 0) == 0;
    ::close(fd);
    return ok;
  }();
  return available;
}

std::error_code ProcessHandle::open(const ProcFs& proc, pid_t pid, std::uint64_t expected_start_time,
                                    ProcessHandle& out, bool want_pidfd) {
  out = ProcessHandle();
  if (pid <= 0) return std::make_error_code(std::errc::invalid_argument);
  UniqueFd pidfd;
  if (want_pidfd && pidfds_available()) {
    pidfd.reset(pidfd_open(pid));
    if (!pidfd.valid()) {
      if (errno == ESRCH) return gone();
      if (!pidfd_unavailable(errno)) return errno_code(errno);
    }
  }
  // Verify after opening: if the start time still matches, the pidfd was
  // taken while the snapshotted process held the PID, so it refers to it.
  ProcStat now;
  if (const auto ec = proc.read_stat(pid, now)) {
    if (!means_gone(ec)) return ec;  // could not look: unknown
    // /proc/<pid> is missing: gone only if the kernel agrees (hidepid=2
    // hides a process that changed its credentials, for one).
    if (pidfd.valid()) return pidfd_readable(pidfd.get()) ? gone() : std::make_error_code(std::errc::permission_denied);
    if (const auto exists = pid_exists(pid); means_gone(exists)) return exists;
    return std::make_error_code(std::errc::permission_denied);
  }
  if (now.start_time != expected_start_time) return gone();
  out.proc_ = &proc;
  out.pid_ = pid;
  out.start_time_ = expected_start_time;
  out.start_time_known_ = true;
  out.pidfd_ = std::move(pidfd);
  return {};
}

std::error_code ProcessHandle::open_listed(const ProcFs& proc, pid_t pid, pid_t listed_by, ProcessHandle& out) {
  out = ProcessHandle();
  if (pid <= 0) return std::make_error_code(std::errc::invalid_argument);
  if (!pidfds_available()) return std::make_error_code(std::errc::permission_denied);
  UniqueFd pidfd(pidfd_open(pid));
  if (!pidfd.valid()) return errno == ESRCH ? gone() : errno_code(errno);
  // Taken while listed_by lists pid: the pidfd refers to a process of the tree
  // (a PID is not reused while it is listed as someone's child).
  std::vector<pid_t> children;
  ProcStat parent;
  const long threads = proc.read_stat(listed_by, parent) ? 0 : parent.num_threads;
  const auto listed = proc.read_children(listed_by, threads, children);
  if (listed && !means_gone(listed)) return listed;
  if (listed || std::find(children.begin(), children.end(), pid) == children.end()) {
    // It left the list, or listed_by is gone: it exited (the pidfd says so),
    // or it was re-parented when listed_by died (a probe killed its parent):
    // to us, its subreaper.
    // Only our own children list then confirms the pidfd (a PID listed as a
    // child is not reused). Anything else is unknown, never gone: a process
    // we cannot look at (hidepid shows its /proc/<pid> as missing) may run on.
    if (pidfd_readable(pidfd.get())) return gone();
    std::vector<pid_t> ours;
    ProcStat self;
    const pid_t me = ::getpid();
    const long own_threads = proc.read_stat(me, self) ? 0 : self.num_threads;
    const auto ec = proc.read_children(me, own_threads, ours);
    if (ec || std::find(ours.begin(), ours.end(), pid) == ours.end()) {
      if (pidfd_readable(pidfd.get())) return gone();
      return ec && !means_gone(ec) ? ec : std::make_error_code(std::errc::permission_denied);
    }
  }
  out.proc_ = &proc;
  out.pid_ = pid;
  out.pidfd_ = std::move(pidfd);
  return {};
}

std::error_code ProcessHandle::send_signal(int sig, SignalPath* path) const {
  if (!valid()) return std::make_error_code(std::errc::invalid_argument);
  if (pidfd_.valid() && pidfd_signals_available()) {
    if (path != nullptr) *path = SignalPath::pidfd;
    if (pidfd_send_signal(pidfd_.get(), sig) == 0) return {};
    // EPERM is a real refusal here (our probe of the call passed); ENOSYS
    // can only come from a profile applied since: kill(2) then.
    if (errno == ESRCH) return gone();
    if (errno != ENOSYS) return errno_code(errno);
  }
  // kill(2): re-verify the identity right before it. With a pidfd the check
  // is exact (an exited process is not signalled: its PID may be reaped and
  // reused); without, the start time is re-read and the PID could still be
  // reused between the two calls (README "Limits").
  if (pidfd_.valid()) {
    if (pidfd_readable(pidfd_.get())) return gone();
  } else {
    if (!start_time_known_ || proc_ == nullptr) return std::make_error_code(std::errc::permission_denied);
    ProcStat now;
    if (const auto ec = proc_->read_stat(pid_, now)) {
      if (!means_gone(ec)) return ec;
      if (const auto exists = pid_exists(pid_); means_gone(exists)) return exists;
      return std::make_error_code(std::errc::permission_denied);  // hidden: cannot verify
    }
    if (now.start_time != start_time_) return gone();
  }
  if (path != nullptr) *path = SignalPath::kill;
  if (::kill(pid_, sig) == 0) return {};
  return errno == ESRCH ? gone() : errno_code(errno);
}

Liveness ProcessHandle::liveness() const {
  if (!valid()) return Liveness::gone;
  if (pidfd_.valid()) {
    if (!pidfd_readable(pidfd_.get())) return Liveness::running;
    // Exited: reaped yet? A zombie still accepts signal 0; a reaped process
    // answers ESRCH.
    if (pidfd_signals_available()) {
      return pidfd_send_signal(pidfd_.get(), 0) != 0 && errno == ESRCH ? Liveness::gone : Liveness::exited;
    }
    if (!start_time_known_) return Liveness::exited;
  }
  ProcStat now;
  if (const auto ec = proc_->read_stat(pid_, now)) {
    if (means_gone(ec) && means_gone(pid_exists(pid_))) return Liveness::gone;
    return pidfd_.valid() ? Liveness::exited : Liveness::unknown;
  }
  if (now.start_time != start_time_) return Liveness::gone;
  return now.is_zombie() ? Liveness::exited : Liveness::running;
}

void ProcessHandle::reap_if_exited() const noexcept {
  siginfo_t info{};
  if (pidfd_.valid()) {
    (void)::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd_.get()), &info, WEXITED | WNOHANG);
    return;
  }
  if (!start_time_known_ || proc_ == nullptr) return;
  ProcStat now;
  if (proc_->read_stat(pid_, now) == std::error_code() && now.start_time == start_time_) {
    (void)::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG);
  }
}

}  // namespace procleak
