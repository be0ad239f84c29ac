// procleak-report end to end: real reports from procleak-run and the listener,
// the real gate, and xmllint as the judge of its JUnit file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "process_test.hpp"
#include "run_command.hpp"
#include "workflow_commands.hpp"
#include "report_archive.hpp"

namespace {

using procleak_test::run_command;
using procleak_test::RunOptions;
using procleak_test::RunResult;

const std::string kRun = PROCLEAK_RUN_PATH;
const std::string kGate = PROCLEAK_REPORT_PATH;
const std::string kScenarios = SCENARIOS_PATH;

class Gate : public procleak_test::ProcessTest {
 protected:
  std::string reports() const { return dir_ + "/reports"; }

  // One launcher run writing its report into reports().
  void launch(const std::string& name, const std::string& script) {
    const auto r = run_command({kRun, "--report-dir", reports(), "--name", name, "--", "sh", "-c", script});
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 3) << r.err;
  }

  RunResult gate(std::vector<std::string> args, const RunOptions& options = {}) const {
    args.insert(args.begin(), kGate);
    RunOptions o = options;
    o.unset_env.push_back("GITHUB_ACTIONS");
    if (options.env.contains("GITHUB_ACTIONS")) o.unset_env.clear();
    return run_command(args, o);
  }

  static std::string xpath(const std::string& file, const std::string& expr) {
    auto out = run_command({"xmllint", "--xpath", expr, file}).out;
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }
};

