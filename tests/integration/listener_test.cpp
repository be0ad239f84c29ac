// The GoogleTest listener end to end: a real test binary (listener_scenarios,
// linked with procleak::gtest_main) run with filters; its output, exit code,
// XML/JSON output and reports are checked, and the process table is the judge.
#include <gtest/gtest.h>

#include <algorithm>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "process_oracle.hpp"
#include "process_test.hpp"
#include "run_command.hpp"
#include "report_archive.hpp"

namespace {

using nlohmann::json;
using procleak_test::descendants_of;
using procleak_test::run_command;
using procleak_test::RunOptions;
using procleak_test::RunResult;
using procleak_test::slurp;

const std::string kScenarios = SCENARIOS_PATH;
const std::string kRun = PROCLEAK_RUN_PATH;
const std::string kGate = PROCLEAK_REPORT_PATH;
const std::string kScenariosSource = SCENARIOS_SOURCE;

// The 1-based number of the first line of path that holds text; 0 if none.
int line_of(const std::string& path, const std::string& text) {
  std::ifstream in(path);
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (line.find(text) != std::string::npos) return n;
  }
  return 0;
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

// The <testcase .../> element (up to its end) for name in GoogleTest's XML.
std::string xml_testcase(const std::string& xml, const std::string& name) {
  const auto start = xml.find("<testcase name=\"" + name + "\"");
  if (start == std::string::npos) return {};
  const auto self_closed = xml.find("/>", start);
  const auto open_end = xml.find('>', start);
  if (self_closed != std::string::npos && self_closed + 1 == open_end) return xml.substr(start, open_end - start + 1);
  const auto end = xml.find("</testcase>", start);
  return xml.substr(start, end - start);
}

class Listener : public procleak_test::ProcessTest {
 protected:

  RunResult scenarios(const std::string& filter, std::vector<std::string> extra = {}, RunOptions options = {}) {
    std::vector<std::string> argv{kScenarios, "--gtest_filter=" + filter, "--gtest_output=xml:" + xml_path()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    // Independent of the caller's environment, unless the test sets them.
    for (const char* name : {"PROCLEAK_MODE", "PROCLEAK_REPORT_DIR"}) {
      if (!options.env.contains(name)) options.unset_env.emplace_back(name);
    }
    return run_command(argv, options);
  }

  std::string xml_path() const { return dir_ + "/out.xml"; }
  std::string xml() const { return slurp(xml_path()); }

  // Every report in dir, as written.
  static std::vector<json> every_report(const std::string& dir) {
    std::vector<json> out;
    if (!std::filesystem::exists(dir)) return out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      out.push_back(procleak_test::read_report(e.path()));
    }
    return out;
  }

