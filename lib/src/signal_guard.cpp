#include "procleak/signal_guard.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "procleak/proc_fs.hpp"
#include "procleak/process_handle.hpp"

namespace procleak {

SignalGuard::SignalGuard(pid_t owner, std::vector<pid_t> ancestors)
    : owner_(owner), owner_pgid_(owner > 0 ? ::getpgid(owner) : 0), ancestors_(std::move(ancestors)) {}

bool SignalGuard::allows(pid_t pid) const noexcept {
  if (pid <= 1 || pid == owner_) return false;
  return std::find(ancestors_.begin(), ancestors_.end(), pid) == ancestors_.end();
}

std::error_code SignalGuard::send(const ProcessHandle& handle, int sig) const {
  if (!handle.valid() || !allows(handle.pid())) {
    return std::make_error_code(std::errc::operation_not_permitted);
  }
  return handle.send_signal(sig);
}

std::error_code SignalGuard::send_to_group(pid_t pgid, int sig) const {
  // A group id is a PID (its leader's): the same refusals apply, plus the
  // owner's own group, which would take the launcher and CTest with it.
  if (!allows(pgid) || pgid == owner_pgid_) {
    return std::make_error_code(std::errc::operation_not_permitted);
  }
  if (::kill(-pgid, sig) == 0) return {};
  return {errno, std::generic_category()};
}

std::vector<pid_t> read_ancestors(pid_t pid) {
  std::vector<pid_t> out;
  const ProcFs proc;
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
