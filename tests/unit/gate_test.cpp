// procleak-report's parts: collecting reports, the baseline, the judgement and
// the JUnit / annotation writers.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "baseline.hpp"
#include "github_annotations.hpp"
#include "judgement.hpp"
#include "junit.hpp"
#include "procleak/report_json.hpp"
#include "report_collection.hpp"
#include "summary.hpp"
#include "workflow_commands.hpp"

namespace procleak::gate {
namespace {

namespace fs = std::filesystem;
using procleak_test::workflow_commands;

Leak leak(pid_t pid, std::string comm, Kind kind = Kind::orphan) {
  Leak l;
  l.pid = pid;
  l.comm = comm;
  l.cmdline = {comm, "300"};
  l.kinds.add(kind);
  l.cleanup = Fate::terminated;
  return l;
}

LoadedReport loaded(std::string test, std::vector<Leak> leaks) {
  LoadedReport r;
  r.path = "reports/" + test + ".json";
  r.report.test = std::move(test);
  r.report.leaks = std::move(leaks);
  return r;
}

class Folder : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/procleak-gate-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) const {
    fs::create_directories(fs::path(dir_ + '/' + name).parent_path());
    std::ofstream(dir_ + '/' + name) << text;
  }
  std::string dir_;
};

std::string report_text(const std::string& test, std::vector<Leak> leaks = {}) {
  Report r;
  r.test = test;
  r.leaks = std::move(leaks);
  return to_json(r);
}

TEST_F(Folder, CollectsReportsRecursivelyInPathOrder) {
  write("shard2/b.json", report_text("B"));
  write("shard1/a.json", report_text("A", {leak(10, "sleep")}));
  write("shard1/.a.json.tmp.12.1", "{");  // a writer's temporary file
  write("shard1/notes.txt", "not json");
  write("ctest.json", R"({"testsuites": []})");
  const auto c = collect_reports({dir_});
  ASSERT_EQ(c.reports.size(), 2u);
  EXPECT_EQ(c.reports[0].report.test, "A");
  EXPECT_EQ(c.reports[1].report.test, "B");
  EXPECT_TRUE(c.problems.empty());
  ASSERT_EQ(c.ignored.size(), 1u);
  EXPECT_EQ(fs::path(c.ignored[0]).filename(), "ctest.json");
}

TEST_F(Folder, NamesEveryUnreadableInputAndKeepsTheRest) {
  write("good.json", report_text("Good"));
  write("truncated.json", report_text("T").substr(0, 40));
  write("empty.json", "");
  auto newer = nlohmann::json::parse(report_text("N"));
  newer["schema"] = "procleak.report/9";
  write("newer.json", newer.dump());
  fs::create_directories(dir_ + "/nothing");
  const auto c = collect_reports({dir_, dir_ + "/nothing", dir_ + "/missing"});
  ASSERT_EQ(c.reports.size(), 1u);
  std::map<std::string, std::string> by_name;
  for (const auto& p : c.problems) by_name[fs::path(p.path).filename()] = p.message;
  ASSERT_EQ(by_name.size(), 5u);
  EXPECT_NE(by_name["truncated.json"].find("not valid JSON"), std::string::npos);
  EXPECT_NE(by_name["empty.json"].find("empty file"), std::string::npos);
  EXPECT_NE(by_name["newer.json"].find("procleak.report/9"), std::string::npos);
  EXPECT_NE(by_name["nothing"].find("no procleak reports"), std::string::npos);
  EXPECT_NE(by_name["missing"].find("no such file"), std::string::npos);
  EXPECT_NE(by_name["missing"].find("the tests did not run under procleak-run"), std::string::npos)
      << "says what it likely means: " << by_name["missing"];
}

