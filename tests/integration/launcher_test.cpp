// procleak-run end to end: real leaky programs, the real launcher, and the
// real process table as the judge.
#include <gtest/gtest.h>
#include <sstream>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "process_oracle.hpp"
#include "launcher_run.hpp"
#include "process_test.hpp"
#include "run_command.hpp"
#include "report_archive.hpp"

namespace {

using nlohmann::json;
using procleak_test::descendants_of;
using procleak_test::run_command;
using procleak_test::RunOptions;
using procleak_test::RunResult;

const std::string kRun = PROCLEAK_RUN_PATH;
const std::string kExamples = PROCLEAK_EXAMPLES_DIR;
const std::string kHelpers = PROCLEAK_HELPERS_DIR;

class Launcher : public procleak_test::LauncherRun {
 protected:
  Launcher() : LauncherRun(kRun) {}

  static const json* leak_named(const json& r, const std::string& comm) {
    for (const auto& l : r["leaks"]) {
      if (l["comm"] == comm) return &l;
    }
    return nullptr;
  }

  // The oracle's verdict: every PID in the report is gone, and the test binary
  // has no descendant left (the launcher itself has exited).
  static void expect_all_gone(const json& r) {
    for (const auto& l : r["leaks"]) {
      EXPECT_FALSE(procleak_test::exists(l["pid"].get<pid_t>())) << "still there: " << l.dump();
    }
    expect_nothing_left();
  }
};

TEST_F(Launcher, TrueExitsZeroAndPrintsNothing) {
  const auto r = run_command({kRun, "--", "true"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
}

// --meson: a leak ends procleak-run with 99 (Meson's hard error) whether the
// test passed or failed, so a should_fail test cannot hide it; a clean test
// keeps its own status.
TEST_F(Launcher, MesonRuleALeakExitsNinetyNineWhateverTheTestsStatus) {
  for (const char* status : {"0", "1"}) {
    const auto r = run({"sh", "-c", std::string("sleep 347 & exit ") + status}, {"--meson"});
    EXPECT_EQ(r.exit_code, 99) << "test exited " << status << ": " << r.err;
    EXPECT_NE(r.err.find("exiting with 99, which Meson fails whatever should_fail says"), std::string::npos) << r.err;
    const auto rep = report();
    ASSERT_EQ(rep["leaks"].size(), 1u) << rep.dump(2);
    EXPECT_EQ(rep["verdict"], "leaked");
    expect_nothing_left();
  }
  EXPECT_EQ(run({"sh", "-c", "exit 1"}, {"--meson"}).exit_code, 1);
  EXPECT_EQ(run({"true"}, {"--meson"}).exit_code, 0);
}

TEST_F(Launcher, ShellBackgroundSleepIsAnOrphanKilledWithinASecond) {
  const auto r = run({"sh", "-c", "sleep 300 & exit 0"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_LT(r.seconds, 5.0) << "must not wait for the sleep";
  const auto rep = report();
  ASSERT_EQ(rep["leaks"].size(), 1u) << rep.dump(2);
  const auto& leak = rep["leaks"][0];
  EXPECT_EQ(leak["cmdline"], json({"sleep", "300"}));
  EXPECT_EQ(leak["kinds"], json({"orphan"}));
  EXPECT_EQ(leak["cleanup"], "terminated");
  EXPECT_NE(r.err.find("PID " + std::to_string(leak["pid"].get<int>())), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("sleep 300"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("orphan"), std::string::npos) << r.err;
  expect_all_gone(rep);
}

TEST_F(Launcher, BackgroundServerHoldingStdout) {
  const auto r = run({kExamples + "/server_left_running_test"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.out.find("started server"), std::string::npos) << "stdout passes through";
  const auto rep = report();
  EXPECT_EQ(rep["verdict"], "leaked");
  ASSERT_EQ(rep["leaks"].size(), 1u) << rep.dump(2);
  EXPECT_EQ(rep["leaks"][0]["kinds"], json({"orphan"}));
  EXPECT_EQ(rep["leaks"][0]["holds_test_output"], true);
  EXPECT_EQ(rep["leaks"][0]["cleanup"], "terminated");
  expect_all_gone(rep);
}

TEST_F(Launcher, BackgroundChildWithRedirectedOutputDoesNotHoldIt) {
  const auto r = run({kHelpers + "/helper_redirected_child"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto rep = report();
  ASSERT_EQ(rep["leaks"].size(), 1u) << rep.dump(2);
  EXPECT_EQ(rep["leaks"][0]["holds_test_output"], false);
  expect_all_gone(rep);
}

TEST_F(Launcher, SetsidDaemonEscapedViaSession) {
  const auto r = run({kExamples + "/setsid_daemon_test"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto rep = report();
  ASSERT_EQ(rep["leaks"].size(), 1u) << rep.dump(2);
  const auto& leak = rep["leaks"][0];
  EXPECT_EQ(leak["kinds"], json({"orphan", "escaped"}));
  EXPECT_EQ(leak["escaped_via"], "session");
  EXPECT_NE(r.err.find("left the session via setsid"), std::string::npos) << r.err;
  expect_all_gone(rep);
}

TEST_F(Launcher, ZombieUnderALivingHelper) {
  const auto r = run({kExamples + "/zombie_test"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto rep = report();
  ASSERT_EQ(rep["leaks"].size(), 2u) << rep.dump(2);
  const json* zombie = nullptr;
  const json* helper = nullptr;
  for (const auto& l : rep["leaks"]) (l["state"] == "Z" ? zombie : helper) = &l;
  ASSERT_TRUE(zombie && helper) << rep.dump(2);
  EXPECT_EQ((*zombie)["kinds"], json({"zombie"}));
  EXPECT_EQ((*zombie)["original_parent"], (*helper)["pid"]);
  EXPECT_EQ((*zombie)["cleanup"], "reaped");
  EXPECT_EQ((*helper)["kinds"], json({"orphan"}));
  EXPECT_EQ((*helper)["cleanup"], "terminated");
  EXPECT_NE(r.err.find("never reaped by PID " + std::to_string((*helper)["pid"].get<int>()) + " (zombie_test)"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(rep["cleanup"]["reaped"], 1);
  EXPECT_EQ(rep["cleanup"]["terminated"], 1);
  expect_all_gone(rep);
}

// It ignores SIGTERM (seen while procleak holds it stopped), so the SIGTERM is
// dropped on arrival: SIGKILL follows at once instead of after the grace.
TEST_F(Launcher, SigtermIgnorerIsKilledWithoutWaitingTheGrace) {
  const auto r = run({kHelpers + "/helper_term_ignorer"}, {"--grace", "2s"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto rep = report();
  ASSERT_EQ(rep["leaks"].size(), 1u) << rep.dump(2);
  EXPECT_EQ(rep["leaks"][0]["cleanup"], "killed");
  EXPECT_EQ(rep["cleanup"]["killed"], 1);
  EXPECT_LT(rep["cleanup"]["duration_ms"].get<double>(), 1000.0) << "waited for a SIGTERM it dropped";
  expect_all_gone(rep);
}

// A SIGTERM handler that shuts down slowly, and ignores further SIGTERMs while
// it does (a common pattern), gets the grace: it is terminated, not killed.
TEST_F(Launcher, SlowShutdownHandlerThatThenIgnoresSigtermGetsTheGrace) {
  // The test's shell exits only once the handler is installed (at most 10 s).
  const std::string ready = dir_ + "/handler-installed";
  const std::string script =
      "sh -c \"trap 'trap \\\"\\\" TERM; sleep 0.3; exit 0' TERM; : > " + ready +
      "; while :; do sleep 0.05; done\" &\n"
      "i=0; until [ -e " + ready + " ] || [ $i -ge 1000 ]; do sleep 0.01; i=$((i+1)); done\n";
  const auto r = run({"sh", "-c", script}, {"--grace", "5s"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto rep = report();
  const json* handler = nullptr;
  for (const auto& l : rep["leaks"]) {
    if (l["comm"] == "sh") handler = &l;
  }
  ASSERT_NE(handler, nullptr) << rep.dump(2);
  EXPECT_EQ((*handler)["cleanup"], "terminated") << rep.dump(2);
  EXPECT_GE(rep["cleanup"]["duration_ms"].get<double>(), 250.0) << "its shutdown was cut short";
  expect_all_gone(rep);
}

TEST_F(Launcher, CleanTestWithWaitedChild) {
  const auto r = run({kExamples + "/clean_test"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const auto rep = report();
  EXPECT_EQ(rep["verdict"], "clean");
  EXPECT_TRUE(rep["leaks"].empty());
  EXPECT_EQ(rep["exit"]["code"], 0);
  expect_all_gone(rep);
}

TEST_F(Launcher, ExitCodesAreMirrored) {
  for (const int code : {0, 1, 42}) {
    const auto r = run_command({kRun, "--", "sh", "-c", "exit " + std::to_string(code)});
    EXPECT_EQ(r.exit_code, code);
    EXPECT_EQ(r.signal, 0);
  }
}

TEST_F(Launcher, FailingTestThatAlsoLeakedKeepsItsOwnCode) {
  const auto r = run({"sh", "-c", "sleep 300 & exit 42"});
  EXPECT_EQ(r.exit_code, 42);
  EXPECT_EQ(report()["verdict"], "leaked");
  expect_all_gone(report());
}

TEST_F(Launcher, DeathBySigabrtIsMirrored) {
  const auto r = run({"sh", "-c", "kill -ABRT $$"});
  EXPECT_EQ(r.signal, SIGABRT) << "exit code " << r.exit_code << ": " << r.err;
  const auto rep = report();
  EXPECT_TRUE(rep["exit"]["code"].is_null());
  EXPECT_EQ(rep["exit"]["signal"], "SIGABRT");
}

TEST_F(Launcher, OrphansOfAKilledTestSurvivedAParentKill) {
  const auto r = run({"sh", "-c", "sleep 300 & kill -KILL $$"});
  EXPECT_EQ(r.signal, SIGKILL);
  const auto rep = report();
  ASSERT_EQ(rep["leaks"].size(), 1u) << rep.dump(2);
  EXPECT_EQ(rep["leaks"][0]["kinds"], json({"orphan", "parent_kill_survivor"}));
  EXPECT_EQ(rep["exit"]["signal"], "SIGKILL");
  expect_all_gone(rep);
}

// The lineage tests below: where the kernel's process-events connector
// cannot deliver (outside the initial PID namespace: the IN_PID_NAMESPACE
// run of this suite), lineage is null with the reason; everywhere else it
// must be there.

// The lineage of the leak whose cmdline ends in arg, or a failure.
const json& lineage_of(const json& rep, const std::string& arg) {
  for (const auto& l : rep["leaks"]) {
    if (!l["cmdline"].empty() && l["cmdline"].back() == arg) return l["lineage"];
  }
  static const json none;
  ADD_FAILURE() << "no leak with argument " << arg << " in " << rep.dump(2);
  return none;
}

TEST_F(Launcher, OrphanTwoLevelsBelowAnExitedBashHasBothAncestorsWithTheirExitCodes) {
  // The inner bash lives 0.2 s: its command line is read from /proc at its
  // exec event, while it runs (one that exits at once keeps only its name).
  const auto r = run({"bash", "-c", "bash -c 'sleep 310 & sleep 0.2; exit 4'; exit 0"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto rep = report();
  ASSERT_EQ(rep["leaks"].size(), 1u) << rep.dump(2);
  if (procleak_test::lineage_refused(rep)) {
    // Without lineage the orphan's parent is unknown: a plain orphan.
    EXPECT_EQ(rep["leaks"][0]["kinds"], json({"orphan"})) << rep.dump(2);
    expect_all_gone(rep);
    return;
  }
  const auto& lineage = lineage_of(rep, "310");
  ASSERT_EQ(lineage.size(), 2u) << rep.dump(2);
  EXPECT_EQ(lineage[0]["comm"], "bash");
  EXPECT_EQ(lineage[0]["cmdline"], json({"bash", "-c", "bash -c 'sleep 310 & sleep 0.2; exit 4'; exit 0"}));
  EXPECT_EQ(lineage[0]["exit"], json({{"code", 0}, {"signal", nullptr}}));
  EXPECT_EQ(lineage[1]["comm"], "bash");
  EXPECT_EQ(lineage[1]["cmdline"], json({"bash", "-c", "sleep 310 & sleep 0.2; exit 4"}));
  EXPECT_EQ(lineage[1]["exit"], json({{"code", 4}, {"signal", nullptr}}));
  const auto& leak = rep["leaks"][0];
  EXPECT_EQ(leak["kinds"], json({"orphan"}));
  EXPECT_EQ(leak["original_parent"], lineage[1]["pid"]) << "its own parent, the inner bash";
  EXPECT_NE(r.err.find("parent PID " + std::to_string(lineage[1]["pid"].get<int>()) + " (bash) exited with 4"),
            std::string::npos)
      << r.err;
  expect_all_gone(rep);
}

// After a crash, an orphan survived a parent kill only if its own parent was
// the one killed: one whose parent exited normally long before did not.
TEST_F(Launcher, AfterACrashOnlyTheOrphanOfTheKilledParentIsASurvivor) {
  const auto r = run({"sh", "-c", "sleep 311 & bash -c 'sleep 312 & exit 0'; kill -KILL $$"});
  EXPECT_EQ(r.signal, SIGKILL);
  const auto rep = report();
  ASSERT_EQ(rep["leaks"].size(), 2u) << rep.dump(2);
  const auto kinds_of = [&](const std::string& arg) {
    for (const auto& l : rep["leaks"]) {
      if (l["cmdline"].back() == arg) return l["kinds"];
    }
    return json();
  };
  EXPECT_EQ(kinds_of("311"), json({"orphan", "parent_kill_survivor"})) << rep.dump(2);
  if (procleak_test::lineage_refused(rep)) {
    // Without lineage, every orphan of a killed test is taken for a survivor.
    EXPECT_EQ(kinds_of("312"), json({"orphan", "parent_kill_survivor"})) << rep.dump(2);
    expect_all_gone(rep);
    return;
  }
  EXPECT_EQ(kinds_of("312"), json({"orphan"})) << rep.dump(2);
  const auto& survivor = lineage_of(rep, "311");
  ASSERT_EQ(survivor.size(), 1u) << rep.dump(2);
  EXPECT_EQ(survivor[0]["exit"], json({{"code", nullptr}, {"signal", "SIGKILL"}}));
  const auto& normal = lineage_of(rep, "312");
  ASSERT_EQ(normal.size(), 2u) << rep.dump(2);
  EXPECT_EQ(normal[1]["exit"], json({{"code", 0}, {"signal", nullptr}}));
  expect_all_gone(rep);
}

// clone(CLONE_PARENT) from the test's main process: the child is procleak's
// child from birth, beside the test. Caught either way; with lineage it is a
// stray started with CLONE_PARENT (the kernel's fork event names procleak as
// its parent). Before: "orphan", "parent exited". Without the connector
// nothing tells it from an orphan, and the report says it is one.
TEST_F(Launcher, ACloneParentChildOfTheTestIsAStrayStartedWithCloneParent) {
  const auto r = run({kHelpers + "/helper_clone_parent", "sleep", "314"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto rep = report();
  ASSERT_EQ(rep["leaks"].size(), 1u) << rep.dump(2);
  const auto& leak = rep["leaks"][0];
  EXPECT_EQ(leak["cmdline"], json({"sleep", "314"}));
  EXPECT_EQ(leak["cleanup"], "terminated");
  if (procleak_test::lineage_refused(rep)) {
    EXPECT_EQ(leak["kinds"], json({"orphan"})) << rep.dump(2);
    EXPECT_EQ(leak["clone_parent"], false) << rep.dump(2);
  } else {
    EXPECT_EQ(leak["kinds"], json({"stray"})) << rep.dump(2);
    EXPECT_EQ(leak["clone_parent"], true) << rep.dump(2);
    EXPECT_EQ(leak["lineage"], json::array()) << "procleak is its parent: no ancestor of the test's";
    EXPECT_NE(r.err.find("started with CLONE_PARENT, beside the process that made it"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("parent exited"), std::string::npos) << r.err;
  }
  expect_all_gone(rep);
}

// The connector out of reach (socket() refused by seccomp): lineage null and
// why, and otherwise the same report as with it.
TEST_F(Launcher, ConnectorRefusedGivesNullLineageAndWhyAndOtherwiseTheSameReport) {
  const std::vector<std::string> command{"sh", "-c", "sleep 313 & exit 0"};
  const auto with = run(command);
  const auto rep_with = report();
  std::vector<std::string> argv{kHelpers + "/helper_refuse_syscalls", "eperm", "socket", kRun, "--report",
                                report_path(), "--"};
  argv.insert(argv.end(), command.begin(), command.end());
  const auto without = run_command(argv);
  const auto rep = report();
  EXPECT_EQ(without.exit_code, 3) << without.err;
  EXPECT_EQ(with.exit_code, without.exit_code);
  if (!procleak_test::outside_initial_pid_namespace()) {  // there, that is the reason given first
    EXPECT_EQ(rep["lineage_unavailable"], "the process-events connector cannot be opened: socket (EPERM)")
        << rep.dump(2);
  }
  ASSERT_EQ(rep["leaks"].size(), 1u) << rep.dump(2);
  EXPECT_TRUE(rep["leaks"][0]["lineage"].is_null());
  ASSERT_EQ(rep_with["leaks"].size(), 1u) << rep_with.dump(2);
  for (const char* field : {"comm", "cmdline", "kinds", "cleanup", "holds_test_output", "escaped_via"}) {
    EXPECT_EQ(rep["leaks"][0][field], rep_with["leaks"][0][field]) << field;
  }
  EXPECT_EQ(rep["verdict"], rep_with["verdict"]);
  if (!procleak_test::lineage_refused(rep_with)) {
    EXPECT_FALSE(rep_with["leaks"][0]["lineage"].is_null()) << rep_with.dump(2);
  }
  expect_all_gone(rep);
}

// Lineage follows thread groups. Before: a parent whose main thread called
// pthread_exit was "exited with 0" from then on, its real end (SIGKILL,
// exit 5) and its later fork were ignored, so its orphan was not a
// survivor of its parent's kill.
TEST_F(Launcher, AParentWhoseMainThreadExitedEndsWithItsLastThread) {
  for (const std::string mode : {"fork-then-kill", "fork-then-exit"}) {
    const auto r = run({"sh", "-c", kHelpers + "/helper_main_thread_exits " + mode + "; sleep 0.2; exit 0"});
    EXPECT_EQ(r.exit_code, 3) << mode << ": " << r.err;
    const auto rep = report();
    ASSERT_EQ(rep["leaks"].size(), 1u) << rep.dump(2);
    const auto& leak = rep["leaks"][0];
    EXPECT_EQ(leak["comm"], "sleep");
    if (procleak_test::lineage_refused(rep)) {
      EXPECT_EQ(leak["kinds"], json({"orphan"})) << "without lineage its parent's end is unknown";
      expect_all_gone(rep);
      continue;
    }
    const auto& lineage = lineage_of(rep, "300");
    ASSERT_EQ(lineage.size(), 2u) << rep.dump(2);
    EXPECT_EQ(lineage[1]["comm"], "helper_main_thr") << rep.dump(2);
    if (mode == "fork-then-kill") {
      EXPECT_EQ(lineage[1]["exit"], json({{"code", nullptr}, {"signal", "SIGKILL"}})) << rep.dump(2);
      EXPECT_EQ(leak["kinds"], json({"orphan", "parent_kill_survivor"})) << rep.dump(2);
    } else {
      EXPECT_EQ(lineage[1]["exit"], json({{"code", 5}, {"signal", nullptr}})) << rep.dump(2);
      EXPECT_EQ(leak["kinds"], json({"orphan"})) << rep.dump(2);
    }
    expect_all_gone(rep);
  }
}

TEST_F(Launcher, LineageOffIsNullAndSaysSo) {
  const auto r = run({"sh", "-c", "sleep 314 & exit 0"}, {"--lineage", "off"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto rep = report();
  EXPECT_EQ(rep["lineage_unavailable"], "turned off (--lineage off)");
  ASSERT_EQ(rep["leaks"].size(), 1u) << rep.dump(2);
  EXPECT_TRUE(rep["leaks"][0]["lineage"].is_null());
  expect_all_gone(rep);
}

// "A stray server holds a port": the report says which.
TEST_F(Launcher, LeakedServerNamesItsPortsAndSocketPath) {
  const std::string ports_file = dir_ + "/ports";
  const std::string socket_path = dir_ + "/app.sock";
  const auto r = run({"sh", "-c", "\"$0\" \"$1\" \"$2\" && while [ ! -e \"$1\" ]; do sleep 0.01; done",
                      kHelpers + "/helper_server", ports_file, socket_path});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  unsigned tcp = 0, udp = 0, tcp6 = 0;
  std::ifstream(ports_file) >> tcp >> udp >> tcp6;
  ASSERT_NE(tcp, 0u) << "the server did not start";
  const auto rep = report();
  ASSERT_EQ(rep["leaks"].size(), 1u) << rep.dump(2);
  json expected = {"tcp 127.0.0.1:" + std::to_string(tcp)};
  if (tcp6 != 0) expected.push_back("tcp6 [::1]:" + std::to_string(tcp6));
  expected.push_back("udp 127.0.0.1:" + std::to_string(udp));
  expected.push_back("unix " + socket_path);
  EXPECT_EQ(rep["leaks"][0]["listening"], expected) << rep.dump(2);
  EXPECT_NE(r.err.find("listens on tcp 127.0.0.1:" + std::to_string(tcp) + ", "), std::string::npos) << r.err;
  expect_all_gone(rep);
}

TEST_F(Launcher, ProbeFindsTheChildThatIgnoresItsParentsDeath) {
  const auto r = run({kHelpers + "/helper_probe_tree"}, {"--probe-parent-kill"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto rep = report();
  ASSERT_EQ(rep["leaks"].size(), 3u) << rep.dump(2);
  const auto& parent = rep["leaks"][0];  // parents come first
  EXPECT_EQ(parent["kinds"], json({"orphan"}));
  EXPECT_EQ(parent["cleanup"], "killed");
  int survivors = 0;
  int died_with_parent = 0;
  for (const auto& l : rep["leaks"]) {
    if (l["pid"] == parent["pid"]) continue;
    const bool survived = std::find(l["kinds"].begin(), l["kinds"].end(), "parent_kill_survivor") != l["kinds"].end();
    if (survived) {
      ++survivors;
      EXPECT_EQ(l["cleanup"], "terminated") << l.dump();
      EXPECT_EQ(l["original_parent"], parent["pid"]);
    } else {
      ++died_with_parent;
      EXPECT_EQ(l["cleanup"], "exited") << l.dump();
    }
  }
  EXPECT_EQ(survivors, 1) << rep.dump(2);
  EXPECT_EQ(died_with_parent, 1) << rep.dump(2);
  expect_all_gone(rep);
}

TEST_F(Launcher, TimeoutStopsTheTestAndReportsItsSurvivors) {
  const auto r = run({"sh", "-c", "sleep 300 & exec sleep 301"}, {"--timeout", "300ms", "--grace", "500ms"});
  EXPECT_EQ(r.exit_code, 124) << r.err;
  EXPECT_LT(r.seconds, 10.0);
  EXPECT_NE(r.err.find("timed out after 300ms"), std::string::npos) << r.err;
  const auto rep = report();
  EXPECT_EQ(rep["exit"]["signal"], "SIGTERM");
  const json* survivor = leak_named(rep, "sleep");
  ASSERT_NE(survivor, nullptr) << rep.dump(2);
  EXPECT_EQ((*survivor)["kinds"], json({"orphan", "parent_kill_survivor"}));
  expect_all_gone(rep);
}

TEST_F(Launcher, ProcessExitingDuringSettleIsNoLeak) {
  const auto r = run({"sh", "-c", "(sleep 0.05) & exit 0"}, {"--settle", "5s"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(report()["verdict"], "clean");
  EXPECT_LT(r.seconds, 4.0) << "the settle wait ends when the last process exits";
}

TEST_F(Launcher, StdinAndStdoutPassThrough) {
  RunOptions o;
  o.stdin_text = "hello through the launcher\n";
  const auto r = run_command({kRun, "--", "cat"}, o);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, o.stdin_text);
}

// The test gets exactly the descriptors the caller handed the launcher, not
// one of the launcher's own (each is close-on-exec, which is what lets the
// spawn keep every descriptor instead of listing /proc/self/fd first).
TEST_F(Launcher, TheTestGetsExactlyTheDescriptorsItWasHanded) {
  const std::string list_fds =
      "for f in $(seq 0 64) 200 255 1000; do [ -e /proc/$$/fd/$f ] && printf '%s ' $f; done; true";
  const std::string hand = "exec 7</dev/null 9</dev/null 200</dev/null; ";
  const auto without = run_command({"bash", "-c", hand + "exec sh -c \"$0\"", list_fds});
  const auto r = run_command({"bash", "-c", hand + "exec \"$0\" -- sh -c \"$1\"", kRun, list_fds});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // Whatever this test binary itself passes on is there in both.
  EXPECT_EQ(r.out, without.out) << "the same command without the launcher";
  EXPECT_NE(r.out.find(" 7 9 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" 200 "), std::string::npos) << r.out;
}

// argv[0] as execvp gives it: the name the caller used, not the path found.
TEST_F(Launcher, TheTestGetsItsArgv0AsGiven) {
  const auto r = run_command({kRun, "--", "sh", "-c", "echo $0"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "sh\n");
  const auto path = run_command({kRun, "--", "/bin/sh", "-c", "echo $0"});
  EXPECT_EQ(path.out, "/bin/sh\n");
}

TEST_F(Launcher, ReportDirGetsOneUniqueReportPerRun) {
  const std::string reports = dir_ + "/reports";
  for (int i = 0; i < 3; ++i) {
    const auto r = run_command({kRun, "--report-dir", reports, "--", kExamples + "/clean_test",
                                "--gtest_filter=Suite.Case"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(reports)) {
    ++n;
    EXPECT_EQ(e.path().extension(), ".json");
    EXPECT_EQ(e.path().filename().string().rfind("Suite.Case.", 0), 0u) << e.path();
    EXPECT_EQ(procleak_test::read_report(e.path())["test"], "Suite.Case");
  }
  EXPECT_EQ(n, 3);
}

TEST_F(Launcher, ReportDirFromTheEnvironmentAndNameFlag) {
  RunOptions o;
  o.env["PROCLEAK_REPORT_DIR"] = dir_ + "/env-reports";
  const auto r = run_command({kRun, "--name", "My Test", "--", "true"}, o);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_ + "/env-reports")) {
    ++n;
    EXPECT_EQ(procleak_test::read_report(e.path())["test"], "My Test");
  }
  EXPECT_EQ(n, 1);
}

TEST_F(Launcher, ModeWarnReportsButPasses) {
  const auto r = run({"sh", "-c", "sleep 300 & exit 0"}, {"--mode", "warn"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.err.find("mode warn"), std::string::npos) << r.err;
  EXPECT_EQ(report()["verdict"], "leaked");
  expect_all_gone(report());
}

TEST_F(Launcher, ModeOffOnlyRunsTheCommand) {
  const auto r = run({"sh", "-c", "sleep 300 & echo $PPID; exit 0"}, {"--mode", "off"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "");
  EXPECT_FALSE(std::filesystem::exists(report_path())) << "mode off writes no report";
  // procleak-run exec'd the command: the shell's parent was this test binary.
  EXPECT_EQ(r.out, std::to_string(getpid()) + "\n");
  // Nothing cleaned the sleep: it came back to this (subreaper) test binary.
  EXPECT_EQ(descendants_of(getpid()).size(), 1u);
}

TEST_F(Launcher, CustomLeakExitCode) {
  RunOptions o;
  o.env["PROCLEAK_LEAK_EXIT_CODE"] = "9";
  EXPECT_EQ(run({"sh", "-c", "sleep 300 & exit 0"}, {}, o).exit_code, 9);
  EXPECT_EQ(run({"sh", "-c", "sleep 300 & exit 0"}, {"--leak-exit-code", "11"}, o).exit_code, 11);
}

TEST_F(Launcher, SigtermToTheLauncherIsForwardedThenEverythingIsCleaned) {
  RunOptions o;
  o.while_running = [](pid_t launcher) {
    // Wait until the test's tree is up (the escaped sleep exists), then signal.
    for (int i = 0; i < 500; ++i) {
      bool ready = false;
      for (const auto& p : descendants_of(launcher)) ready = ready || p.name == "sleep";
      if (ready) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(launcher, SIGTERM);
  };
  const auto r = run({"sh", "-c", "setsid sleep 300 & wait"}, {}, o);
  EXPECT_EQ(r.signal, SIGTERM) << "exit " << r.exit_code << ": " << r.err;
  const auto rep = report();
  EXPECT_EQ(rep["exit"]["signal"], "SIGTERM");
  const json* escaped = leak_named(rep, "sleep");
  ASSERT_NE(escaped, nullptr) << rep.dump(2);
  EXPECT_EQ((*escaped)["escaped_via"], "session");
  expect_all_gone(rep);
}

TEST_F(Launcher, CommandNotFoundIs127) {
  auto r = run_command({kRun, "--", "procleak-no-such-command"});
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_NE(r.err.find("procleak-no-such-command: command not found"), std::string::npos) << r.err;
  r = run_command({kRun, "--", dir_ + "/missing"});
  EXPECT_EQ(r.exit_code, 127) << r.err;
  EXPECT_TRUE(descendants_of(getpid()).empty());
}

TEST_F(Launcher, CommandNotExecutableIs126) {
  const std::string script = dir_ + "/not-executable.sh";
  std::ofstream(script) << "#!/bin/sh\nexit 0\n";
  chmod(script.c_str(), 0644);
  auto r = run_command({kRun, "--", script});
  EXPECT_EQ(r.exit_code, 126) << r.err;
  EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
  r = run_command({kRun, "--", dir_});  // a directory
  EXPECT_EQ(r.exit_code, 126) << r.err;
  // Executable, but not a format the kernel runs: as execvp(3) does, it is
  // handed to /bin/sh, so it fails exactly as it does without the check.
  const std::string garbage = dir_ + "/garbage";
  std::ofstream(garbage) << "\x01\x02 not a program\n";
  chmod(garbage.c_str(), 0755);
  r = run_command({kRun, "--", garbage});
  const auto unchecked = run_command({kRun, "--mode", "off", "--", garbage});
  EXPECT_EQ(r.exit_code, unchecked.exit_code) << r.err;
  EXPECT_EQ(r.err, unchecked.err);
  // Found on PATH only without the x bit: 126 as well, as a shell says.
  RunOptions on_path;
  on_path.env["PATH"] = dir_;
  r = run_command({kRun, "--", "not-executable.sh"}, on_path);
  EXPECT_EQ(r.exit_code, 126) << r.err;
  EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
}

TEST_F(Launcher, TheFrontsInternalVariableFromOutsideIsIgnored) {
  // Only the front's own re-exec after its keeper died may run the cleanup
  // alone: set by anyone else, the test runs as usual.
  RunOptions o;
  o.env["PROCLEAK_INTERNAL_AFTER_KEEPER"] = "9";
  const auto r = run({"sh", "-c", "echo ran; exit 4"}, {}, o);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_EQ(r.out, "ran\n");
}

TEST_F(Launcher, UsageErrorsAre125AndNameTheFlag) {
  auto r = run_command({kRun, "--bogus", "--", "true"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_EQ(r.err, "procleak-run: unknown option '--bogus' (see --help)\n");
  r = run_command({kRun, "--grace", "2x", "--", "true"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_NE(r.err.find("--grace: invalid duration '2x'"), std::string::npos) << r.err;
  RunOptions o;
  o.env["PROCLEAK_SETTLE"] = "later";
  r = run_command({kRun, "--", "true"}, o);
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_NE(r.err.find("PROCLEAK_SETTLE: invalid duration 'later'"), std::string::npos) << r.err;
  r = run_command({kRun});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_NE(r.err.find("no command given"), std::string::npos);
}

TEST_F(Launcher, UnusableReportDirIs125BeforeTheTestRuns) {
  const std::string file = dir_ + "/a-file";
  std::ofstream(file) << "x";
  const auto r = run_command({kRun, "--report-dir", file, "--", "sh", "-c", "echo ran"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_EQ(r.out, "") << "the test must not have run";
  EXPECT_NE(r.err.find("--report-dir " + file), std::string::npos) << r.err;
}

// --report writes only where it was asked. Before: whatever PATH named
// became a regular file (run as root, --report /dev/stdout turned the
// machine's /dev/stdout symlink into a file). Each case on files of the
// test's own, never on the machine's /dev.
TEST_F(Launcher, ReportIntoASymlinkWritesItsTargetAndTheLinkStays) {
  const std::string target = dir_ + "/target.json";
  const std::string link = dir_ + "/link.json";
  std::ofstream(target) << "old";
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  auto r = run_command({kRun, "--report", link, "--", "true"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  struct stat st{};
  ASSERT_EQ(::lstat(link.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode)) << "the link stays a link";
  EXPECT_EQ(read_json(target)["verdict"], "clean");
  // A link to nothing yet: its target is created.
  const std::string dangling = dir_ + "/dangling.json";
  ASSERT_EQ(::symlink("made-by-report.json", dangling.c_str()), 0);
  r = run_command({kRun, "--report", dangling, "--", "true"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(::lstat(dangling.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(read_json(dir_ + "/made-by-report.json")["verdict"], "clean");
}

TEST_F(Launcher, ReportIntoAFifoOrADeviceIsWrittenStraightIn) {
  const std::string fifo = dir_ + "/report.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0666), 0);
  ASSERT_EQ(::chmod(fifo.c_str(), 0666), 0);  // writable for a launcher run as nobody (env.unprivileged)
  // The reading end open first (without waiting for a writer), so the
  // launcher finds a reader; the report fits in the FIFO's buffer.
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(reader, 0);
  auto r = run_command({kRun, "--report", fifo, "--", "true"});
  std::string read_back;
  char buf[4096];
  for (ssize_t n; (n = ::read(reader, buf, sizeof buf)) > 0;) read_back.append(buf, static_cast<std::size_t>(n));
  ::close(reader);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  procleak_test::archive_report(read_back);
  EXPECT_EQ(nlohmann::json::parse(read_back)["verdict"], "clean") << read_back;
  struct stat st{};
  ASSERT_EQ(::lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode)) << "still a FIFO";
  // A link of our own to /dev/null: written into the device, both stay.
  const std::string null_link = dir_ + "/null.json";
  ASSERT_EQ(::symlink("/dev/null", null_link.c_str()), 0);
  r = run_command({kRun, "--report", null_link, "--", "true"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(::lstat(null_link.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
}

TEST_F(Launcher, ReportPathThatCannotBeWrittenIs125BeforeTheTestRuns) {
  const std::string marker = dir_ + "/ran";
  const std::vector<std::string> test{"sh", "-c", "touch \"$0\"", marker};
  const auto expect_refused = [&](const std::string& path, const std::string& why) {
    std::vector<std::string> argv{kRun, "--report", path, "--"};
    argv.insert(argv.end(), test.begin(), test.end());
    const auto r = run_command(argv);
    EXPECT_EQ(r.exit_code, 125) << path << ": " << r.err;
    EXPECT_NE(r.err.find("--report " + path), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(why), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
    EXPECT_FALSE(std::filesystem::exists(marker)) << path << ": the test must not have run";
  };
  expect_refused(dir_, "is a folder");
  expect_refused(dir_ + "/no/such/folder/r.json", "No such file or directory");
  struct stat st{};
  ASSERT_EQ(::stat(dir_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode)) << "nothing touched";
}

TEST_F(Launcher, UnwritableReportDirIs125BeforeTheTestRuns) {
  // Checked as the user procleak-run runs as: nobody, for whom a folder of
  // mode 0555 is not writable (root could write it anyway).
  const std::string reports = dir_ + "/read-only";
  ASSERT_EQ(::mkdir(reports.c_str(), 0555), 0);
  const std::string marker = dir_ + "/ran";
  std::vector<std::string> argv{kRun, "--report-dir", reports, "--", "sh", "-c", "touch \"$0\"", marker};
  if (::geteuid() == 0) argv.insert(argv.begin(), {"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"});
  const auto r = run_command(argv);
  EXPECT_EQ(r.exit_code, 125) << r.err;
  EXPECT_NE(r.err.find("--report-dir " + reports + ": cannot create files there: Permission denied"), std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(marker)) << "the test must not have run";
}

TEST_F(Launcher, SuppressedLeakIsKilledButDoesNotFail) {
  const std::string supp = dir_ + "/supp.txt";
  std::ofstream(supp) << "# known\ntest:sh?-c* cmdline:sleep 3*\n";
  const auto r = run({"sh", "-c", "sleep 300 & exit 0"}, {"--suppressions", supp});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("(all suppressed)"), std::string::npos) << r.err;
  const auto rep = report();
  EXPECT_EQ(rep["verdict"], "suppressed");
  ASSERT_EQ(rep["leaks"].size(), 1u);
  EXPECT_EQ(rep["leaks"][0]["suppressed_by"], "test:sh?-c* cmdline:sleep 3*");
  EXPECT_EQ(rep["leaks"][0]["cleanup"], "terminated");
  expect_all_gone(rep);
}

TEST_F(Launcher, SuppressionsForOtherTestsOrProcessesStillFail) {
  const std::string supp = dir_ + "/supp.txt";
  std::ofstream(supp) << "test:Other* comm:sleep\ncomm:nc\n";
  RunOptions o;
  o.env["PROCLEAK_SUPPRESSIONS"] = supp;
  const auto r = run({"sh", "-c", "sleep 300 & exit 0"}, {}, o);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(report()["verdict"], "leaked");
  EXPECT_EQ(report()["leaks"][0]["exe"], "/usr/bin/sleep");
  expect_all_gone(report());
}

TEST_F(Launcher, MalformedSuppressionsFileIs125NamingFileAndLine) {
  const std::string supp = dir_ + "/supp.txt";
  std::ofstream(supp) << "comm:ok\n\nregex:.*\n";
  auto r = run_command({kRun, "--suppressions", supp, "--", "sh", "-c", "echo ran"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_EQ(r.out, "") << "the test must not have run";
  EXPECT_EQ(r.err, "procleak-run: --suppressions " + supp +
                       ":3: unknown rule type 'regex:' (expected comm:, exe:, cmdline: or test:)\n");
  r = run_command({kRun, "--suppressions", dir_ + "/missing.txt", "--", "true"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_NE(r.err.find("missing.txt: cannot read"), std::string::npos) << r.err;
}

TEST_F(Launcher, HelpAndVersion) {
  auto r = run_command({kRun, "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Usage: procleak-run"), std::string::npos);
  r = run_command({kRun, "--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("procleak-run ", 0), 0u);
}

}  // namespace