  // The reports of the scopes that leaked. A binary run without a launcher
  // also writes a clean report of its program scope when that scope left
  // nothing (so a gate knows the binary was checked): at most one, checked
  // here and left out.
  std::vector<json> reports(const std::string& dir) const {
    std::vector<json> out;
    int clean_programs = 0;
    for (auto& rep : every_report(dir)) {
      if (rep["test"] == "*" && rep["verdict"] == "clean") {
        ++clean_programs;
        EXPECT_TRUE(rep["leaks"].empty()) << rep.dump(2);
        continue;
      }
      out.push_back(std::move(rep));
    }
    EXPECT_LE(clean_programs, 1);
    return out;
  }

};

// Before: the closed descriptors read as "no children", so this test and
// every later one passed with their leaks running.
TEST_F(Listener, TestThatClosesOurDescriptorsIsStillCheckedAndSoAreLaterOnes) {
  const auto r = scenarios("FdSanitiser.*");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("procleak: scope 'FdSanitiser.ClosesEveryFdThenLeaks' leaked 1 process"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("procleak: scope 'FdSanitiser.NextTestLeaksTooAndItsFilesAreStillOpen' leaked 1 process"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("under us"), std::string::npos) << "procleak closed or replaced a file of the test's\n" << r.out;
  EXPECT_EQ(count(r.out, "-> terminated"), 2u) << r.out;
  expect_nothing_left();
}

// Before: the fast path read only the helper's main-thread children file, as
// the helper was single-threaded at the baseline: the test passed, and the
// child of its new thread was left to the suite scope.
TEST_F(Listener, ChildOfANewThreadOfABaselineProcessIsTheTestsLeak) {
  const auto r = scenarios("ThreadingHelper.*");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("procleak: scope 'ThreadingHelper.ItsNewThreadForksAChild' leaked 1 process"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("procleak: scope 'ThreadingHelper' leaked"), std::string::npos) << r.out;
  EXPECT_EQ(count(r.out, "procleak: scope"), 1u) << r.out;
  expect_nothing_left();
}

// Before: the check had no descriptor left to look with, so the test could
// not be checked (or, earlier, passed). The listener keeps one in reserve.
TEST_F(Listener, TestThatTakesEveryDescriptorIsStillCheckedWhole) {
  const auto r = scenarios("FdExhaustion.*");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("procleak: scope 'FdExhaustion.TakesEveryFdThenLeaks' leaked 1 process"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("check incomplete"), std::string::npos) << r.out;
  EXPECT_EQ(count(r.out, "-> terminated"), 1u) << r.out;
  EXPECT_EQ(count(r.out, "procleak: scope"), 1u) << r.out;
  expect_nothing_left();
}

TEST_F(Listener, LeakyTestFailsInItsOwnBlockOthersPass) {
  const auto r = scenarios("Leaky.LeavesAChildRunning:Clean.*");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  // The message sits between the test's RUN and FAILED lines.
  const auto run = r.out.find("[ RUN      ] Leaky.LeavesAChildRunning");
  const auto msg = r.out.find("procleak: scope 'Leaky.LeavesAChildRunning' leaked 1 process", run);
  const auto failed = r.out.find("[  FAILED  ] Leaky.LeavesAChildRunning (", run);
  ASSERT_NE(run, std::string::npos) << r.out;
  ASSERT_NE(msg, std::string::npos) << r.out;
  ASSERT_NE(failed, std::string::npos) << r.out;
  EXPECT_LT(msg, failed);
  EXPECT_NE(r.out.find("stray", msg), std::string::npos);
  EXPECT_NE(r.out.find("is still running; holds the test's output open -> terminated", msg), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("[       OK ] Clean.NothingAtAll"), std::string::npos);
  EXPECT_NE(r.out.find("[       OK ] Clean.WaitsForItsChildLater"), std::string::npos) << r.out;
  EXPECT_EQ(count(r.out, "procleak: scope"), 1u) << r.out;

  const auto doc = xml();
  EXPECT_NE(xml_testcase(doc, "LeavesAChildRunning").find("<failure message=\"procleak"), std::string::npos)
      << doc;
  EXPECT_EQ(xml_testcase(doc, "NothingAtAll").find("<failure"), std::string::npos) << doc;
  EXPECT_EQ(xml_testcase(doc, "WaitsForItsChildLater").find("<failure"), std::string::npos) << doc;
  expect_nothing_left();
}

// Before: a clean run wrote nothing, and the gate over its folder exited 2
// ("no such file or folder").
TEST_F(Listener, CleanBinaryWritesOneCleanReportAndTheGatePasses) {
  RunOptions o;
  o.env["PROCLEAK_REPORT_DIR"] = dir_ + "/reports";
  // (Clean.NothingAtAll: WaitsForItsChildLater cannot hold with SIGCHLD
  // ignored, env.ignored_signals.)
  const auto r = scenarios("Clean.NothingAtAll", {}, o);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  const auto all = every_report(dir_ + "/reports");
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]["test"], "*");
  EXPECT_EQ(all[0]["source"], "gtest");
  EXPECT_EQ(all[0]["verdict"], "clean");
  // The program's own duration: an empty test's program may take less than
  // the 0.05 ms the report's one decimal shows (a leak's duration is checked
  // below, where the settle time makes it long).
  EXPECT_TRUE(all[0]["duration_ms"].is_number()) << all[0].dump(2);
  EXPECT_LT(all[0]["duration_ms"].get<double>(), 60000.0) << all[0].dump(2);
  const auto gate = run_command({kGate, dir_ + "/reports"});
  EXPECT_EQ(gate.exit_code, 0) << gate.out << gate.err;
  EXPECT_NE(gate.out.find("1 test checked (1 report): 1 clean, 0 leaked"), std::string::npos) << gate.out;
  // Under a launcher with a report folder the launcher's report covers the
  // run: the listener adds none of a clean program.
  std::filesystem::remove_all(dir_ + "/reports");
  const auto launched =
      run_command({kRun, "--report-dir", dir_ + "/reports", "--", kScenarios, "--gtest_filter=Clean.NothingAtAll"});
  EXPECT_EQ(launched.exit_code, 0) << launched.err;
  const auto under_launcher = every_report(dir_ + "/reports");
  ASSERT_EQ(under_launcher.size(), 1u);
  EXPECT_EQ(under_launcher[0]["source"], "launcher");
  expect_nothing_left();
}

