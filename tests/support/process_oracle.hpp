// An independent view of the process table for the integration tests, and
// their safety net. Independent on purpose: it scans /proc/*/status (not the
// stat file procleak parses) and follows PPid links, so a bug in procleak's
// walk cannot hide itself.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace procleak_test {

struct OracleProcess {
  pid_t pid = 0;
  pid_t ppid = 0;
  char state = '?';
  std::string name;
};

// Every process on the machine, from /proc/*/status.
std::vector<OracleProcess> scan_all_processes();

// The descendants of root, found by a full scan.
std::vector<OracleProcess> descendants_of(pid_t root);

// True while /proc/<pid> exists and is not a zombie.
bool is_running(pid_t pid);

// True while /proc/<pid> exists at all (zombies included).
bool exists(pid_t pid);

// Whether this process runs outside the initial PID namespace (its
// /proc/self/ns/pid is not PROC_PID_INIT_INO), where the kernel sends no
// process events: lineage must then be null, with the reason.
bool outside_initial_pid_namespace();

// Whether a report's lineage is unavailable for a reason the environment
// gives: outside the initial PID namespace, or the process-events connector
// refused to a user who is not root (kernels differ: some refuse it to
// non-root users, some allow it) or by the seccomp filter of
// in_environment.sh's no_connector. Then every leak's lineage must be null
// (checked here). Lineage missing for any other reason, or for root in the
// initial namespace, is a failure of the calling test: "unavailable" may not
// hide a bug where the kernel would have answered.
bool lineage_refused(const nlohmann::json& report);

// Makes the test binary the subreaper of everything its tests start, so a
// process that escapes a broken launcher comes back here, not to init.
void become_subreaper_or_die();

// SIGKILLs (by pidfd) and reaps every descendant of this process, repeating
// until none is left or 5 s have passed. Returns how many it killed.
int kill_all_descendants();

}  // namespace procleak_test
