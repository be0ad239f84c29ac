// Containment by cgroup (procleak-run --containment): exact membership, an
// atomic stop, a sweep of what killed launchers left, the test's resources;
// and the fall-back to session containment where no cgroup can be made
// (read-only or absent hierarchy, a user without a delegated cgroup), which
// the report explains. The process table and the cgroup hierarchy are the
// judges, read here independently of procleak (/proc/self/cgroup, /proc/mounts).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "launcher_run.hpp"
#include "process_oracle.hpp"
#include "run_command.hpp"

namespace {

using nlohmann::json;
using procleak_test::RunOptions;
using procleak_test::RunResult;
using procleak_test::run_command;

const std::string kRun = PROCLEAK_RUN_PATH;
const std::string kHelpers = PROCLEAK_HELPERS_DIR;
const std::string kExamples = PROCLEAK_EXAMPLES_DIR;

// This process's cgroup v2 folder: its "0::" line under a cgroup2 mount
// whose root is "/" (the layouts these tests set up). Empty: none.
std::string own_cgroup_dir() {
  std::ifstream cg("/proc/self/cgroup");
  std::string line, path;
  while (std::getline(cg, line)) {
    if (line.rfind("0::", 0) == 0) path = line.substr(3);
  }
  if (path.empty()) return {};
  std::ifstream mounts("/proc/self/mounts");
  while (std::getline(mounts, line)) {
    std::istringstream words(line);
    std::string source, point, type;
    words >> source >> point >> type;
    if (type == "cgroup2") return point + (path == "/" ? "" : path);
  }
  return {};
}

// Whether procleak-run, as these tests run it, can make a cgroup: as root
// (not as nobody, in_environment.sh), with a writable cgroup2 hierarchy.
bool cgroup_expected() {
  if (std::getenv("PROCLEAK_TEST_UNPRIVILEGED") != nullptr || ::geteuid() != 0) return false;
  const auto dir = own_cgroup_dir();
  return !dir.empty() && ::access(dir.c_str(), W_OK) == 0;
}

// The cgroups procleak made in dir (default: beside this process's own).
std::vector<std::string> procleak_cgroups(std::string dir = own_cgroup_dir()) {
  std::vector<std::string> out;
  if (dir.empty()) return out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().filename().string().rfind("procleak-", 0) == 0) out.push_back(e.path().string());
  }
  return out;
}

// The cgroup named after the launcher whose front is front_pid (in this PID
// namespace), in dir.
std::string cgroup_of_front(pid_t front_pid, const std::string& dir = own_cgroup_dir()) {
  struct stat ns {};
  if (::stat("/proc/self/ns/pid", &ns) != 0) return {};
  const auto prefix = "procleak-" + std::to_string(ns.st_ino) + '-' + std::to_string(front_pid) + '.';
  for (const auto& d : procleak_cgroups(dir)) {
    if (std::filesystem::path(d).filename().string().rfind(prefix, 0) == 0) return d;
  }
  return {};
}

std::vector<pid_t> cgroup_procs(const std::string& dir) {
  std::vector<pid_t> out;
  std::ifstream in(dir + "/cgroup.procs");
  for (pid_t pid = 0; in >> pid;) out.push_back(pid);
  return out;
}

// Children of pid (every thread's), from /proc.
std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& t : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream in(t.path().string() + "/children");
    for (pid_t c = 0; in >> c;) out.push_back(c);
  }
  return out;
}

