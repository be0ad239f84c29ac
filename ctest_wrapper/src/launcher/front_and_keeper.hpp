// procleak-run runs as two processes, so that even a SIGKILL of the launcher
// (CTest's TIMEOUT sends one) leaves nothing behind.
//
// The front is the process CTest or the shell started. It only forwards
// SIGINT, SIGTERM, SIGHUP and SIGQUIT to the keeper, waits for it, and exits
// as the keeper did (same code, or death by the same signal).
//
// The keeper, the front's child, does all the work: it is the child subreaper
// and the parent of the test, checks, cleans up and reports. It holds a pidfd
// of the front; when that becomes readable while the test runs, the front was
// killed, and the keeper kills the test's tree at once (no grace, no settle),
// reports it, and exits. Nothing the test started outlives the front by more
// than that cleanup.
#pragma once

#include <system_error>

#include "procleak/unique_fd.hpp"

namespace procleak::launcher {

struct Keeper {
  // Readable once the front has exited or been killed. Invalid without pidfds
  // (kernel < 5.3): the keeper then gets SIGTERM as its parent-death signal,
  // which it handles like a forwarded SIGTERM (cleanup within --grace).
  UniqueFd front_gone;
};

// Forks. Returns only in the keeper (or with an error, in the one process
// there still is). The front never returns.
std::error_code split_into_front_and_keeper(Keeper& keeper);

}  // namespace procleak::launcher
