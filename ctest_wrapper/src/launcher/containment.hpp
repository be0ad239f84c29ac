// Where the test runs (--containment): a cgroup of its own below
// procleak-run's (procleak/cgroup.hpp), or its session under the subreaper
// alone. And the sweep: what the cgroups of killed launchers still hold.
#pragma once

#include <sys/types.h>

#include <string>

#include "launcher_options.hpp"
#include "procleak/cgroup.hpp"
#include "procleak/proc_fs.hpp"

namespace procleak::launcher {

struct TestContainment {
  TestCgroup cgroup;      // valid(): the test runs in it
  std::string path;       // the cgroup as /proc/<pid>/cgroup names it
  std::string why_not;    // no cgroup (automatic): why
  std::string error;      // --containment cgroup and none could be made: one line, exit 125
};

// The keeper's and the front's PIDs and start times, which name the cgroup.
[[nodiscard]] LauncherIdentity launcher_identity(const ProcFs& proc, pid_t front, pid_t keeper);

// Makes the test's cgroup for the containment asked for: first sweeps the
// cgroups beside it that killed launchers left (sweep_cgroups below, not
// recursive), then makes procleak-<identity> below this process's cgroup
// and notes the test's name and report folder on it (for a sweep).
[[nodiscard]] TestContainment contain(const Options& opts, const LauncherIdentity& id);

// Finds procleak's cgroups below dir (only its direct children unless
// recursive) whose launcher is confirmed gone (launcher_gone: its two
// processes by PID and start time; "cannot tell" counts as alive), freezes
// each, describes and kills what it holds (cgroup.kill, then cgroup.events),
// removes it, and writes a report (source "sweep", the test's name, verdict
// leaked) into the test's report folder as noted on the cgroup, else into
// fallback_report_dir when not empty. Says on stderr what it swept. Returns
// how many processes it killed.
int sweep_cgroups(const std::string& dir, bool recursive, const std::string& fallback_report_dir);

}  // namespace procleak::launcher