TEST_F(Listener, ReportsCarryTheScopesOwnDuration) {
  // Before: duration_ms was 0.0 in every listener report.
  RunOptions o;
  o.env["PROCLEAK_REPORT_DIR"] = dir_ + "/reports";
  const auto r = scenarios("Leaky.LeavesAChildRunning", {}, o);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  const auto all = reports(dir_ + "/reports");
  ASSERT_EQ(all.size(), 1u);
  EXPECT_GT(all[0]["duration_ms"].get<double>(), 0.0) << all[0].dump(2);
  EXPECT_LT(all[0]["duration_ms"].get<double>(), 60000.0) << all[0].dump(2);
  expect_nothing_left();
}

#ifdef STATIC_SCENARIOS_PATH
// Before: a statically linked binary crashed (SIGSEGV) on its first fork,
// with PROCLEAK_MODE=off too.
TEST_F(Listener, StaticBinaryForksSpawnsAndChecksInEveryMode) {
  const std::string binary = STATIC_SCENARIOS_PATH;
  for (const char* mode : {"fail", "warn", "off"}) {
    RunOptions o;
    o.env["PROCLEAK_MODE"] = mode;
    const auto clean = run_command({binary, "--gtest_filter=Static.*"}, o);
    EXPECT_EQ(clean.exit_code, 0) << mode << ":\n" << clean.out << clean.err;
    EXPECT_NE(clean.out.find("[  PASSED  ] 4 tests."), std::string::npos) << mode << ":\n" << clean.out;
  }
  RunOptions o;
  o.env["PROCLEAK_REPORT_DIR"] = dir_ + "/reports";
  const auto leaky = run_command({binary, "--gtest_filter=StaticLeaky.*"}, o);
  EXPECT_EQ(leaky.exit_code, 1) << leaky.out << leaky.err;
  const auto all = reports(dir_ + "/reports");
  ASSERT_EQ(all.size(), 3u) << leaky.out;
  for (const auto& rep : all) {
    ASSERT_EQ(rep["leaks"].size(), 1u) << rep.dump(2);
    EXPECT_EQ(rep["leaks"][0]["cleanup"], "terminated") << rep.dump(2);
    EXPECT_EQ(rep["leaks"][0]["clone_parent"], rep["test"] == "StaticLeaky.CloneParentLeavesASibling") << rep.dump(2);
    if (rep["test"] == "StaticLeaky.ForkLeavesAChild") {
      // Recorded where the binary allows it: a static binary has the fork's
      // return address, and its symbols where it was built with them.
      EXPECT_TRUE(rep["leaks"][0]["spawned_at"].is_array()) << rep.dump(2);
    }
  }
  // The sibling's corpse is its parent's to reap: this process's.
  for (const auto& p : procleak_test::descendants_of(::getpid())) {
    EXPECT_EQ(p.state, 'Z') << "PID " << p.pid << " still runs";
    ::waitpid(p.pid, nullptr, 0);
  }
  expect_nothing_left();
}
#endif

// A thread ID used again: the new thread's child is the test's leak, in
// every scope. Before: the children file kept for the old thread read as
// "no children", the test passed and its child was found (if at all) only
// when the thread had ended.
TEST_F(Listener, AChildOfANewThreadWithAReusedTidIsTheTestsLeak) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for a PID namespace and ns_last_pid";
  if (run_command({"unshare", "--pid", "--fork", "--mount-proc", "true"}).exit_code != 0) {
    GTEST_SKIP() << "cannot make a PID namespace here";
  }
  RunOptions o;
  o.env["SCENARIO_TID_REUSE"] = "1";
  o.env["PROCLEAK_REPORT_DIR"] = dir_ + "/reports";
  const auto r = run_command({"unshare", "--pid", "--fork", "--mount-proc", kScenarios, "--gtest_filter=TidReuse.*"}, o);
  ASSERT_NE(r.out.find("TID "), std::string::npos) << "the scenario did not reuse the TID:\n" << r.out << r.err;
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("procleak: scope 'TidReuse.SecondForksFromANewThreadWithTheSameTid' leaked 1 process"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("[  FAILED  ] TidReuse.SecondForksFromANewThreadWithTheSameTid"), std::string::npos) << r.out;
  const auto all = reports(dir_ + "/reports");
  ASSERT_EQ(all.size(), 1u) << r.out;
  EXPECT_EQ(all[0]["test"], "TidReuse.SecondForksFromANewThreadWithTheSameTid");
  EXPECT_EQ(all[0]["leaks"][0]["cleanup"], "terminated") << all[0].dump(2);
  expect_nothing_left();
}