TEST_F(Gate, CleanRunsPass) {
  launch("Clean.One", "true");
  launch("Clean.Two", "sleep 0.05 & wait");
  const auto r = gate({reports()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("2 tests checked (2 reports): 2 clean, 0 leaked"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("PASS"), std::string::npos) << r.out;
}

TEST_F(Gate, LeaksFailTheGateWithSummaryJunitAndAnnotations) {
  launch("Clean.One", "true");
  launch("Leaky.Server", "sleep 300 & exit 0");
  launch("Leaky.Daemon", "setsid sleep 301 & exit 0");
  const auto junit = dir_ + "/junit.xml";
  RunOptions o;
  o.env["GITHUB_ACTIONS"] = "true";
  const auto r = gate({"--junit", junit, reports()}, o);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("3 tests checked (3 reports): 1 clean, 2 leaked"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("leaked processes by kind: escaped 1, orphan 2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sleep 300"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("LEAKED     Leaky.Daemon"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("left the session via setsid"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("::error title=procleak%3A Leaky.Server leaked 1 process::PID "), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("::error title=procleak%3A Clean.One"), std::string::npos) << r.out;

  const auto lint = run_command({"xmllint", "--noout", junit});
  EXPECT_EQ(lint.exit_code, 0) << lint.err;
  EXPECT_EQ(xpath(junit, "string(/testsuites/@tests)"), "3");
  EXPECT_EQ(xpath(junit, "string(/testsuites/@failures)"), "2");
  EXPECT_EQ(xpath(junit, "count(//testcase)"), "3");
  EXPECT_EQ(xpath(junit, "count(//testcase[@name='Clean.One']/failure)"), "0");
  EXPECT_NE(xpath(junit, "string(//testcase[@name='Leaky.Server']/failure)").find("sleep 300"), std::string::npos);
  expect_nothing_left();
}

TEST_F(Gate, WithoutGithubThereAreNoAnnotations) {
  launch("Leaky.Server", "sleep 300 & exit 0");
  const auto r = gate({reports()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out.find("::error"), std::string::npos) << r.out;
  const auto flagged = gate({"--github", reports()});
  EXPECT_NE(flagged.out.find("::error"), std::string::npos) << flagged.out;
}

TEST_F(Gate, BaselineFlowOldLeakPassesNewLeakFails) {
  launch("Legacy.Leaker", "sleep 300 & exit 0");
  const auto baseline = dir_ + "/baseline.json";
  const auto written = gate({"--write-baseline", baseline, reports()});
  EXPECT_EQ(written.exit_code, 0) << written.out << written.err;
  EXPECT_NE(written.out.find("wrote 1 known leak(s)"), std::string::npos) << written.out;

  // The next CI run: the legacy test leaks again (another PID), still known.
  std::filesystem::remove_all(reports());
  launch("Legacy.Leaker", "sleep 300 & exit 0");
  launch("Clean.One", "true");
  auto r = gate({"--baseline", baseline, reports()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("1 leaked only what the baseline lists"), std::string::npos) << r.out;

  // A new leaker fails; so does the legacy test leaking a new program.
  launch("Fresh.Leaker", "sleep 302 & exit 0");
  r = gate({"--baseline", baseline, reports()});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("LEAKED     Fresh.Leaker"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("known      Legacy.Leaker"), std::string::npos) << r.out;

  std::filesystem::remove_all(reports());
  launch("Legacy.Leaker", "sleep 300 & tail -f /dev/null & exit 0");
  r = gate({"--baseline", baseline, reports()});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  expect_nothing_left();
}

TEST_F(Gate, ShardsCopiedIntoOneFolderMergeWithListenerReports) {
  launch("Leaky.Server", "sleep 300 & exit 0");
  RunOptions o;
  o.env["PROCLEAK_REPORT_DIR"] = dir_ + "/shard2";
  const auto listener = run_command({kScenarios, "--gtest_filter=Leaky.LeavesAChildRunning:Clean.*"}, o);
  EXPECT_EQ(listener.exit_code, 1) << listener.out;
  const auto r = gate({reports(), dir_ + "/shard2"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("LEAKED     Leaky.LeavesAChildRunning  (gtest,"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("LEAKED     Leaky.Server  (launcher,"), std::string::npos) << r.out;
  expect_nothing_left();
}

TEST_F(Gate, UnreadableInputExits2NamesTheFileAndStillSummarises) {
  launch("Leaky.Server", "sleep 300 & exit 0");
  std::ofstream(reports() + "/cut.json") << R"({"schema": "procleak.report/1", "test": "X", "le)";
  std::ofstream(reports() + "/future.json") << R"({"schema": "procleak.report/2"})";
  std::filesystem::create_directories(dir_ + "/empty");
  const auto junit = dir_ + "/junit.xml";
  const auto r = gate({"--junit", junit, reports(), dir_ + "/empty"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(reports() + "/cut.json: not valid JSON"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(reports() + "/future.json: schema procleak.report/2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(dir_ + "/empty: no procleak reports"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("LEAKED     Leaky.Server"), std::string::npos) << "the rest is still summarised: " << r.out;
  EXPECT_EQ(run_command({"xmllint", "--noout", junit}).exit_code, 0);
  EXPECT_EQ(xpath(junit, "string(/testsuites/@errors)"), "3");
}

TEST_F(Gate, TwoScriptsOfOneInterpreterAreTwoTests) {
  // Before: both were named "bash": one test, and a baseline written while
  // only a.sh leaked excused the new leak in b.sh.
  std::ofstream(dir_ + "/a.sh") << "sleep 300 &\n";
  std::ofstream(dir_ + "/b.sh") << "true\n";
  const auto run_script = [&](const std::string& script) {
    const auto r = run_command({kRun, "--report-dir", reports(), "--", "bash", dir_ + "/" + script});
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 3) << r.err;
  };
  run_script("a.sh");
  run_script("b.sh");
  auto r = gate({"--write-baseline", dir_ + "/base.json", reports()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("2 tests checked (2 reports): 1 clean, 0 leaked, 1 leaked only what the baseline lists"),
            std::string::npos)
      << r.out;
  std::filesystem::remove_all(reports());
  std::ofstream(dir_ + "/b.sh") << "sleep 300 &\n";
  run_script("a.sh");
  run_script("b.sh");
  r = gate({"--baseline", dir_ + "/base.json", reports()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("LEAKED     bash " + dir_ + "/b.sh"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("known      bash " + dir_ + "/a.sh"), std::string::npos) << r.out;
  expect_nothing_left();
}

TEST_F(Gate, MissingFolderSaysWhatItLikelyMeansOnce) {
  // Before: "no such file or folder", printed twice (stderr and summary).
  const auto missing = dir_ + "/never-written";
  const auto r = gate({missing});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(missing + ": no such file or folder: no test wrote a report here (the tests did not run under "
                                 "procleak-run"),
            std::string::npos)
      << r.err;
  const auto all = r.out + r.err;
  std::size_t named = 0;
  for (auto pos = all.find(missing); pos != std::string::npos; pos = all.find(missing, pos + 1)) ++named;
  EXPECT_EQ(named, 1u) << all;
}

TEST_F(Gate, ForgedReportCannotIssueWorkflowCommands) {
  // Before: a report whose strings held "\n::add-mask::..." or "\n::error ..."
  // made the gate print those as commands the runner acts on.
  launch("Leaky.Server", "sleep 300 & exit 0");
  std::string real;
  for (const auto& e : std::filesystem::directory_iterator(reports())) real = e.path();
  auto doc = procleak_test::read_report(real);
  const std::string evil = "x\n::add-mask::secret\r::error title=pwned::forged \u202e\x1b[2J";
  doc["source"] = evil;
  doc["test"] = evil;
  doc["leaks"][0]["comm"] = evil;
  doc["leaks"][0]["cmdline"] = {evil, evil};
  doc["leaks"][0]["cleanup_error"] = evil;
  auto quiet = doc["leaks"][0];
  quiet["suppressed_by"] = evil;
  doc["leaks"].push_back(quiet);
  std::filesystem::remove(real);
  std::ofstream(reports() + "/forged\n::error::file name.json") << doc.dump();
  std::ofstream(reports() + "/::warning::bare.json") << "{";
  RunOptions o;
  o.env["GITHUB_ACTIONS"] = "true";
  const auto r = gate({reports()}, o);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(procleak_test::workflow_commands(r.out), (std::vector<std::string>{"stop-commands", "error", "error"}))
      << r.out;
  EXPECT_TRUE(procleak_test::workflow_commands(r.err).empty()) << r.err;
  EXPECT_NE(r.out.find("LEAKED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\\x0a::add-mask::secret\\x0d::error"), std::string::npos) << "shown escaped: " << r.out;
}

TEST_F(Gate, BadUsageAndBadBaselineAreNamedErrors) {
  launch("Clean.One", "true");
  auto r = gate({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("DIR is required"), std::string::npos) << r.err;
  r = gate({"--frobnicate", reports()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--frobnicate"), std::string::npos) << r.err;
  std::ofstream(dir_ + "/base.json") << "{";
  r = gate({"--baseline", dir_ + "/base.json", reports()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(dir_ + "/base.json: not valid JSON"), std::string::npos) << r.err;
  r = gate({"--junit", dir_ + "/no/such/dir/j.xml", reports()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(dir_ + "/no/such/dir/j.xml: --junit: cannot write: No such file or directory"),
            std::string::npos)
      << r.err;
  // The summary's last line names the exit status the gate really has.
  EXPECT_NE(r.out.find("could not be read or written (named on stderr; exit 2)"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("(exit 1)"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("PASS"), std::string::npos) << r.out;
  r = gate({"--baseline", dir_ + "/absent.json", reports()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(dir_ + "/absent.json: cannot be read: No such file or directory"), std::string::npos) << r.err;
  EXPECT_EQ(gate({"--version"}).out, "procleak-report 0.1.0\n");
  EXPECT_EQ(gate({"--help"}).exit_code, 0);
}

}  // namespace
