// The Catch2, doctest and Boost.Test listeners end to end: each framework's
// scenario binary (tests/frameworks), linked the way users link it, run as a
// whole; its exit status, its console output, its own JUnit output and the
// reports are checked, and the process table is the judge.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
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

const std::string kDir = FRAMEWORK_SCENARIOS_DIR;
const std::string kRun = PROCLEAK_RUN_PATH;

// One framework's scenario binary: how to ask for JUnit, the test cases'
// names and which of them leak what (the sleep's argument, or a zombie).
struct Framework {
  std::string binary;
  std::vector<std::string> junit_flags;  // {path} stands for the output file
  std::string clean_case;
  std::map<std::string, std::string> leaky_cases;  // report name -> "sleep N" or "zombie"
  std::map<std::string, std::string> junit_names;  // report name -> JUnit test case name, where they differ
  std::string section_case;                        // the case that leaks in a section/subcase ("": none)
  std::string section_path;
  // A leak of the whole program, where the scenarios have one: the variable
  // that makes it, what it leaves, the clean case alone, and the
  // framework's words for a run whose test cases all passed.
  std::string program_leak_env = {};
  std::string program_leak = {};
  std::vector<std::string> clean_case_alone = {};
  std::string all_passed = {};
};

std::vector<std::string> with_path(const std::vector<std::string>& flags, const std::string& path) {
  std::vector<std::string> out;
  for (auto f : flags) {
    if (const auto at = f.find("{path}"); at != std::string::npos) f.replace(at, 6, path);
    out.push_back(f);
  }
  return out;
}

Framework doctest(const std::string& binary) {
  return {binary,
          {"--reporters=junit", "--out={path}"},
          "clean",
          {{"leaves a sleep", "sleep 481"},
           {"leaves a zombie", "zombie"},
           {"fixture leaves a sleep", "sleep 482"},
           {"subcase leaves a sleep", "sleep 483"}},
          // doctest's JUnit has an element per run of a test case with subcases
          {{"subcase leaves a sleep", "subcase leaves a sleep/second/inner"}},
          "subcase leaves a sleep",
          "in subcase: second / inner",
          // a listener of the program's own, run before procleak's at the run's end
          "SCENARIOS_PROGRAM_LEAKS",
          "sleep 484",
          {"--test-case=clean"},
          "Status: SUCCESS!"};
}

Framework catch2(const std::string& binary) {
  return {binary,
          {"--reporter", "junit", "--out", "{path}"},
          "clean",
          {{"leaves a sleep", "sleep 491"},
           {"leaves a zombie", "zombie"},
           {"fixture leaves a sleep", "sleep 492"},
           {"section leaves a sleep", "sleep 493"}},
          {},
          "section leaves a sleep",
          "in section: second / inner"};
}

Framework boost_test(const std::string& binary) {
  return {binary,
          {"--logger=JUNIT,error,{path}"},
          "scenarios/clean",
          {{"scenarios/leaves_a_sleep", "sleep 501"},
           {"scenarios/leaves_a_zombie", "zombie"},
           {"scenarios/fixture_leaves_a_sleep", "sleep 502"},
           {"suite_set_up_leaves_a_sleep", "sleep 503"}},
          {{"scenarios/clean", "clean"},
           {"scenarios/leaves_a_sleep", "leaves_a_sleep"},
           {"scenarios/leaves_a_zombie", "leaves_a_zombie"},
           {"scenarios/fixture_leaves_a_sleep", "fixture_leaves_a_sleep"},
           {"suite_set_up_leaves_a_sleep", ""}},  // a suite: no test case of its own in JUnit
          "",
          "",
          // the global fixture's set-up
          "SCENARIOS_GLOBAL_FIXTURE_LEAKS",
          "sleep 504",
          {"--run_test=scenarios/clean"},
          "No errors detected"};
}

// The <testcase> element named name (up to the next one) in a JUnit file.
std::string junit_case(const std::string& xml, const std::string& name) {
  const auto start = xml.find("name=\"" + name + "\"");
  if (start == std::string::npos) return {};
  const auto next = xml.find("<testcase", start);
  return xml.substr(start, next == std::string::npos ? std::string::npos : next - start);
}

