#include "procleak/output_sharing.hpp"

#include <linux/kcmp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

namespace procleak {

bool holds_test_output(const ProcFs& proc, pid_t pid) {
  std::vector<int> fds;
  if (proc.list_fds(pid, fds)) return false;
  const pid_t self = ::getpid();
  for (const int fd : fds) {
    for (const int ours : {STDOUT_FILENO, STDERR_FILENO}) {
      // kcmp returns 0 when both fds are the same open file description.
      if (::syscall(SYS_kcmp, self, pid, KCMP_FILE, ours, fd) == 0) return true;
    }
  }
  return false;
}

}  // namespace procleak