TEST_F(Folder, BaselineRoundTripsAndRejectsBadFiles) {
  const std::vector<LoadedReport> reports{loaded("A", {leak(1, "sleep"), leak(2, "server")}), loaded("B", {})};
  write("base.json", Baseline::of(reports).to_json());
  std::string error;
  const auto b = Baseline::load(dir_ + "/base.json", error);
  ASSERT_TRUE(b) << error;
  EXPECT_EQ(b->size(), 2u);
  EXPECT_TRUE(b->knows({"", "A"}, "sleep"));
  EXPECT_TRUE(b->knows({"", "A"}, "server"));
  EXPECT_FALSE(b->knows({"", "B"}, "sleep"));

  write("bad.json", R"({"schema": "procleak.baseline/1", "known_leaks": [{"test": "A"}]})");
  EXPECT_FALSE(Baseline::load(dir_ + "/bad.json", error));
  EXPECT_NE(error.find("known_leaks[0] needs string fields test and comm"), std::string::npos) << error;
  write("other.json", R"({"schema": "something/1"})");
  EXPECT_FALSE(Baseline::load(dir_ + "/other.json", error));
  EXPECT_NE(error.find("not a procleak baseline"), std::string::npos) << error;
  EXPECT_FALSE(Baseline::load(dir_ + "/absent.json", error));
  EXPECT_NE(error.find("cannot be read: No such file or directory"), std::string::npos) << error << ": with why";
  // Fields of the wrong type are an error, not an uncaught type_error (exit 134).
  write("typed.json", R"({"schema": 1, "known_leaks": 5})");
  EXPECT_FALSE(Baseline::load(dir_ + "/typed.json", error));
  EXPECT_NE(error.find("not a procleak baseline"), std::string::npos) << error;
  write("typed2.json", R"({"schema": "procleak.baseline/1", "known_leaks": 5})");
  EXPECT_FALSE(Baseline::load(dir_ + "/typed2.json", error));
  EXPECT_NE(error.find("known_leaks is missing or not an array"), std::string::npos) << error;
}

