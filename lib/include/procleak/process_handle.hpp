// A reference to one process that cannot be confused with a later process
// that reuses its PID: pid + start time + pidfd (in the spirit of systemd's
// PidRef).
//
// Every look at a process answers one of three things, in the core's one
// convention for std::error_code:
//   {}                              present;
//   std::errc::no_such_process      gone: the kernel said so (ESRCH, or ENOENT
//                                   for /proc/<pid> confirmed by kill(pid, 0)
//                                   answering ESRCH, by a pidfd or by a start
//                                   time that no longer matches);
//   anything else                   unknown: procleak could not look (EMFILE,
//                                   EACCES under hidepid=2, EPERM, ...). The
//                                   process may well be there; an unknown
//                                   reaches the verdict (incomplete), never
//                                   "clean".
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <system_error>

#include "procleak/proc_fs.hpp"
#include "procleak/unique_fd.hpp"

namespace procleak {

[[nodiscard]] inline bool means_gone(std::error_code ec) noexcept { return ec == std::errc::no_such_process; }

// Whether any process has this PID: kill(pid, 0). ESRCH: no_such_process;
// 0 or EPERM: present (EPERM only says we may not signal it).
std::error_code pid_exists(pid_t pid) noexcept;

// How a signal went out.
enum class SignalPath : std::uint8_t { pidfd, kill };

// Records that a signal went out by path: kill wins, so the report never
// claims pidfds for a run that used kill(2).
inline void note_signal(std::optional<SignalPath>& via, SignalPath path) noexcept {
  if (!via || path == SignalPath::kill) via = path;
}

// What a process is doing now, as far as procleak can tell.
enum class Liveness : std::uint8_t {
  running,  // alive (a leader whose main thread exited while others run included)
  exited,   // exited, not reaped yet (a zombie)
  gone,     // exited and reaped
  unknown,  // could not be told (no pidfd, and /proc could not be read)
};

class ProcessHandle {
 public:
  ProcessHandle() = default;

  // Opens a reference to the process that had expected_start_time at pid.
  // With want_pidfd (and pidfds available) it takes a pidfd, then re-reads
  // the stat: the pidfd was taken while the snapshotted process held the
  // PID, so it refers to it. EMFILE/ENFILE or a refused pidfd_open (ENOSYS,
  // EPERM from a seccomp profile) give a handle without a pidfd, which
  // re-verifies the start time before each kill(2). Returns no_such_process
  // when the process is gone or was replaced, another error when it could
  // not be verified (out stays invalid then).
  static std::error_code open(const ProcFs& proc, pid_t pid, std::uint64_t expected_start_time,
                              ProcessHandle& out, bool want_pidfd = true);

  // For a process whose stat cannot be read (hidepid=2, a setuid process)
  // but that listed_by's children file lists: takes a pidfd, then checks
  // that listed_by (or, once listed_by has died, the caller itself, its
  // subreaper) still lists pid, so the pidfd refers to a process of the
  // tree. no_such_process only when the pidfd says it exited; without
  // pidfds, or when neither lists it and it has not exited, its identity
  // cannot be verified and the error says why (the process is then unknown,
  // never signalled, never "exited").
  static std::error_code open_listed(const ProcFs& proc, pid_t pid, pid_t listed_by, ProcessHandle& out);

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  [[nodiscard]] std::uint64_t start_time() const noexcept { return start_time_; }
  [[nodiscard]] bool start_time_known() const noexcept { return start_time_known_; }
  [[nodiscard]] int pidfd() const noexcept { return pidfd_.get(); }
  [[nodiscard]] bool valid() const noexcept { return pid_ > 0; }

  // Signals the referenced process: pidfd_send_signal(2), or kill(2) after
  // re-verifying the identity where pidfds or pidfd signals are not to be
  // had. no_such_process when it is gone (or has exited: a signal would do
  // nothing); EPERM when we may not signal it. *path says how it went out.
  // Callers go through SignalGuard::send, which checks the target first.
  std::error_code send_signal(int sig, SignalPath* path = nullptr) const;

  // Reaps the process if it is an exited child of the caller, without
  // blocking: through the pidfd, or by PID while the PID still has the start
  // time seen. Never a stranger that took the PID after the test reaped it.
  void reap_if_exited() const noexcept;

  [[nodiscard]] Liveness liveness() const;
  // True once the process has exited (it may still be an unreaped zombie).
  [[nodiscard]] bool has_exited() const {
    const auto l = liveness();
    return l == Liveness::exited || l == Liveness::gone;
  }
  // True once the process is gone entirely (exited and reaped).
  [[nodiscard]] bool is_gone() const { return liveness() == Liveness::gone; }

 private:
  const ProcFs* proc_ = nullptr;
  pid_t pid_ = 0;
  std::uint64_t start_time_ = 0;
  bool start_time_known_ = false;
  UniqueFd pidfd_;
};

// How many pidfds procleak may hold now: RLIMIT_NOFILE's soft limit less
// the descriptors open now and a reserve for reading /proc (16), or 0. One
// /proc/self/fd listing: called once per cleanup, not per test.
[[nodiscard]] std::size_t pidfd_budget() noexcept;

// pidfd_open(2) and pidfd_send_signal(2), the only places procleak makes
// these calls: -1 with errno set (ENOSYS on kernels without them).
int pidfd_open(pid_t pid) noexcept;
int pidfd_send_signal(int pidfd, int sig) noexcept;

// Whether pidfd_open(2) works here (not on kernels before 5.3, gVisor, or
// under a seccomp profile that refuses it). Checked once, when first asked.
[[nodiscard]] bool pidfds_available() noexcept;
// Whether pidfd_send_signal(2) works too (a profile may refuse only that):
// a signal 0 to our own pidfd, which nothing but a refusal can fail.
[[nodiscard]] bool pidfd_signals_available() noexcept;

}  // namespace procleak
