// A cgroup (v2) of the test's own: exact membership, an atomic stop
// (cgroup.freeze, cgroup.kill) and the resources of the test's whole tree.
// procleak writes only into cgroups it made, which are named after the
// launcher that made them (its two processes, by PID and start time), so a
// cgroup left by a launcher that was SIGKILLed can be told from one whose
// launcher still runs (sweep).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "procleak/duration.hpp"
#include "procleak/proc_fs.hpp"
#include "procleak/unique_fd.hpp"

namespace procleak {

// This process's cgroup v2 directory: the unified line of /proc/self/cgroup
// ("0::/path") under the cgroup2 mount of /proc/self/mountinfo that shows it
// (any mount point: /sys/fs/cgroup, the hybrid /sys/fs/cgroup/unified, a
// private mount). Empty, with why, where there is none.
struct OwnCgroup {
  std::string dir;       // e.g. /sys/fs/cgroup/unified/user.slice/...
  std::string path;      // the same as /proc/<pid>/cgroup names it, e.g. /user.slice/...
  std::string why_not;   // set when dir is empty
};
[[nodiscard]] OwnCgroup find_own_cgroup(const ProcFs& proc);

// The two processes of a launcher, by PID and start time (/proc/<pid>/stat),
// and the PID namespace those PIDs belong to (the inode of /proc/self/ns/pid):
// the cgroup hierarchy is shared across PID namespaces, and a PID means
// nothing in another one.
struct LauncherIdentity {
  std::uint64_t pid_namespace = 0;
  pid_t front_pid = 0;
  std::uint64_t front_start = 0;
  pid_t keeper_pid = 0;
  std::uint64_t keeper_start = 0;
};
// "procleak-<PID namespace>-<front pid>.<start>-<keeper pid>.<start>", and
// back (nullopt for any other name: never procleak's).
[[nodiscard]] std::string cgroup_name(const LauncherIdentity& id);
[[nodiscard]] std::optional<LauncherIdentity> parse_cgroup_name(std::string_view name);

// The inode of proc's self/ns/pid: this process's PID namespace; 0 when it
// cannot be read.
[[nodiscard]] std::uint64_t own_pid_namespace(const ProcFs& proc);

// Whether the launcher is gone: in this process's PID namespace, both its
// processes confirmed gone (ESRCH, a start time that differs: the PID serves
// another process now, or a corpse not reaped yet). Anything else, "cannot
// tell" included (a launcher of another PID namespace, whose PIDs this one
// cannot see), counts as alive.
[[nodiscard]] bool launcher_gone(const ProcFs& proc, const LauncherIdentity& id);

// What the cgroup's own files say the test's whole tree used; nullopt where
// the file is not there (memory.peak and pids.peak need their controllers
// enabled above, which procleak never changes).
struct CgroupResources {
  std::optional<std::uint64_t> cpu_usec;
  std::optional<std::uint64_t> memory_peak_bytes;
  std::optional<std::uint64_t> pids_peak;
};

class TestCgroup {
 public:
  TestCgroup() = default;

  // mkdir parent_dir/name and opens what the run needs. An error (EACCES,
  // EROFS, ...) leaves nothing behind.
  static std::error_code create(const std::string& parent_dir, const std::string& name, TestCgroup& out);
  // One that exists (a sweep): the same, without mkdir.
  static std::error_code open_existing(const std::string& dir, TestCgroup& out);

  [[nodiscard]] bool valid() const noexcept { return events_.valid(); }
  [[nodiscard]] const std::string& dir() const noexcept { return dir_; }
  // cgroup.procs, open for writing: the test's child writes "0" into it
  // before its exec, and so starts inside.
  [[nodiscard]] int procs_fd() const noexcept { return procs_.get(); }
  // The cgroup's folder, open: for clone3(CLONE_INTO_CGROUP), which starts
  // the test's child in it (no migration afterwards).
  [[nodiscard]] int dir_fd() const noexcept { return dir_fd_.get(); }

  // Notes kept on the cgroup itself (user.procleak.<key> extended
  // attributes), for a sweep to name the test and find its report folder.
  std::error_code set_note(const std::string& key, const std::string& value) const;
  [[nodiscard]] std::optional<std::string> note(const std::string& key) const;

  // "populated" of cgroup.events: whether any process is in it or below.
  [[nodiscard]] std::error_code populated(bool& out) const;
  // Waits on cgroup.events (poll, no sleep loop) until no process is in it,
  // up to timeout: ETIMEDOUT then.
  std::error_code wait_empty(Duration timeout) const;
  // Freezes it and waits until the kernel says it is frozen (no process in
  // it runs, none forks), up to timeout.
  std::error_code freeze(Duration timeout) const;
  // Lets it run again (the parent-kill probe needs its processes to react).
  std::error_code thaw() const;
  // The processes in it and in every cgroup below it.
  std::error_code members(std::vector<pid_t>& out) const;
  // SIGKILL to every process in it and below it, at once (cgroup.kill).
  std::error_code kill_all() const;
  // rmdir of it and of every cgroup below it, deepest first; EBUSY while a
  // process is left (one on its way out is waited for, up to a second).
  std::error_code remove();
  [[nodiscard]] CgroupResources resources() const;

 private:
  std::error_code open_files();
  std::string dir_;
  UniqueFd dir_fd_;
  UniqueFd procs_;
  UniqueFd events_;
};

// Whether pid is in the cgroup at cgroup_path (as /proc/<pid>/cgroup names
// cgroups) or below it; nullopt when that cannot be read.
[[nodiscard]] std::optional<bool> in_cgroup(const ProcFs& proc, pid_t pid, const std::string& cgroup_path);

}  // namespace procleak
