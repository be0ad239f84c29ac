#include "containment.hpp"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

#include "procleak/report.hpp"
#include "procleak/report_json.hpp"
#include "procleak/report_text.hpp"

namespace procleak::launcher {
namespace {

std::uint64_t start_time_of(const ProcFs& proc, pid_t pid) {
  ProcStat st;
  return proc.read_stat(pid, st) ? 0 : st.start_time;
}

// The directories below dir (depth first), or only its entries.
void cgroup_dirs(const std::string& dir, bool recursive, std::vector<std::string>& out, int depth = 0) {
  if (depth > 32) return;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  std::vector<std::string> here;
  while (const dirent* e = ::readdir(d)) {
    if (e->d_type != DT_DIR || e->d_name[0] == '.') continue;
    here.push_back(dir + '/' + e->d_name);
  }
  ::closedir(d);
  for (const auto& sub : here) {
    out.push_back(sub);
    // Not into procleak's own: what is below one is swept with it.
    if (recursive && !parse_cgroup_name(sub.substr(sub.find_last_of('/') + 1))) cgroup_dirs(sub, true, out, depth + 1);
  }
}

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// What a swept cgroup held, as leaks: its launcher is gone, so every running
// process whose parent is not in it too is an orphan.
Leak describe_swept(const ProcFs& proc, const ProcStat& p, const std::vector<pid_t>& members) {
  Leak leak = leak_from_stat(p);
  (void)proc.read_cmdline(p.pid, leak.cmdline);
  if (!p.is_zombie()) (void)proc.read_exe(p.pid, leak.exe);
  const bool parent_inside = std::find(members.begin(), members.end(), p.ppid) != members.end();
  if (p.is_zombie()) {
    leak.kinds.add(Kind::zombie);
    leak.original_parent = p.ppid;
  } else if (parent_inside) {
    leak.kinds.add(Kind::stray);
    leak.original_parent = p.ppid;
  } else {
    leak.kinds.add(Kind::orphan);
  }
  return leak;
}

void sweep_one(const ProcFs& proc, const std::string& dir, const std::string& fallback_report_dir, int& killed) {
  TestCgroup cg;
  if (TestCgroup::open_existing(dir, cg)) return;
  const std::string test = cg.note("test").value_or(base_name(dir));
  std::string report_dir = cg.note("report_dir").value_or(std::string());
  if (report_dir.empty()) report_dir = fallback_report_dir;

  Report report;
  report.source = "sweep";
  report.test = test;
  report.started_at = std::chrono::system_clock::now();
  report.containment = "cgroup";
  std::vector<std::string> problems;
  bool populated = false;
  if (const auto ec = cg.populated(populated)) problems.push_back("could not read " + dir + " (" + errno_name(ec.value()) + ")");
  if (populated) {
    if (const auto ec = cg.freeze(std::chrono::seconds(2))) {
      problems.push_back("could not freeze " + dir + " (" + errno_name(ec.value()) + ")");
    }
    std::vector<pid_t> members;
    if (const auto ec = cg.members(members)) problems.push_back("could not list " + dir + " (" + errno_name(ec.value()) + ")");
    for (const pid_t pid : members) {
      ProcStat st;
      if (!proc.read_stat(pid, st)) report.leaks.push_back(describe_swept(proc, st, members));
    }
    const auto ec = cg.kill_all();
    const auto waited = ec ? ec : cg.wait_empty(std::chrono::seconds(2));
    for (auto& leak : report.leaks) leak.cleanup = waited ? Fate::unkillable : Fate::killed;
    if (waited) problems.push_back("could not kill what " + dir + " holds (" + errno_name(waited.value()) + ")");
  }
  report.resources = cg.resources();
  if (const auto ec = cg.remove()) problems.push_back("could not remove " + dir + " (" + errno_name(ec.value()) + ")");
  if (report.leaks.empty() && problems.empty()) return;  // an empty cgroup: removed, nothing to say
  report.cleanup = {};
  for (const auto& leak : report.leaks) {
    if (leak.cleanup == Fate::killed) ++report.cleanup.killed;
    if (leak.cleanup == Fate::unkillable) ++report.cleanup.unkillable;
  }
  report.incomplete_reason = incomplete_reason_of(report.leaks, problems);
  report.lineage_unavailable = "its launcher was killed: the sweep saw only what was left";
  killed += static_cast<int>(report.leaks.size());
  std::fprintf(stderr, "procleak-run: swept %s, left by a procleak-run that was killed: %zu process%s of test '%s'\n",
               dir.c_str(), report.leaks.size(), report.leaks.size() == 1 ? "" : "es", test.c_str());
  if (const auto text = format_text(report); !text.empty()) std::fputs(text.c_str(), stderr);
  if (!report_dir.empty()) {
    std::string path;
    if (const auto ec = write_report_into_dir(report_dir, report, path)) {
      std::fprintf(stderr, "procleak-run: cannot write the sweep's report into %s: %s\n", report_dir.c_str(),
                   ec.message().c_str());
    }
  }
}

}  // namespace

LauncherIdentity launcher_identity(const ProcFs& proc, pid_t front, pid_t keeper) {
  return {own_pid_namespace(proc), front, start_time_of(proc, front), keeper, start_time_of(proc, keeper)};
}

int sweep_cgroups(const std::string& dir, bool recursive, const std::string& fallback_report_dir) {
  const ProcFs proc;
  std::vector<std::string> dirs;
  cgroup_dirs(dir, recursive, dirs);
  int killed = 0;
  for (const auto& d : dirs) {
    const auto id = parse_cgroup_name(base_name(d));
    if (!id || !launcher_gone(proc, *id)) continue;
    sweep_one(proc, d, fallback_report_dir, killed);
  }
  return killed;
}

TestContainment contain(const Options& opts, const LauncherIdentity& id) {
  TestContainment out;
  if (opts.containment == Containment::session) return out;
  const auto own = find_own_cgroup(ProcFs());
  std::string why;
  if (own.dir.empty()) {
    why = own.why_not;
  } else if (id.pid_namespace == 0 || id.front_start == 0 || id.keeper_start == 0) {
    // A name without them could never be told gone (a sweep treats it as alive forever).
    why = "cannot read this launcher's PID namespace or start times from /proc, which a sweep needs";
  } else {
    (void)sweep_cgroups(own.dir, false, opts.report_dir);
    const std::string name = cgroup_name(id);
    if (const auto ec = TestCgroup::create(own.dir, name, out.cgroup)) {
      why = "cannot make a cgroup in " + own.dir + " (" + errno_name(ec.value()) + ": " + ec.message() + ")";
    } else {
      out.path = (own.path == "/" ? "" : own.path) + '/' + name;
      // For a sweep, should this launcher be killed: whose it is, where its report goes.
      (void)out.cgroup.set_note("test", opts.name);
      if (!opts.report_dir.empty()) {
        char resolved[PATH_MAX];
        if (::realpath(opts.report_dir.c_str(), resolved) != nullptr) (void)out.cgroup.set_note("report_dir", resolved);
      }
    }
  }
  if (!out.cgroup.valid()) {
    if (opts.containment == Containment::cgroup) {
      out.error = "--containment cgroup: " + why;
    } else {
      out.why_not = why;
    }
  }
  return out;
}

}  // namespace procleak::launcher
