// The one place that decides whether procleak may signal a process.
#pragma once

#include <sys/types.h>

#include <system_error>
#include <vector>

namespace procleak {

class ProcessHandle;

class SignalGuard {
 public:
  // owner is the process that owns the scope (the launcher, or the test
  // binary with the listener); its ancestors are read from ancestry, a list
  // the caller obtains with read_ancestors().
  SignalGuard(pid_t owner, std::vector<pid_t> ancestors);

  // Refuses PID <= 1, the owner and every ancestor of the owner.
  [[nodiscard]] bool allows(pid_t pid) const noexcept;

  // Sends sig to the process behind handle when allowed; otherwise returns
  // operation_not_permitted and sends nothing. Callers only hold handles of
  // processes they found by walking the owner's descendants.
  std::error_code send(const ProcessHandle& handle, int sig) const;

  // kill(-pgid, sig) for the test's own process group, with the same checks
  // applied to the group id and a refusal of the owner's own group.
  std::error_code send_to_group(pid_t pgid, int sig) const;

  [[nodiscard]] pid_t owner() const noexcept { return owner_; }

 private:
  pid_t owner_;
  pid_t owner_pgid_;
  std::vector<pid_t> ancestors_;
};

// PIDs from the parent of pid up to 1, read from /proc/<pid>/stat.
std::vector<pid_t> read_ancestors(pid_t pid);

}  // namespace procleak
