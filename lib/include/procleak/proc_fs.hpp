// Reading /proc. Every reader takes the pid and returns an error code; a
// process that has gone (ENOENT, ESRCH on any of its files) is reported as
// std::errc::no_such_process so callers can treat "gone" as a normal outcome.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "procleak/proc_stat.hpp"

namespace procleak {

class ProcFs {
 public:
  // root is the /proc mount; tests pass a fixture tree.
  explicit ProcFs(std::string root = "/proc");

  [[nodiscard]] const std::string& root() const noexcept { return root_; }

  std::error_code read_stat(pid_t pid, ProcStat& out) const;

  // argv as the process has it now (empty for zombies and kernel threads).
  std::error_code read_cmdline(pid_t pid, std::vector<std::string>& out) const;

  // Appends the children of every thread of pid. num_threads is the value
  // from the process's stat: with 1 the single task file is read directly
  // (one open, no directory listing), which is the common case.
  std::error_code read_children(pid_t pid, long num_threads, std::vector<pid_t>& out) const;

  // The path of the process's executable (empty for zombies and kernel threads).
  std::error_code read_exe(pid_t pid, std::string& out) const;

  // The fd numbers the process has open.
  std::error_code list_fds(pid_t pid, std::vector<int>& out) const;

 private:
  std::string root_;
};

// Whether proc is the /proc of this process's PID namespace: its "self" link
// must name getpid(). A /proc mounted for another namespace (unshare --pid
// without --mount-proc, bwrap --unshare-pid without --proc) names other
// processes by our PIDs, so nothing read there could be trusted. Returns an
// error with a one-line reason in why.
std::error_code check_proc_is_ours(const ProcFs& proc, std::string& why);

// Appends the PIDs of a /proc children list ("12 345 678 "). Pure.
void parse_pid_list(std::string_view text, std::vector<pid_t>& out);

// Reads a whole small file into out (replacing it). ENOENT becomes
// no_such_process. Exposed for the readers and their tests.
std::error_code read_small_file(const std::string& path, std::string& out);

}  // namespace procleak