TEST_F(Folder, DeepOrHugeBaselinesAndReportsAreRefusedWithBoundedMemory) {
  std::string error;
  const std::string deep = R"({"schema": "procleak.baseline/1", "known_leaks": )" + std::string(100'000, '[') +
                           std::string(100'000, ']') + "}";
  EXPECT_FALSE(Baseline::parse(deep, error));
  EXPECT_NE(error.find("nested deeper than 32 levels"), std::string::npos) << error;
  {
    std::ofstream big(dir_ + "/big.json");
    big << R"({"schema": "procleak.report/1", "x": ")";
    const std::string mib(1u << 20, 'a');
    for (int i = 0; i < 40; ++i) big << mib;
    big << "\"}";
  }
  EXPECT_FALSE(Baseline::load(dir_ + "/big.json", error));
  EXPECT_NE(error.find("larger than 16 MiB"), std::string::npos) << error;
  const auto c = collect_reports({dir_ + "/big.json"});
  ASSERT_EQ(c.problems.size(), 1u);
  EXPECT_NE(c.problems[0].message.find("larger than 16 MiB"), std::string::npos) << c.problems[0].message;
}

LoadedReport run_of(std::string program, std::string test, std::vector<Leak> leaks) {
  auto r = loaded(std::move(test), std::move(leaks));
  r.report.command = {"/build/" + program, "--gtest_shuffle"};
  r.path = "reports/" + program + "." + r.report.test + ".json";
  return r;
}

TEST(Judgement, TwoProgramsWithATestOfTheSameNameAreTwoTests) {
  // Before: tests were told apart by name alone, so the program scope "*" of
  // two binaries was one test, and a baseline written while only one of them
  // leaked excused a new leak of the other.
  ReportCollection c;
  c.reports = {run_of("io_tests", "*", {leak(1, "sleep")}), run_of("net_tests", "*", {leak(2, "sleep")})};
  auto j = judge(c, nullptr);
  EXPECT_EQ(j.tests, 2);
  EXPECT_EQ(j.failing, 2);
  const auto baseline = Baseline::of({c.reports[0]});
  j = judge(c, &baseline);
  EXPECT_EQ(j.known_only, 1);
  EXPECT_EQ(j.failing, 1) << "net_tests' leak is new";
  EXPECT_TRUE(j.reports[1].fails());
  // The listener's and the launcher's report of one test stay one test.
  c.reports.push_back(run_of("io_tests", "*", {}));
  EXPECT_EQ(judge(c, nullptr).tests, 2);
  // JUnit and the summary name the program.
  j = judge(c, &baseline);  // anew: the judgement points into c.reports
  EXPECT_NE(format_junit(c, j).find(R"(classname="procleak.launcher.net_tests" name="*")"), std::string::npos)
      << format_junit(c, j);
  EXPECT_NE(format_summary(c, j).find("LEAKED     *  (launcher, net_tests, reports/net_tests.*.json)"),
            std::string::npos)
      << format_summary(c, j);
}

TEST(Junit, ATestIsOneTestcaseByItsWorstReport) {
  // Before: a GoogleTest test under the launcher with the listener was two
  // testcases, the launcher's pass and the listener's failure, while the
  // summary counted one test.
  ReportCollection c;
  auto launcher = run_of("unit_tests", "Suite.Leaks", {});
  launcher.report.source = "launcher";
  auto listener = run_of("unit_tests", "Suite.Leaks", {leak(7, "sleep")});
  listener.report.source = "gtest";
  c.reports = {launcher, listener, run_of("unit_tests", "Suite.Clean", {}), run_of("unit_tests", "Suite.Clean", {})};
  const auto j = judge(c, nullptr);
  EXPECT_EQ(j.tests, 2);
  const auto xml = format_junit(c, j);
  EXPECT_NE(xml.find(R"(tests="2" failures="1" errors="0" skipped="0")"), std::string::npos) << xml;
  std::size_t cases = 0;
  for (auto at = xml.find("<testcase "); at != std::string::npos; at = xml.find("<testcase ", at + 1)) ++cases;
  EXPECT_EQ(cases, 2u) << xml;
  EXPECT_NE(xml.find(R"(classname="procleak.gtest.unit_tests" name="Suite.Leaks")"), std::string::npos)
      << "the failing report speaks for the test: " << xml;
  EXPECT_EQ(xml.find(R"(classname="procleak.launcher.unit_tests" name="Suite.Leaks")"), std::string::npos) << xml;
}

TEST_F(Folder, BaselineRecordsTheProgramAndOldEntriesMatchAny) {
  write("base.json", Baseline::of({run_of("io_tests", "*", {leak(1, "sleep")})}).to_json());
  std::string error;
  auto b = Baseline::load(dir_ + "/base.json", error);
  ASSERT_TRUE(b) << error;
  EXPECT_TRUE(b->knows({"io_tests", "*"}, "sleep"));
  EXPECT_FALSE(b->knows({"net_tests", "*"}, "sleep"));
  write("old.json", R"({"schema": "procleak.baseline/1", "known_leaks": [{"test": "*", "comm": "sleep"}]})");
  b = Baseline::load(dir_ + "/old.json", error);
  ASSERT_TRUE(b) << error;
  EXPECT_TRUE(b->knows({"net_tests", "*"}, "sleep")) << "written before programs were recorded";
  write("typed.json", R"({"schema": "procleak.baseline/1", "known_leaks": [{"test": "*", "comm": "x", "program": 3}]})");
  EXPECT_FALSE(Baseline::load(dir_ + "/typed.json", error));
  EXPECT_NE(error.find("known_leaks[0].program is not a string"), std::string::npos) << error;
}

TEST(Judgement, IncompleteFailsAndNoBaselineExcusesIt) {
  ReportCollection c;
  c.reports = {loaded("Hidden", {leak(1, "sleep")}), loaded("Blind", {})};
  c.reports[0].report.incomplete_reason = "1 process could not be killed (EPERM)";
  c.reports[1].report.incomplete_reason = "could not read this process's children (EMFILE)";
  const auto baseline = Baseline::of(c.reports);  // lists Hidden's sleep
  const auto j = judge(c, &baseline);
  EXPECT_EQ(j.failing, 2);
  EXPECT_EQ(j.incomplete, 2);
  EXPECT_EQ(j.clean, 0) << "an incomplete report without leaks is not clean";
  EXPECT_EQ(gate_exit_code(c, j), 1);
  const auto summary = format_summary(c, j);
  EXPECT_NE(summary.find("INCOMPLETE"), std::string::npos) << summary;
  EXPECT_NE(summary.find("check incomplete: could not read this process's children (EMFILE)"), std::string::npos)
      << summary;
  EXPECT_NE(format_junit(c, j).find("type=\"procleak.incomplete\""), std::string::npos);
  EXPECT_NE(format_github_annotations(c, j).find("::error"), std::string::npos);
}

// The summary names the line of code to fix: leaks grouped by spawn site,
// the program's own innermost frame (not a library's under /usr).
TEST(Judgement, LeaksAreGroupedBySpawnSite) {
  const auto spawned = [](pid_t pid, int line) {
    auto l = leak(pid, "sleep");
    l.spawned_at = std::vector<SpawnFrame>{{"__libc_system", "/usr/src/glibc/system.c", 10},
                                           {"Math_Adds_Test::TestBody()", "tests/math_test.cpp", line}};
    return l;
  };
  ReportCollection c;
  c.reports = {loaded("A", {spawned(1, 42), spawned(2, 42)}), loaded("B", {spawned(3, 42), spawned(4, 7)}),
               loaded("C", {leak(5, "sleep")})};
  const auto j = judge(c, nullptr);
  ASSERT_EQ(j.top_spawn_sites.size(), 2u);
  EXPECT_EQ(j.top_spawn_sites[0], (std::pair<std::string, int>{"Math_Adds_Test::TestBody() (tests/math_test.cpp:42)", 3}));
  EXPECT_EQ(j.top_spawn_sites[1], (std::pair<std::string, int>{"Math_Adds_Test::TestBody() (tests/math_test.cpp:7)", 1}));
  const auto summary = format_summary(c, j);
  EXPECT_NE(summary.find("most leaking spawn sites (the line that started them):\n"
                         "      3  Math_Adds_Test::TestBody() (tests/math_test.cpp:42)\n"),
            std::string::npos)
      << summary;
}

TEST(Judgement, NewKnownAndSuppressedLeaks) {
  auto suppressed = leak(5, "helper");
  suppressed.suppressed_by = "comm:helper";
  ReportCollection c;
  c.reports = {loaded("Clean", {}), loaded("Old", {leak(1, "sleep")}),
               loaded("OldPlusNew", {leak(2, "sleep"), leak(3, "server", Kind::zombie)}),
               loaded("Quiet", {suppressed})};
  const auto baseline = Baseline::of({loaded("Old", {leak(9, "sleep")}), loaded("OldPlusNew", {leak(9, "sleep")})});

  const auto without = judge(c, nullptr);
  EXPECT_EQ(without.failing, 2);
  EXPECT_EQ(gate_exit_code(c, without), 1);

  const auto j = judge(c, &baseline);
  EXPECT_EQ(j.clean, 1);
  EXPECT_EQ(j.known_only, 1);
  EXPECT_EQ(j.failing, 1);
  EXPECT_EQ(j.suppressed_only, 1);
  EXPECT_TRUE(j.reports[2].fails());
  EXPECT_EQ(j.reports[2].leaks, (std::vector<LeakStatus>{LeakStatus::known, LeakStatus::fresh}));
  EXPECT_EQ(j.leaks_by_kind.at("orphan"), 2);
  EXPECT_EQ(j.leaks_by_kind.at("zombie"), 1);
  EXPECT_EQ(j.leaks_by_kind.count("stray"), 0u);
  ASSERT_FALSE(j.top_commands.empty());
  EXPECT_EQ(j.top_commands[0], (std::pair<std::string, int>{"sleep 300", 2}));
  EXPECT_EQ(gate_exit_code(c, j), 1);

  c.reports.erase(c.reports.begin() + 2);
  EXPECT_EQ(gate_exit_code(c, judge(c, &baseline)), 0);
  c.problems.push_back({"x.json", "not valid JSON"});
  EXPECT_EQ(gate_exit_code(c, judge(c, &baseline)), 2) << "unreadable input wins over a pass";
}

TEST(Judgement, ATestWithSeveralReportsCountsOnceByItsWorst) {
  // The listener's report (leaked) and the launcher's (clean) for one test,
  // and a test repeated twice.
  ReportCollection c;
  c.reports = {loaded("Suite.Leaky", {leak(1, "sleep")}), loaded("Suite.Leaky", {}), loaded("Suite.Clean", {}),
               loaded("Suite.Clean", {})};
  const auto j = judge(c, nullptr);
  EXPECT_EQ(j.tests, 2);
  EXPECT_EQ(j.failing, 1);
  EXPECT_EQ(j.clean, 1);
  EXPECT_EQ(j.failing_reports, 1);
}

TEST(Summary, CountsKindsCommandsAndLeakingTests) {
  ReportCollection c;
  c.reports = {loaded("Clean", {}), loaded("Leaky", {leak(42, "sleep")})};
  const auto text = format_summary(c, judge(c, nullptr));
  EXPECT_NE(text.find("2 tests checked (2 reports): 1 clean, 1 leaked"), std::string::npos) << text;
  // Processes by kind, beside a count of tests: the heading says which.
  EXPECT_NE(text.find("leaked processes by kind: orphan 1"), std::string::npos) << text;
  EXPECT_NE(text.find("1  sleep 300"), std::string::npos) << text;
  EXPECT_NE(text.find("LEAKED     Leaky"), std::string::npos) << text;
  EXPECT_NE(text.find("PID 42"), std::string::npos) << text;
  // No baseline given: no words about one.
  EXPECT_NE(text.find("procleak-report: FAIL: 1 test leaked processes (exit 1)"), std::string::npos) << text;
  EXPECT_EQ(text.find("baseline"), std::string::npos) << text;
  Baseline none = Baseline::of({});
  const auto with = format_summary(c, judge(c, &none));
  EXPECT_NE(with.find("FAIL: 1 test leaked processes the baseline does not list (exit 1)"), std::string::npos) << with;
}

// Tests run in cgroups of their own: the summary names the ones whose whole
// tree used the most CPU (only where reports have resources).
TEST(Summary, NamesTheTestsWithTheMostCpuTime) {
  ReportCollection c;
  c.reports = {loaded("Light", {}), loaded("Heavy", {}), loaded("Unmeasured", {})};
  c.reports[0].report.resources = CgroupResources{.cpu_usec = 20'000, .memory_peak_bytes = {}, .pids_peak = {}};
  c.reports[1].report.resources = CgroupResources{.cpu_usec = 1'500'000, .memory_peak_bytes = 3u << 20, .pids_peak = 7};
  const auto text = format_summary(c, judge(c, nullptr));
  const auto heading = text.find("most CPU time (each test's whole tree, from its cgroup):\n");
  ASSERT_NE(heading, std::string::npos) << text;
  const auto heavy = text.find("      1.500 s  Heavy, memory peak 3.0 MiB, 7 processes at most\n");
  const auto light = text.find("      0.020 s  Light\n");
  EXPECT_TRUE(heading < heavy && heavy < light && light != std::string::npos) << text;
  EXPECT_EQ(text.find("Unmeasured\n", heading), std::string::npos) << text;
  c.reports[0].report.resources.reset();
  c.reports[1].report.resources.reset();
  EXPECT_EQ(format_summary(c, judge(c, nullptr)).find("most CPU time"), std::string::npos);
}

TEST(Junit, EscapesWhatXmlCannotHold) {
  EXPECT_EQ(xml_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
  EXPECT_EQ(xml_escape(std::string("x\x01y\tz\n")), "x\\x01y\tz\n");
  EXPECT_EQ(xml_escape("bad \xff\xc0\xaf \xef\xbf\xbe ok \xc3\xa9"), "bad \\xff\\xc0\\xaf \\ufffe ok \xc3\xa9")
      << "bytes that are not UTF-8 and non-characters never reach the XML";
}

TEST(Junit, OneTestcasePerReportAFailurePerNewLeak) {
  ReportCollection c;
  c.reports = {loaded("Clean", {}), loaded("Leaky<1>", {leak(42, "sleep")}), loaded("Old", {leak(7, "old")})};
  c.problems.push_back({"broken.json", "not valid JSON"});
  const auto baseline = Baseline::of({loaded("Old", {leak(1, "old")})});
  const auto xml = format_junit(c, judge(c, &baseline));
  EXPECT_NE(xml.find(R"(<testsuites name="procleak" tests="4" failures="1" errors="1" skipped="1">)"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find(R"(name="Leaky&lt;1&gt;")"), std::string::npos) << xml;
  EXPECT_NE(xml.find(R"x(<failure type="procleak.leak" message="leaked 1 process (1 new)">)x"), std::string::npos);
  EXPECT_NE(xml.find(R"(<error type="procleak.unreadable" message="not valid JSON"/>)"), std::string::npos);
}

TEST(GithubAnnotations, ErrorForNewWarningForKnownEscapedData) {
  EXPECT_EQ(escape_annotation_data("50%\r\nx"), "50%25%0D%0Ax");
  EXPECT_EQ(escape_annotation_property("a:b,c"), "a%3Ab%2Cc");
  ReportCollection c;
  c.reports = {loaded("Clean", {}), loaded("New", {leak(42, "sleep")}), loaded("Old", {leak(7, "old")})};
  c.problems.push_back({"broken.json", "not valid JSON"});
  const auto baseline = Baseline::of({loaded("Old", {leak(1, "old")})});
  const auto out = format_github_annotations(c, judge(c, &baseline));
  EXPECT_NE(out.find("::error title=procleak%3A New leaked 1 process::PID 42"), std::string::npos) << out;
  EXPECT_NE(out.find("::warning title=procleak%3A Old leaked 1 process (known from the baseline)::"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("::error title=procleak-report%3A unreadable input::broken.json: not valid JSON"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("Clean"), std::string::npos);
  for (std::size_t pos = 0, end; (end = out.find('\n', pos)) != std::string::npos; pos = end + 1) {
    EXPECT_EQ(out.compare(pos, 2, "::"), 0) << "each annotation is one line: " << out;
  }
}

// --- Untrusted reports (listener issue, case 8) ---------------------------

// Every byte is printable UTF-8 text or a newline: no other control
// character, no C1 control, no bidi override, nothing that is not UTF-8.
::testing::AssertionResult only_plain_text(const std::string& out) {
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto c = static_cast<unsigned char>(out[i]);
    if ((c < 0x20 && c != '\n') || c == 0x7f) return ::testing::AssertionFailure() << "control byte at " << i;
    if (c == 0xc2 && i + 1 < out.size() && static_cast<unsigned char>(out[i + 1]) < 0xa0) {
      return ::testing::AssertionFailure() << "C1 control at " << i;
    }
    if (out.compare(i, 3, "\xe2\x80\xae") == 0) return ::testing::AssertionFailure() << "bidi override at " << i;
    if (c == 0xff) return ::testing::AssertionFailure() << "byte 0xff at " << i;
  }
  return ::testing::AssertionSuccess();
}

const std::string kHostile =
    "x\n::add-mask::secret\r::error title=pwned::forged\x1b[31m\xe2\x80\xae\xc2\x85\xff";

ReportCollection hostile_collection() {
  Leak l = leak(42, kHostile);
  l.cmdline = {kHostile, kHostile};
  l.exe = kHostile;
  l.read_error = kHostile;
  l.cleanup_error = kHostile;
  Leak quiet = leak(43, kHostile);
  quiet.suppressed_by = kHostile;
  ReportCollection c;
  c.reports = {loaded(kHostile, {l, quiet}), loaded("Blind", {})};
  c.reports[0].path = "reports/" + kHostile + ".json";
  c.reports[0].report.source = kHostile;
  c.reports[1].report.incomplete_reason = kHostile;
  c.problems.push_back({"::error::bare " + kHostile, kHostile});
  c.ignored.push_back(kHostile);
  return c;
}

TEST(UntrustedReports, NoStringOfAReportBecomesAWorkflowCommand) {
  // Before: the summary printed them raw, and the runner acted on
  // ::add-mask:: and ::error lines a forged report held.
  const auto c = hostile_collection();
  const auto j = judge(c, nullptr);
  const auto summary = format_summary(c, j);
  const auto out = without_workflow_commands(summary, random_token()) + format_github_annotations(c, j);
  const auto commands = workflow_commands(out);
  // Ours only: the pause around the summary, then one ::error per failing
  // report and one per unreadable input.
  EXPECT_EQ(commands, (std::vector<std::string>{"stop-commands", "error", "error", "error"})) << out;
  EXPECT_TRUE(only_plain_text(out)) << out;
  // Even without the pause, no summary line is a command (GITHUB_ACTIONS unset,
  // another CI that reads "::" lines).
  EXPECT_TRUE(workflow_commands(summary).empty()) << summary;
  EXPECT_TRUE(only_plain_text(summary));
  EXPECT_NE(summary.find("\\x1b[31m\\u202e\\u0085\\xff"), std::string::npos) << "shown escaped: " << summary;
  const auto problem = format_problem(c.problems[0]);
  EXPECT_EQ(problem.find('\n'), problem.size() - 1) << "one line: " << problem;
  EXPECT_TRUE(only_plain_text(problem));
  EXPECT_TRUE(workflow_commands(problem).empty()) << problem;
}

TEST(UntrustedReports, TheSummaryCannotEndThePauseWithoutTheToken) {
  const std::string summary = "::stop-commands::x\n::x::\n::error::forged\n";
  const auto out = without_workflow_commands(summary, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(workflow_commands(out), (std::vector<std::string>{"stop-commands"})) << out;
  EXPECT_NE(random_token(), random_token());
  EXPECT_EQ(random_token().size(), 32u);
}

TEST(UntrustedReports, JunitHoldsOnlyWhatXmlMay) {
  const auto c = hostile_collection();
  const auto xml = format_junit(c, judge(c, nullptr));
  EXPECT_TRUE(only_plain_text(xml)) << xml;
  EXPECT_EQ(xml.find(kHostile), std::string::npos);
}

}  // namespace
}  // namespace procleak::gate
