#include "procleak/signal_guard.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "procleak/proc_fs.hpp"
#include "procleak/process_handle.hpp"

namespace procleak {

SignalGuard::SignalGuard(pid_t owner, ProcFs proc) : owner_(owner), proc_(std::move(proc)) {}

SignalGuard::SignalGuard(pid_t owner, std::vector<pid_t> ancestors)
    : owner_(owner), ancestors_(std::move(ancestors)) {}

const std::vector<pid_t>& SignalGuard::ancestors() const {
  if (!ancestors_) ancestors_ = owner_ > 0 ? read_ancestors(owner_, proc_) : std::vector<pid_t>{};
  return *ancestors_;
}

bool SignalGuard::allows(pid_t pid) const {
  if (pid <= 1 || pid == owner_) return false;
  const auto& up = ancestors();
  return std::find(up.begin(), up.end(), pid) == up.end();
}

std::error_code SignalGuard::send(const ProcessHandle& handle, int sig, SignalPath* path) const {
  if (!handle.valid() || !allows(handle.pid())) {
    return std::make_error_code(std::errc::operation_not_permitted);
  }
  return handle.send_signal(sig, path);
}

std::error_code SignalGuard::send_to_group(pid_t pgid, int sig) const {
  // A group id is a PID (its leader's): the same refusals apply, plus the
  // owner's own group, which would take the launcher and CTest with it.
  if (!allows(pgid) || pgid == ::getpgid(owner_)) {
    return std::make_error_code(std::errc::operation_not_permitted);
  }
  if (::kill(-pgid, sig) == 0) return {};
  return {errno, std::generic_category()};
}

std::vector<pid_t> read_ancestors(pid_t pid, const ProcFs& proc) {
  std::vector<pid_t> out;
  ProcStat stat;
  // Bounded: a PID chain is never deeper than the PID space, but a corrupted
  // read must not loop forever.
  for (int depth = 0; depth < 4096 && pid > 1; ++depth) {
    if (proc.read_stat(pid, stat)) break;
    pid = stat.ppid;
    if (pid > 0) out.push_back(pid);
  }
  return out;
}

}  // namespace procleak
