// The one place that decides whether procleak may signal a process.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <system_error>
#include <vector>

#include "procleak/proc_fs.hpp"

namespace procleak {

class ProcessHandle;
enum class SignalPath : std::uint8_t;

class SignalGuard {
 public:
  // owner is the process that owns the scope (the launcher, or the test
  // binary with the listener). Its ancestors are read from proc the first
  // time a decision needs them, or when a cleanup starts (read_ancestry), so
  // a scope that never signals (every clean test) never reads them.
  explicit SignalGuard(pid_t owner, ProcFs proc = ProcFs());
  // A fixed ancestry, read by the caller with read_ancestors().
  SignalGuard(pid_t owner, std::vector<pid_t> ancestors);

  // Refuses PID <= 1, the owner and every ancestor of the owner.
  [[nodiscard]] bool allows(pid_t pid) const;

  // Sends sig to the process behind handle when allowed; otherwise returns
  // operation_not_permitted and sends nothing. Callers only hold handles of
  // processes they found by walking the owner's descendants.
  std::error_code send(const ProcessHandle& handle, int sig, SignalPath* path = nullptr) const;

  // kill(-pgid, sig) for the test's own process group, with the same checks
  // applied to the group id and a refusal of the owner's own group.
  std::error_code send_to_group(pid_t pgid, int sig) const;

  [[nodiscard]] pid_t owner() const noexcept { return owner_; }

  // Reads the ancestry now, if not yet: before a cleanup opens a descriptor
  // per process (a fork loop's thousands), so that the read is not the one
  // that meets EMFILE and yields a short ancestry. Reparenting only ever
  // moves the owner to one of these ancestors, so an early read stays whole.
  void read_ancestry() const { (void)ancestors(); }

  // Whether the ancestry has been read (or was given): for the tests.
  [[nodiscard]] bool knows_ancestors() const noexcept { return ancestors_.has_value(); }

 private:
  const std::vector<pid_t>& ancestors() const;

  pid_t owner_;
  ProcFs proc_;
  mutable std::optional<std::vector<pid_t>> ancestors_;
};

// PIDs from the parent of pid up to 1, read from proc's <pid>/stat files.
std::vector<pid_t> read_ancestors(pid_t pid, const ProcFs& proc = ProcFs());

}  // namespace procleak