TEST_F(Listener, SetsidDaemonHasEscapedTheSession) {
  const auto r = scenarios("Leaky.LeavesASetsidDaemon");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("left the session via setsid"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("escaped"), std::string::npos) << r.out;
  expect_nothing_left();
}

TEST_F(Listener, UnreapedZombieNamesTheTestBinaryAsItsParent) {
  RunOptions o;
  o.env["PROCLEAK_REPORT_DIR"] = dir_ + "/reports";
  std::vector<std::string> argv{kScenarios, "--gtest_filter=Leaky.LeavesAnUnreapedZombie"};
  const auto r = run_command(argv, o);
  EXPECT_EQ(r.exit_code, 1);
  const auto all = reports(dir_ + "/reports");
  ASSERT_EQ(all.size(), 1u);
  const auto& rep = all[0];
  EXPECT_EQ(rep["source"], "gtest");
  EXPECT_EQ(rep["test"], "Leaky.LeavesAnUnreapedZombie");
  ASSERT_EQ(rep["leaks"].size(), 1u);
  EXPECT_EQ(rep["leaks"][0]["kinds"], json({"zombie"}));
  EXPECT_EQ(rep["leaks"][0]["original_parent"], r.pid);
  EXPECT_EQ(rep["leaks"][0]["cleanup"], "reaped");
  EXPECT_NE(r.out.find("never reaped by PID " + std::to_string(r.pid) + " (listener_scenar)"), std::string::npos)
      << r.out;
  expect_nothing_left();
}