class Frameworks : public procleak_test::ProcessTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    ProcessTest::SetUp();
    const auto& name = GetParam();
    const std::string binary = kDir + "/" + name;
    if (!std::filesystem::exists(binary)) GTEST_SKIP() << name << " was not built (its framework is not installed)";
    fw_ = name.rfind("doctest", 0) == 0 ? doctest(binary) : name.rfind("catch2", 0) == 0 ? catch2(binary)
                                                                                          : boost_test(binary);
  }

  // Runs the scenarios with the framework's console output, or with its
  // JUnit output into junit_path().
  RunResult run_scenarios(std::map<std::string, std::string> env = {}, std::vector<std::string> front = {},
                          bool junit = false) {
    std::vector<std::string> argv = std::move(front);
    argv.push_back(fw_.binary);
    if (junit) {
      for (const auto& f : with_path(fw_.junit_flags, junit_path())) argv.push_back(f);
    }
    RunOptions options;
    options.env = std::move(env);
    for (const char* name : {"PROCLEAK_MODE", "PROCLEAK_REPORT_DIR", "PROCLEAK_LAUNCHER_REPORTS"}) {
      if (!options.env.contains(name)) options.unset_env.emplace_back(name);
    }
    return run_command(argv, options);
  }

  std::string junit_path() const { return dir_ + "/junit.xml"; }
  std::string report_dir() const { return dir_ + "/reports"; }

  // The reports in dir by test name (a name twice fails the test).
  std::map<std::string, json> reports_by_name(const std::string& dir) const {
    std::map<std::string, json> out;
    if (!std::filesystem::exists(dir)) return out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      auto rep = procleak_test::read_report(e.path());
      const std::string name = rep["test"];
      EXPECT_FALSE(out.contains(name)) << "two reports for " << name;
      out[name] = std::move(rep);
    }
    return out;
  }

  static void expect_leak(const json& rep, const std::string& what) {
    ASSERT_EQ(rep["leaks"].size(), 1u) << rep.dump(2);
    const auto& leak = rep["leaks"][0];
    if (what == "zombie") {
      EXPECT_EQ(leak["state"], "Z") << rep.dump(2);
      EXPECT_EQ(leak["cleanup"], "reaped") << rep.dump(2);
    } else {
      EXPECT_EQ(leak["cmdline"], json({"sleep", what.substr(6)})) << rep.dump(2);
      EXPECT_EQ(leak["cleanup"], "terminated") << rep.dump(2);
    }
  }

  std::string junit_name(const std::string& report_name) const {
    const auto it = fw_.junit_names.find(report_name);
    return it == fw_.junit_names.end() ? report_name : it->second;
  }

  Framework fw_;
};

// Exactly the leaky cases fail, in the console and in the framework's own
// JUnit, each with one report under its framework name; the program's
// report is clean; nothing is left.
TEST_P(Frameworks, ExactlyTheLeakyCasesFailEachWithOneReport) {
  const auto r = run_scenarios({{"PROCLEAK_REPORT_DIR", report_dir()}});
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.exit_code, 125) << r.out << r.err;
  const std::string console = r.out + r.err;
  const auto reports = reports_by_name(report_dir());
  EXPECT_EQ(reports.size(), fw_.leaky_cases.size() + 1) << console;
  ASSERT_TRUE(reports.contains("*")) << console;
  EXPECT_EQ(reports.at("*")["verdict"], "clean") << reports.at("*").dump(2);
  for (const auto& [name, what] : fw_.leaky_cases) {
    ASSERT_TRUE(reports.contains(name)) << name << "\n" << console;
    const auto& rep = reports.at(name);
    EXPECT_EQ(rep["verdict"], "leaked") << rep.dump(2);
    EXPECT_EQ(rep["source"], GetParam().substr(0, GetParam().find("_scenarios"))) << rep.dump(2);
    expect_leak(rep, what);
    EXPECT_NE(console.find("procleak: test '" + name + "' leaked 1 process"), std::string::npos) << console;
  }
  EXPECT_EQ(console.find("procleak: test '" + fw_.clean_case + "'"), std::string::npos) << console;
  if (!fw_.section_case.empty()) {
    EXPECT_NE(console.find(fw_.section_path), std::string::npos) << "the leak names the path that left it:\n"
                                                                  << console;
  }
  expect_nothing_left();
}

// The framework's own JUnit output says the same: each leaky case failed,
// with the report as its message; the clean one passed.
TEST_P(Frameworks, TheFrameworksJUnitSaysTheSame) {
  const auto r = run_scenarios({}, {}, true);
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  const std::string xml = slurp(junit_path());
  ASSERT_FALSE(xml.empty()) << "no JUnit output at " << junit_path() << "\n" << r.out << r.err;
  for (const auto& [name, what] : fw_.leaky_cases) {
    const auto junit = junit_name(name);
    if (junit.empty()) continue;
    const auto element = junit_case(xml, junit);
    ASSERT_FALSE(element.empty()) << junit << " not in the JUnit output:\n" << xml;
    EXPECT_NE(element.find("<failure"), std::string::npos) << element;
    EXPECT_NE(element.find("leaked 1 process"), std::string::npos) << element;
  }
  const auto clean = junit_case(xml, junit_name(fw_.clean_case));
  ASSERT_FALSE(clean.empty()) << xml;
  EXPECT_EQ(clean.find("<failure"), std::string::npos) << clean;
  expect_nothing_left();
}

