// Does a process hold the test's output (stdout, stderr) open?
#pragma once

#include <sys/types.h>

#include <optional>

#include "procleak/proc_fs.hpp"

namespace procleak {

// True when one of pid's open fds, fd 0 included (`sleep 300 <&1`), is the
// same open file description as this process's fd 1 or 2 (kcmp(2)
// KCMP_FILE), the reason CTest would wait for
// the process until its timeout. A process that opened /dev/null itself does
// not count. Where kcmp is refused (a container profile without
// CAP_SYS_PTRACE), pipes and sockets are compared by device and inode
// instead, which is exact for them (any fd on the test's pipe keeps its
// reader waiting); other kinds of file then give nullopt. nullopt too when
// /proc/<pid>/fd cannot be read: unknown, never a guessed false.
[[nodiscard]] std::optional<bool> holds_test_output(const ProcFs& proc, pid_t pid);

}  // namespace procleak