// clone(CLONE_PARENT) in the test body: the child is the binary's sibling
// (a child of this test process, which ran the binary), outside the tree the
// scopes walk. The clone wrapper names it to the scope it started in.
// Before: both tests passed and the sibling ran on. A plain clone is an
// ordinary child, with its spawn site.
TEST_F(Listener, ACloneParentSiblingIsTheTestsLeak) {
  RunOptions o;
  o.env["PROCLEAK_REPORT_DIR"] = dir_ + "/reports";
  const auto r = scenarios("CloneParent.*", {}, o);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("[  FAILED  ] CloneParent.LeavesASiblingRunning"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[  FAILED  ] CloneParent.PlainCloneLeavesAChild"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("started with CLONE_PARENT, beside the process that made it"), std::string::npos) << r.out;
  const auto all = reports(dir_ + "/reports");
  ASSERT_EQ(all.size(), 2u) << r.out;
  for (const auto& rep : all) {
    ASSERT_EQ(rep["leaks"].size(), 1u) << rep.dump(2);
    const auto& leak = rep["leaks"][0];
    EXPECT_EQ(leak["kinds"], json({"stray"})) << rep.dump(2);
    EXPECT_EQ(leak["cleanup"], "terminated") << rep.dump(2);
    const bool sibling = rep["test"] == "CloneParent.LeavesASiblingRunning";
    EXPECT_EQ(leak["clone_parent"], sibling) << rep.dump(2);
    EXPECT_EQ(leak["ppid"], sibling ? ::getpid() : r.pid) << rep.dump(2);
    const auto& frames = leak["spawned_at"];
    ASSERT_TRUE(frames.is_array() && !frames.empty()) << rep.dump(2);
    EXPECT_NE(frames[0]["function"].get<std::string>().find("CloneParent"), std::string::npos) << rep.dump(2);
  }
  // The sibling's corpse is its parent's to reap: this process's.
  for (const auto& p : procleak_test::descendants_of(::getpid())) {
    EXPECT_EQ(p.state, 'Z') << "PID " << p.pid << " still runs";
    EXPECT_EQ(p.ppid, ::getpid());
    ::waitpid(p.pid, nullptr, 0);
  }
  expect_nothing_left();
}

// Outside the initial PID namespace (this suite's IN_PID_NAMESPACE run) the
// kernel sends no process events: lineage is null there, with the reason.
// Before lineage: "stray ... parent PID <the binary> is still running", which
// was false: the shell that started it had exited.
TEST_F(Listener, SystemAndPopenLeaksAreOrphansOfTheShellWithItsLineage) {
  RunOptions o;
  o.env["PROCLEAK_REPORT_DIR"] = dir_ + "/reports";
  const auto r = scenarios("Spawned.*", {}, o);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  const auto all = reports(dir_ + "/reports");
  ASSERT_EQ(all.size(), 2u) << r.out;
  for (const auto& rep : all) {
    ASSERT_EQ(rep["leaks"].size(), 1u) << rep.dump(2);
    const auto& leak = rep["leaks"][0];
    EXPECT_EQ(leak["comm"], "sleep");
    if (procleak_test::lineage_refused(rep)) continue;
    EXPECT_EQ(leak["kinds"], json({"orphan"})) << rep.dump(2);
    const auto& lineage = leak["lineage"];
    ASSERT_TRUE(lineage.is_array()) << rep.dump(2);
    ASSERT_GE(lineage.size(), 1u) << rep.dump(2);
    for (const auto& a : lineage) EXPECT_EQ(a["exit"], json({{"code", 0}, {"signal", nullptr}})) << rep.dump(2);
    // The shell std::system and popen run, named by what POSIX has them run.
    EXPECT_EQ(lineage[0]["comm"], "sh") << rep.dump(2);
    const std::string command =
        rep["test"] == "Spawned.SystemLeavesASleeper" ? "bash -c '(sleep 57 &)'" : "sleep 58 & echo started";
    EXPECT_EQ(lineage[0]["cmdline"], json({"sh", "-c", command})) << rep.dump(2);
    EXPECT_EQ(leak["original_parent"], lineage.back()["pid"]);
    EXPECT_NE(r.out.find("parent PID " + std::to_string(lineage.back()["pid"].get<int>())), std::string::npos);
  }
  // Where: the test's own line, through std::system and popen (the binary
  // has debug info). Without process events the sleeper cannot be traced
  // to the call that started its shell: unknown, not guessed.
  for (const auto& rep : all) {
    if (procleak_test::lineage_refused(rep)) {
      EXPECT_TRUE(rep["leaks"][0]["spawned_at"].is_null()) << rep.dump(2);
      continue;
    }
    const std::string call = rep["test"] == "Spawned.SystemLeavesASleeper" ? "std::system(" : "popen(\"sleep 58";
    const int line = line_of(kScenariosSource, call);
    ASSERT_GT(line, 0) << call;
    const auto& frames = rep["leaks"][0]["spawned_at"];
    ASSERT_TRUE(frames.is_array() && !frames.empty()) << rep.dump(2);
    EXPECT_TRUE(frames[0]["file"].get<std::string>().ends_with("/tests/listener/scenarios.cpp")) << frames.dump(2);
    EXPECT_EQ(frames[0]["line"], line) << frames.dump(2);
    EXPECT_NE(frames[0]["function"].get<std::string>().find("TestBody"), std::string::npos) << frames.dump(2);
    EXPECT_NE(r.out.find("spawned at: " + frames[0]["function"].get<std::string>() + " (" +
                         frames[0]["file"].get<std::string>() + ":" + std::to_string(line) + ")"),
              std::string::npos)
        << r.out;
  }
  if (std::none_of(all.begin(), all.end(), [](const json& rep) { return rep["leaks"][0]["lineage"].is_null(); })) {
    EXPECT_EQ(r.out.find("is still running"), std::string::npos) << "no stray of the binary:\n" << r.out;
  }
  expect_nothing_left();
}

TEST_F(Listener, ForkedChildNamesTheLineThatForkedIt) {
  RunOptions o;
  o.env["PROCLEAK_REPORT_DIR"] = dir_ + "/reports";
  const auto r = scenarios("Leaky.LeavesAChildRunning", {}, o);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  const auto all = reports(dir_ + "/reports");
  ASSERT_EQ(all.size(), 1u) << r.out;
  const auto& frames = all[0]["leaks"][0]["spawned_at"];
  ASSERT_TRUE(frames.is_array() && frames.size() >= 2) << all[0].dump(2);
  // The helper that called fork, then the test body that called the helper.
  EXPECT_NE(frames[0]["function"].get<std::string>().find("fork_lingering_child"), std::string::npos) << frames.dump(2);
  EXPECT_EQ(frames[0]["line"], line_of(kScenariosSource, "const pid_t pid = fork();")) << frames.dump(2);
  EXPECT_NE(frames[1]["function"].get<std::string>().find("Leaky_LeavesAChildRunning_Test::TestBody"), std::string::npos)
      << frames.dump(2);
  EXPECT_EQ(frames[1]["line"], line_of(kScenariosSource, "TEST(Leaky, LeavesAChildRunning)")) << frames.dump(2);
  for (const auto& f : frames) {
    EXPECT_EQ(f["function"].get<std::string>().find("testing::"), std::string::npos) << "up to the test body";
  }
  expect_nothing_left();
}

TEST_F(Listener, ChildForkedByAnotherThreadIsSeen) {
  const auto r = scenarios("Threads.*");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("procleak: scope 'Threads.ForksFromAThreadThatExits' leaked 1 process"), std::string::npos)
      << r.out;
  expect_nothing_left();
}