// PROCLEAK_MODE=warn: every report written and printed, no test fails.
TEST_P(Frameworks, WarnModeReportsAndFailsNothing) {
  const auto r = run_scenarios({{"PROCLEAK_MODE", "warn"}, {"PROCLEAK_REPORT_DIR", report_dir()}});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto reports = reports_by_name(report_dir());
  for (const auto& [name, what] : fw_.leaky_cases) {
    ASSERT_TRUE(reports.contains(name)) << name;
    EXPECT_EQ(reports.at(name)["mode"], "warn");
    expect_leak(reports.at(name), what);
  }
  EXPECT_EQ(r.out.find("FAIL"), std::string::npos) << r.out;
  expect_nothing_left();
}

// PROCLEAK_MODE=off: the listener does nothing at all (the leaks run on,
// and this test's TearDown kills them by PID).
TEST_P(Frameworks, OffModeChecksNothing) {
  const auto r = run_scenarios({{"PROCLEAK_MODE", "off"}, {"PROCLEAK_REPORT_DIR", report_dir()}});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_FALSE(std::filesystem::exists(report_dir()));
  EXPECT_FALSE(descendants_of(getpid()).empty()) << "the sleeps were left to run, as without procleak";
}

// A bad variable is a usage error: one line naming it, status 125.
TEST_P(Frameworks, ABadVariableIsAUsageError) {
  const auto r = run_scenarios({{"PROCLEAK_MODE", "sometimes"}});
  EXPECT_EQ(r.exit_code, 125) << r.out << r.err;
  EXPECT_NE(r.err.find("procleak: PROCLEAK_MODE"), std::string::npos) << r.err;
  expect_nothing_left();
}

// Under procleak-run the listener still fails each leaky case by name, and
// the launcher's report of the whole binary counts nothing twice.
TEST_P(Frameworks, UnderTheLauncherEachLeakIsReportedOnce) {
  const std::string launcher_report = dir_ + "/launcher.json";
  const auto r = run_scenarios({{"PROCLEAK_REPORT_DIR", report_dir()}},
                               {kRun, "--report", launcher_report, "--"});
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  const auto reports = reports_by_name(report_dir());
  // With SIGCHLD inherited as ignored (in_environment.sh ignored_signals),
  // the kernel reaps what exits: no zombie to report.
  const char* wrap = std::getenv("PROCLEAK_TEST_WRAP");
  const bool no_zombies = wrap != nullptr && std::string(wrap).find("with_ignored") != std::string::npos;
  for (const auto& [name, what] : fw_.leaky_cases) {
    if (what != "zombie" || !no_zombies) {
      EXPECT_TRUE(reports.contains(name)) << name;
    }
  }
  const auto rep = procleak_test::read_report(launcher_report);
  EXPECT_TRUE(rep["leaks"].empty()) << "the listener stopped each leak: " << rep.dump(2);
  expect_nothing_left();
}

// A leak of the whole program (Boost.Test's global fixture; a doctest
// listener of the program's own that starts a process when the run ends): no
// test case fails, the program's report says what leaked, and the exit
// status is 1 (set at exit, after the framework's own output). Catch2's
// scenarios have none: Catch2 orders listeners by registration alone.
class ProgramLevel : public Frameworks {};

TEST_P(ProgramLevel, ALeakEndsTheProcessWithStatusOne) {
  ASSERT_FALSE(fw_.program_leak_env.empty()) << GetParam() << " has no program-level leak";
  RunOptions options;
  options.env = {{fw_.program_leak_env, "1"}, {"PROCLEAK_REPORT_DIR", report_dir()}};
  options.unset_env = {"PROCLEAK_MODE", "PROCLEAK_LAUNCHER_REPORTS"};
  std::vector<std::string> argv{fw_.binary};
  argv.insert(argv.end(), fw_.clean_case_alone.begin(), fw_.clean_case_alone.end());
  const auto r = run_command(argv, options);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find(fw_.all_passed), std::string::npos) << "the test case passed: " << r.out << r.err;
  const auto reports = reports_by_name(report_dir());
  ASSERT_TRUE(reports.contains("*")) << r.err;
  EXPECT_EQ(reports.at("*")["verdict"], "leaked");
  expect_leak(reports.at("*"), fw_.program_leak);
  EXPECT_NE(r.err.find("procleak: test '*' leaked 1 process"), std::string::npos) << r.err;
  expect_nothing_left();
}

INSTANTIATE_TEST_SUITE_P(Listeners, ProgramLevel,
                         ::testing::Values("doctest_scenarios", "doctest_scenarios_lib", "boost_test_scenarios",
                                           "boost_test_scenarios_header_only"),
                         [](const auto& p) { return std::string(p.param); });

INSTANTIATE_TEST_SUITE_P(Listeners, Frameworks,
                         ::testing::Values("doctest_scenarios", "doctest_scenarios_lib", "catch2_scenarios",
                                           "catch2_scenarios_lib", "boost_test_scenarios",
                                           "boost_test_scenarios_header_only"),
                         [](const auto& p) { return std::string(p.param); });

}  // namespace