bool wait_until(const std::function<bool()>& ready, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// Leftovers re-parented to this process (the launcher that owned them was
// killed) that procleak killed are this process's zombies: reaped here.
void reap_own_zombies() {
  for (const auto& p : procleak_test::descendants_of(::getpid())) {
    if (p.state == 'Z') ::waitpid(p.pid, nullptr, 0);
  }
}

double children_cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_CHILDREN, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

class Containment : public procleak_test::LauncherRun {
 protected:
  Containment() : LauncherRun(kRun) {}

  void TearDown() override {
    LauncherRun::TearDown();
    if (!parent_.empty()) {
      wait_until([&] { return ::rmdir(parent_.c_str()) == 0 || errno == ENOENT; });
    }
  }

  // What a run must leave: no process, and not the cgroup of its launcher
  // (other suites' launchers may run beside it meanwhile).
  void expect_nothing_left_anywhere(const std::vector<pid_t>& fronts) {
    reap_own_zombies();
    expect_nothing_left();
    for (const pid_t front : fronts) {
      EXPECT_EQ(cgroup_of_front(front, parent_.empty() ? own_cgroup_dir() : parent_), "")
          << "the cgroup of the launcher " << front << " was left behind";
    }
  }

  // A cgroup of this test's own, below this process's, for launchers whose
  // cgroups must be out of reach of the start-up sweep of launchers that
  // other suites run meanwhile (each sweeps only beside its own cgroup).
  const std::string& private_parent() {
    if (parent_.empty()) {
      parent_ = own_cgroup_dir() + "/procleak-test-" + std::to_string(::getpid());
      EXPECT_EQ(::mkdir(parent_.c_str(), 0755), 0) << parent_;
    }
    return parent_;
  }
  // argv run from within the private parent cgroup.
  std::vector<std::string> in_private_parent(std::vector<std::string> argv) {
    std::vector<std::string> out{"sh", "-c", "echo $$ > " + private_parent() + "/cgroup.procs && exec \"$@\"", "sh"};
    out.insert(out.end(), argv.begin(), argv.end());
    return out;
  }

  // Checks the containment a report names against what this machine allows.
  static void expect_containment(const json& rep) {
    if (cgroup_expected()) {
      EXPECT_EQ(rep["containment"], "cgroup") << rep.dump(2);
      EXPECT_TRUE(rep["containment_reason"].is_null()) << rep.dump(2);
      ASSERT_TRUE(rep["resources"].is_object()) << rep.dump(2);
      EXPECT_TRUE(rep["resources"]["cpu_usec"].is_number_integer()) << rep.dump(2);
    } else {
      EXPECT_EQ(rep["containment"], "session") << rep.dump(2);
      EXPECT_TRUE(rep["containment_reason"].is_string()) << "auto says why not:\n" << rep.dump(2);
      EXPECT_TRUE(rep["resources"].is_null()) << rep.dump(2);
    }
  }

  // One failure at most, with the first leak that was not stopped and the
  // report's summary (a fork loop's report holds thousands of leaks).
  static void expect_all_stopped(const json& rep) {
    std::size_t not_stopped = 0;
    json first;
    for (const auto& l : rep["leaks"]) {
      if (l["cleanup"] == "terminated" || l["cleanup"] == "killed") continue;
      if (not_stopped++ == 0) first = l;
    }
    EXPECT_EQ(not_stopped, 0u) << "of " << rep["leaks"].size() << " leaks; the first: " << first.dump(2)
                               << "\ncleanup: " << rep["cleanup"].dump() << "\nincomplete: " << rep["incomplete_reason"];
  }

  std::string parent_;
};

TEST_F(Containment, ADoubleForkedDaemonIsStoppedAndTheCgroupRemoved) {
  const auto r = run({kExamples + "/setsid_daemon_test"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto rep = report();
  expect_containment(rep);
  ASSERT_EQ(rep["leaks"].size(), 1u) << rep.dump(2);
  const auto& leak = rep["leaks"][0];
  EXPECT_EQ(leak["escaped_via"], "session") << "it called setsid, and stayed in the cgroup: " << rep.dump(2);
  EXPECT_EQ(leak["cleanup"], "terminated") << rep.dump(2);
  expect_nothing_left_anywhere({r.pid});
}

TEST_F(Containment, ACloneParentChildIsCaught) {
  const auto r = run({kHelpers + "/helper_clone_parent", "sleep", "332"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto rep = report();
  expect_containment(rep);
  ASSERT_EQ(rep["leaks"].size(), 1u) << rep.dump(2);
  EXPECT_EQ(rep["leaks"][0]["cmdline"], json({"sleep", "332"}));
  EXPECT_EQ(rep["leaks"][0]["cleanup"], "terminated") << rep.dump(2);
  expect_nothing_left_anywhere({r.pid});
}

// One leftover that drops SIGTERM beside one that acts on it: SIGKILL for
// the first at once, so the stop takes far less than the grace (which only
// the second could use); each with its own fate.
TEST_F(Containment, ASigtermIgnorerIsKilledWithoutWaitingOutTheGrace) {
  const auto started = std::chrono::steady_clock::now();
  const auto r = run({"sh", "-c", kHelpers + "/helper_term_ignorer; sleep 346 & exit 0"}, {"--grace", "20s"});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_LT(seconds, 10.0) << "the stop waited out the 20 s grace for a process that ignores SIGTERM";
  const auto rep = report();
  expect_containment(rep);
  ASSERT_EQ(rep["leaks"].size(), 2u) << rep.dump(2);
  for (const auto& leak : rep["leaks"]) {
    const bool sleeper = leak["cmdline"] == json({"sleep", "346"});
    EXPECT_EQ(leak["cleanup"], sleeper ? "terminated" : "killed") << rep.dump(2);
  }
  expect_nothing_left_anywhere({r.pid});
}

// clone3 refused (Docker's default seccomp profile answers ENOSYS): the
// test's child joins its cgroup before its exec instead (a migration).
TEST_F(Containment, WithClone3RefusedTheChildJoinsBeforeItsExec) {
  if (!cgroup_expected()) GTEST_SKIP() << "no cgroup here for procleak-run";
  for (const char* how : {"enosys", "eperm"}) {
    const auto r = run_command({kHelpers + "/helper_refuse_syscalls", how, "clone3", kRun, "--containment", "cgroup",
                                "--report", report_path(), "--", "sh", "-c", "sleep 345 & exit 0"});
    EXPECT_EQ(r.exit_code, 3) << how << ": " << r.err;
    const auto rep = report();
    EXPECT_EQ(rep["containment"], "cgroup") << how << ": " << rep.dump(2);
    ASSERT_EQ(rep["leaks"].size(), 1u) << rep.dump(2);
    EXPECT_EQ(rep["leaks"][0]["escaped_via"], nullptr) << "it was in the cgroup: " << rep.dump(2);
    EXPECT_EQ(rep["leaks"][0]["cleanup"], "terminated") << rep.dump(2);
    expect_nothing_left_anywhere({r.pid});
  }
}

// A process that moves itself to procleak-run's own cgroup has left the
// test's: still found (the subreaper's tree), and reported as escaped via
// cgroup.
TEST_F(Containment, AProcessThatLeavesTheCgroupHasEscapedViaCgroup) {
  if (!cgroup_expected()) GTEST_SKIP() << "no cgroup here for procleak-run";
  const auto parent = own_cgroup_dir();
  const auto r = run({"sh", "-c", "sh -c 'echo $$ > " + parent + "/cgroup.procs && exec sleep 333' & sleep 0.3; exit 0"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto rep = report();
  ASSERT_EQ(rep["leaks"].size(), 1u) << rep.dump(2);
  const auto& leak = rep["leaks"][0];
  EXPECT_EQ(leak["cmdline"], json({"sleep", "333"}));
  EXPECT_EQ(leak["kinds"], json({"orphan", "escaped"})) << rep.dump(2);
  EXPECT_EQ(leak["escaped_via"], "cgroup") << rep.dump(2);
  EXPECT_EQ(leak["cleanup"], "terminated") << rep.dump(2);
  EXPECT_NE(r.err.find("left the test's cgroup"), std::string::npos) << r.err;
  expect_nothing_left_anywhere({r.pid});
}

// A fork loop (capped at 20,000 in the program, still forking when the test
// ends): frozen at once, nothing born after the freeze, every process gone,
// no survivor. The time is printed (bench/containment.sh compares it with
// session containment's SIGSTOP sweeps).
TEST_F(Containment, AForkLoopIsFrozenAndGoneWithNoSurvivor) {
  // 20,000 where the freeze stops it; the session containment's SIGSTOP
  // sweeps race the forks and describe each one (the baseline, slow under
  // ASan), so there the loop is capped at 5,000.
  const char* cap = cgroup_expected() ? "20000" : "5000";
  const auto r = run({kHelpers + "/helper_fork_loop", cap, "10"}, {"--settle", "50ms", "--grace", "500ms"},
                     [] {
                       RunOptions o;
                       o.limit = std::chrono::seconds(120);
                       return o;
                     }());
  EXPECT_EQ(r.exit_code, 3) << r.err.substr(0, 2000);
  const auto rep = report();
  expect_containment(rep);
  EXPECT_GT(rep["leaks"].size(), 0u);
  expect_all_stopped(rep);
  EXPECT_TRUE(rep["incomplete_reason"].is_null()) << rep["incomplete_reason"];
  std::printf("fork loop: %zu processes stopped, procleak-run took %.2f s (containment %s)\n", rep["leaks"].size(),
              r.seconds, rep["containment"].get<std::string>().c_str());
  expect_nothing_left_anywhere({r.pid});
}

// Both procleak-run processes SIGKILLed at once (a CI job cancelled): what
// the test started runs on in the cgroup. The next procleak-run start sweeps
// it, and so do procleak-run --sweep and procleak-ctest (before its run):
// killed, and reported in the test's report folder.
enum class Sweeper { next_start, sweep_flag, procleak_ctest };
class KilledLauncher : public Containment, public ::testing::WithParamInterface<Sweeper> {};

TEST_P(KilledLauncher, IsSweptAndReported) {
  if (!cgroup_expected()) GTEST_SKIP() << "no cgroup here for procleak-run";
  const Sweeper sweeper = GetParam();
  const std::string reports = dir_ + "/reports";
  pid_t front = 0;
  const std::string parent = private_parent();
  RunOptions o;
  o.while_running = [&](pid_t pid) {
    front = pid;
    std::string cg;
    ASSERT_TRUE(wait_until([&] {
      cg = cgroup_of_front(pid, parent);
      return !cg.empty() && cgroup_procs(cg).size() >= 2;
    })) << "the test did not start in a cgroup";
    const auto keeper = children_of(pid);
    ASSERT_EQ(keeper.size(), 1u);
    ::kill(keeper[0], SIGKILL);
    ::kill(pid, SIGKILL);
  };
  (void)run_command(in_private_parent({kRun, "--report-dir", reports, "--name", "swept test", "--", "sh", "-c",
                                      "sleep 334 & exec sleep 335"}),
                    o);
  ASSERT_GT(front, 0);
  const auto left = cgroup_of_front(front, parent);
  ASSERT_FALSE(left.empty()) << "the killed launcher's cgroup is there";
  ASSERT_TRUE(wait_until([&] { return cgroup_procs(left).size() == 1; })) << "sleep 334 runs on in it";

  RunResult next;
  if (sweeper == Sweeper::sweep_flag) {
    next = run_command({kRun, "--sweep"});
  } else if (sweeper == Sweeper::next_start) {
    next = run_command(in_private_parent({kRun, "--", "true"}));
  } else {
    const std::string tree = dir_ + "/tree";
    std::filesystem::create_directory(tree);
    std::ofstream(tree + "/CTestTestfile.cmake") << "add_test(t \"/bin/true\")\n";
    next = run_command({PROCLEAK_CTEST_PATH, "--test-dir", tree});
  }
  EXPECT_EQ(next.exit_code, sweeper == Sweeper::sweep_flag ? 3 : 0) << next.out << next.err;
  EXPECT_NE(next.err.find("swept " + left), std::string::npos) << next.err;
  EXPECT_FALSE(std::filesystem::exists(left));
  std::vector<json> swept;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(reports, ec)) {
    const auto rep = read_json(e.path().string());
    if (rep["source"] == "sweep") swept.push_back(rep);
  }
  ASSERT_EQ(swept.size(), 1u);
  EXPECT_EQ(swept[0]["test"], "swept test");
  EXPECT_EQ(swept[0]["verdict"], "leaked");
  ASSERT_EQ(swept[0]["leaks"].size(), 1u) << swept[0].dump(2);
  EXPECT_EQ(swept[0]["leaks"][0]["cmdline"], json({"sleep", "334"}));
  EXPECT_EQ(swept[0]["leaks"][0]["cleanup"], "killed");
  expect_nothing_left_anywhere({front, next.pid});
}

INSTANTIATE_TEST_SUITE_P(Sweepers, KilledLauncher,
                         ::testing::Values(Sweeper::next_start, Sweeper::sweep_flag, Sweeper::procleak_ctest),
                         [](const auto& param_info) {
                           switch (param_info.param) {
                             case Sweeper::next_start: return "ByTheNextStart";
                             case Sweeper::sweep_flag: return "BySweep";
                             case Sweeper::procleak_ctest: return "ByProcleakCtest";
                           }
                           return "";
                         });

// A sweep never touches the cgroup of a launcher that is still running,
// beside one that was killed.
TEST_F(Containment, ARunningLaunchersCgroupIsLeftAlone) {
  if (!cgroup_expected()) GTEST_SKIP() << "no cgroup here for procleak-run";
  pid_t alive_front = 0;
  std::promise<void> started;
  const std::string parent = private_parent();
  RunOptions a;
  a.while_running = [&](pid_t pid) {
    alive_front = pid;
    wait_until([&] { return !cgroup_of_front(pid, parent).empty(); });
    started.set_value();
  };
  auto alive = std::async(std::launch::async, [&] {
    return run_command(in_private_parent({kRun, "--report", dir_ + "/alive.json", "--", "sleep", "2"}), a);
  });
  started.get_future().wait();
  const auto alive_cgroup = cgroup_of_front(alive_front, parent);
  ASSERT_FALSE(alive_cgroup.empty());

  RunOptions k;
  pid_t killed_front = 0;
  k.while_running = [&](pid_t pid) {
    killed_front = pid;
    wait_until([&] {
      const auto cg = cgroup_of_front(pid, parent);
      return !cg.empty() && cgroup_procs(cg).size() >= 2;
    });
    for (const pid_t keeper : children_of(pid)) ::kill(keeper, SIGKILL);
    ::kill(pid, SIGKILL);
  };
  (void)run_command(in_private_parent({kRun, "--", "sh", "-c", "sleep 336 & exec sleep 337"}), k);
  const auto killed_cgroup = cgroup_of_front(killed_front, parent);
  ASSERT_FALSE(killed_cgroup.empty());

  // From another PID namespace (a container sharing the hierarchy) neither
  // is touched: their PIDs mean nothing there. Before: the running one was
  // taken for gone, frozen and swept.
  if (run_command({"unshare", "--pid", "--fork", "--mount-proc", "true"}).exit_code == 0) {
    const auto elsewhere = run_command({"unshare", "--pid", "--fork", "--mount-proc", kRun, "--sweep"});
    EXPECT_EQ(elsewhere.exit_code, 0) << elsewhere.err;
    EXPECT_TRUE(std::filesystem::exists(alive_cgroup)) << elsewhere.err;
    EXPECT_TRUE(std::filesystem::exists(killed_cgroup)) << elsewhere.err;
  }
  const auto sweep = run_command({kRun, "--sweep"});
  EXPECT_EQ(sweep.exit_code, 3) << sweep.err;
  EXPECT_FALSE(std::filesystem::exists(killed_cgroup));
  EXPECT_TRUE(std::filesystem::exists(alive_cgroup)) << "the running launcher's cgroup was swept";
  EXPECT_EQ(sweep.err.find(alive_cgroup), std::string::npos) << sweep.err;
  const auto r = alive.get();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_json(dir_ + "/alive.json")["verdict"], "clean");
  expect_nothing_left_anywhere({alive_front, killed_front});
}

// The cgroup's CPU time is the whole tree's: a test that burns CPU in two
// processes is charged what the same command costs when run directly.
TEST_F(Containment, TheResourcesCountTheWholeTreesCpuTime) {
  if (!cgroup_expected()) GTEST_SKIP() << "no cgroup here for procleak-run";
  const std::vector<std::string> burn{
      "sh", "-c", "b() { i=0; while [ $i -lt 150000 ]; do i=$((i+1)); done; }; b & b; wait"};
  const double before = children_cpu_seconds();
  ASSERT_EQ(run_command(burn).exit_code, 0);
  const double direct = children_cpu_seconds() - before;
  const auto r = run(burn);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto rep = report();
  ASSERT_TRUE(rep["resources"].is_object()) << rep.dump(2);
  const double charged = rep["resources"]["cpu_usec"].get<double>() / 1e6;
  std::printf("CPU: %.3f s when run directly, %.3f s in the test's cgroup\n", direct, charged);
  EXPECT_GT(charged, direct * 0.5) << rep.dump(2);
  EXPECT_LT(charged, direct * 2.0 + 0.05) << rep.dump(2);
  // Where the controllers are not enabled above, the peaks are null, not 0.
  const auto controllers = [] {
    std::ifstream in(own_cgroup_dir() + "/cgroup.subtree_control");
    std::string all;
    std::getline(in, all);
    return all;
  }();
  if (controllers.find("memory") == std::string::npos) {
    EXPECT_TRUE(rep["resources"]["memory_peak_bytes"].is_null());
  }
  if (controllers.find("pids") == std::string::npos) {
    EXPECT_TRUE(rep["resources"]["pids_peak"].is_null());
  }
  expect_nothing_left_anywhere({r.pid});
}

// --- Hierarchies other than this machine's: set up as root in a private
// mount namespace (not under in_environment.sh's wrappers, which they replace).

bool can_set_up() {
  return ::geteuid() == 0 && std::getenv("PROCLEAK_TEST_WRAP") == nullptr && !own_cgroup_dir().empty() &&
         run_command({"unshare", "-m", "true"}).exit_code == 0;
}

// sh -c SCRIPT in a private mount namespace, then procleak-run there.
RunResult in_mount_namespace(const std::string& setup, const std::vector<std::string>& launcher_argv) {
  std::string script = setup + " && exec";
  for (const auto& a : launcher_argv) script += " '" + a + "'";
  return run_command({"unshare", "-m", "--propagation", "private", "sh", "-c", script});
}

std::string cgroup2_mount_point() {
  std::ifstream mounts("/proc/self/mounts");
  for (std::string line; std::getline(mounts, line);) {
    std::istringstream words(line);
    std::string source, point, type;
    words >> source >> point >> type;
    if (type == "cgroup2") return point;
  }
  return {};
}

TEST_F(Containment, ACgroup2MountedElsewhereIsFound) {
  if (!can_set_up()) GTEST_SKIP() << "needs root, a cgroup2 hierarchy and mount namespaces";
  const std::string mount_point = dir_ + "/cg2";
  std::filesystem::create_directory(mount_point);
  const auto r = in_mount_namespace("umount -l " + cgroup2_mount_point() + " && mount -t cgroup2 none " + mount_point,
                                    {kRun, "--containment", "cgroup", "--report", report_path(), "--", "sh", "-c",
                                     "sleep 338 & exit 0"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto rep = report();
  EXPECT_EQ(rep["containment"], "cgroup") << rep.dump(2);
  ASSERT_EQ(rep["leaks"].size(), 1u) << rep.dump(2);
  EXPECT_EQ(rep["leaks"][0]["cleanup"], "terminated");
  expect_nothing_left_anywhere({r.pid});
}

TEST_F(Containment, AReadOnlyHierarchyFallsBackAndSaysWhy) {
  if (!can_set_up()) GTEST_SKIP() << "needs root, a cgroup2 hierarchy and mount namespaces";
  const auto point = cgroup2_mount_point();
  const std::string read_only = "mount --bind " + point + " " + point + " && mount -o remount,bind,ro " + point;
  const auto r = in_mount_namespace(read_only, {kRun, "--report", report_path(), "--", "sh", "-c", "sleep 339 & exit 0"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto rep = report();
  EXPECT_EQ(rep["containment"], "session") << rep.dump(2);
  EXPECT_NE(rep["containment_reason"].get<std::string>().find("EROFS"), std::string::npos) << rep.dump(2);
  ASSERT_EQ(rep["leaks"].size(), 1u) << rep.dump(2);
  EXPECT_EQ(rep["leaks"][0]["cleanup"], "terminated");
  const auto strict = in_mount_namespace(read_only, {kRun, "--containment", "cgroup", "--", "sleep", "340"});
  EXPECT_EQ(strict.exit_code, 125) << strict.err;
  EXPECT_NE(strict.err.find("--containment cgroup: cannot make a cgroup in"), std::string::npos) << strict.err;
  expect_nothing_left_anywhere({r.pid, strict.pid});
}

TEST_F(Containment, NoHierarchyFallsBackAndSaysWhy) {
  if (!can_set_up()) GTEST_SKIP() << "needs root, a cgroup2 hierarchy and mount namespaces";
  const std::string absent = "umount -l " + cgroup2_mount_point();
  const auto r = in_mount_namespace(absent, {kRun, "--report", report_path(), "--", "sh", "-c", "sleep 341 & exit 0"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto rep = report();
  EXPECT_EQ(rep["containment"], "session") << rep.dump(2);
  EXPECT_NE(rep["containment_reason"].get<std::string>().find("no cgroup2 mount"), std::string::npos) << rep.dump(2);
  const auto strict = in_mount_namespace(absent, {kRun, "--containment", "cgroup", "--", "sleep", "342"});
  EXPECT_EQ(strict.exit_code, 125) << strict.err;
  expect_nothing_left_anywhere({r.pid, strict.pid});
}

// A user who owns a cgroup (delegation, as systemd gives one) gets cgroup
// containment; without one, session containment, and the report says why.
TEST_F(Containment, NobodyWithADelegatedCgroupGetsOneAndWithoutFallsBack) {
  if (!can_set_up() || run_command({"setpriv", "--version"}).exit_code != 0) GTEST_SKIP() << "needs root and setpriv";
  const std::string delegated = own_cgroup_dir() + "/procleak-test-delegated-" + std::to_string(::getpid());
  ASSERT_EQ(::mkdir(delegated.c_str(), 0755), 0);
  ASSERT_EQ(run_command({"chown", "-R", "nobody:nogroup", delegated}).exit_code, 0);
  const std::string as_nobody = "setpriv --reuid=nobody --regid=nogroup --clear-groups";
  const auto r = run_command({"sh", "-c", "echo $$ > " + delegated + "/cgroup.procs && exec " + as_nobody + " " + kRun +
                                              " --containment cgroup --report " + report_path() +
                                              " -- sh -c 'sleep 343 & exit 0'"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  auto rep = report();
  EXPECT_EQ(rep["containment"], "cgroup") << rep.dump(2);
  ASSERT_EQ(rep["leaks"].size(), 1u) << rep.dump(2);
  EXPECT_EQ(rep["leaks"][0]["cleanup"], "terminated");
  reap_own_zombies();
  EXPECT_TRUE(wait_until([&] { return ::rmdir(delegated.c_str()) == 0; })) << "procleak left a cgroup in " << delegated;

  const auto without = run_command({"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", kRun, "--report",
                                    report_path(), "--", "sh", "-c", "sleep 344 & exit 0"});
  EXPECT_EQ(without.exit_code, 3) << without.err;
  rep = report();
  EXPECT_EQ(rep["containment"], "session") << rep.dump(2);
  EXPECT_NE(rep["containment_reason"].get<std::string>().find("EACCES"), std::string::npos) << rep.dump(2);
  expect_nothing_left_anywhere({without.pid});
}

}  // namespace