TEST_F(Listener, SuiteServerStoppedInTearDownTestSuiteIsNoLeak) {
  const auto r = scenarios("SharedServer.*");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("procleak"), std::string::npos) << r.out;
  expect_nothing_left();
}

TEST_F(Listener, SuiteServerLeftRunningIsReportedOnceForTheSuite) {
  RunOptions o;
  o.env["PROCLEAK_REPORT_DIR"] = dir_ + "/reports";
  const auto r = scenarios("LeakyServer.*", {}, o);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("[       OK ] LeakyServer.First"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[       OK ] LeakyServer.Second"), std::string::npos) << r.out;
  EXPECT_EQ(count(r.out, "procleak: scope 'LeakyServer' leaked 1 process"), 1u) << r.out;
  EXPECT_EQ(count(r.out, "procleak: scope"), 1u) << r.out;
  const auto doc = xml();
  EXPECT_NE(doc.find("NonTestSuiteFailure"), std::string::npos) << doc;
  EXPECT_NE(doc.find("procleak: scope &apos;LeakyServer&apos; leaked 1 process"), std::string::npos) << doc;
  const auto all = reports(dir_ + "/reports");
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]["test"], "LeakyServer");
  expect_nothing_left();
}

TEST_F(Listener, GlobalEnvironmentLeakFailsTheProgram) {
  RunOptions o;
  o.env["SCENARIO_ENV_LEAK"] = "1";
  const auto r = scenarios("Clean.NothingAtAll", {}, o);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("[       OK ] Clean.NothingAtAll"), std::string::npos);
  EXPECT_NE(r.out.find("procleak: scope '*' leaked 1 process"), std::string::npos) << r.out;
  EXPECT_NE(xml().find("procleak: scope &apos;*&apos; leaked"), std::string::npos) << xml();
  expect_nothing_left();
}

TEST_F(Listener, JsonOutputCarriesTheFailure) {
  const std::string json_path = dir_ + "/out.json";
  const auto r = run_command({kScenarios, "--gtest_filter=Leaky.LeavesAChildRunning", "--gtest_output=json:" + json_path});
  EXPECT_EQ(r.exit_code, 1);
  std::ifstream in(json_path);
  const auto doc = json::parse(in);
  const auto& testcase = doc["testsuites"][0]["testsuite"][0];
  EXPECT_EQ(testcase["name"], "LeavesAChildRunning");
  ASSERT_TRUE(testcase.contains("failures")) << testcase.dump(2);
  EXPECT_NE(testcase["failures"][0]["failure"].get<std::string>().find("procleak: scope"), std::string::npos);
  expect_nothing_left();
}

