// Does a process hold the test's stdout or stderr open?
#pragma once

#include <sys/types.h>

#include "procleak/proc_fs.hpp"

namespace procleak {

// True when one of pid's open fds is the same open file description as this
// process's fd 1 or fd 2 (kcmp(2) KCMP_FILE), the reason CTest would wait for
// the process until its timeout. A process that opened /dev/null itself does
// not count. False when pid is gone or kcmp is not permitted.
[[nodiscard]] bool holds_test_output(const ProcFs& proc, pid_t pid);

}  // namespace procleak