TEST_F(Listener, DeathTestsKeepWorkingAndAreNotReported) {
  const auto r = scenarios("DeathTest.*");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("procleak"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[  PASSED  ] 2 tests"), std::string::npos) << r.out;
  expect_nothing_left();
}

TEST_F(Listener, RepeatAndShuffleCheckEveryIteration) {
  const auto r = scenarios("Leaky.LeavesAChildRunning:Clean.*:LeakyServer.*",
                           {"--gtest_repeat=3", "--gtest_shuffle", "--gtest_random_seed=7"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(count(r.out, "procleak: scope 'Leaky.LeavesAChildRunning' leaked 1 process"), 3u) << r.out;
  EXPECT_EQ(count(r.out, "procleak: scope 'LeakyServer' leaked 1 process"), 3u) << r.out;
  EXPECT_EQ(count(r.out, "[       OK ] Clean.WaitsForItsChildLater"), 3u);
  expect_nothing_left();
}

TEST_F(Listener, ShardingWorksUnchanged) {
  std::size_t ran = 0;
  for (const char* shard : {"0", "1"}) {
    RunOptions o;
    o.env["GTEST_TOTAL_SHARDS"] = "2";
    o.env["GTEST_SHARD_INDEX"] = shard;
    const auto r = scenarios("Clean.*:SharedServer.*", {}, o);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    ran += count(r.out, "[       OK ]");
  }
  EXPECT_EQ(ran, 4u);
  expect_nothing_left();
}

TEST_F(Listener, ListTestsIsUnchanged) {
  const auto r = run_command({kScenarios, "--gtest_list_tests", "--gtest_filter=Clean.*"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "Clean.\n  NothingAtAll\n  WaitsForItsChildLater\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(Listener, ModeWarnReportsWithoutFailing) {
  RunOptions o;
  o.env["PROCLEAK_MODE"] = "warn";
  std::vector<std::string> argv{kScenarios, "--gtest_filter=Leaky.LeavesAChildRunning"};
  const auto r = run_command(argv, o);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.err.find("procleak: scope 'Leaky.LeavesAChildRunning' leaked 1 process (mode warn"),
            std::string::npos)
      << r.err;
  expect_nothing_left();
}

TEST_F(Listener, ModeOffDoesNothing) {
  RunOptions o;
  o.env["PROCLEAK_MODE"] = "off";
  std::vector<std::string> argv{kScenarios, "--gtest_filter=Leaky.LeavesAChildRunning"};
  const auto r = run_command(argv, o);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.find("procleak"), std::string::npos);
  // Not cleaned by anyone: it came back to this subreaper; TearDown kills it.
  EXPECT_EQ(descendants_of(getpid()).size(), 1u);
}

TEST_F(Listener, BadVariableIsAUsageError) {
  RunOptions o;
  o.env["PROCLEAK_GRACE"] = "forever";
  const auto r = run_command({kScenarios, "--gtest_filter=Clean.*"}, o);
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_EQ(r.err, "procleak: PROCLEAK_GRACE: invalid duration 'forever' (expected a number with a unit: 250ms, 2s, 1.5m)\n");
}

TEST_F(Listener, SuppressedLeakPassesAndIsStillCleaned) {
  const std::string supp = dir_ + "/supp.txt";
  std::ofstream(supp) << "test:Leaky.* comm:listener_scen*\n";
  RunOptions o;
  o.env["PROCLEAK_SUPPRESSIONS"] = supp;
  const auto r = scenarios("Leaky.LeavesAChildRunning", {}, o);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("(all suppressed)"), std::string::npos) << r.err;
  expect_nothing_left();
}

TEST_F(Listener, UnderTheLauncherEachLeakIsReportedOnce) {
  RunOptions o;
  o.env["PROCLEAK_REPORT_DIR"] = dir_ + "/reports";
  const auto r = run_command({kRun, "--", kScenarios, "--gtest_filter=Leaky.LeavesAChildRunning"}, o);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;  // the test failed; the launcher mirrors it
  const auto all = reports(dir_ + "/reports");
  ASSERT_EQ(all.size(), 2u);
  int leaks = 0;
  for (const auto& rep : all) {
    leaks += static_cast<int>(rep["leaks"].size());
    if (rep["source"] == "launcher") {
      EXPECT_EQ(rep["verdict"], "clean") << rep.dump(2);
    } else {
      EXPECT_EQ(rep["source"], "gtest");
      EXPECT_EQ(rep["test"], "Leaky.LeavesAChildRunning");
    }
  }
  EXPECT_EQ(leaks, 1);
  EXPECT_EQ(count(r.out + r.err, "leaked 1 process"), 1u) << r.out << r.err;
  expect_nothing_left();
}

}  // namespace
