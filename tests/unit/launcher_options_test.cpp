#include "launcher_options.hpp"

#include <gtest/gtest.h>

#include <map>

namespace procleak::launcher {
namespace {

using namespace std::chrono_literals;

ParseResult parse(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  return parse_options(args, [env](const char* name) -> const char* {
    const auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

TEST(LauncherOptions, Defaults) {
  const auto r = parse({"--", "true"});
  ASSERT_EQ(r.outcome, ParseOutcome::run) << r.error;
  EXPECT_EQ(r.options.mode, Mode::fail);
  EXPECT_EQ(r.options.grace, 2s);
  EXPECT_EQ(r.options.settle, 100ms);
  EXPECT_FALSE(r.options.timeout);
  EXPECT_EQ(r.options.leak_exit_code, 3);
  EXPECT_FALSE(r.options.probe_parent_kill);
  EXPECT_EQ(r.options.command, (std::vector<std::string>{"true"}));
  EXPECT_EQ(r.options.name, "true");
}

TEST(LauncherOptions, EveryFlagInBothSpellings) {
  const auto r = parse({"--mode", "warn", "--grace=500ms", "--settle", "1s", "--timeout=1m", "--report", "r.json",
                        "--report-dir=out", "--name", "T", "--suppressions", "s.txt", "--probe-parent-kill",
                        "--leak-exit-code", "9", "cmd", "arg"});
  ASSERT_EQ(r.outcome, ParseOutcome::run) << r.error;
  const auto& o = r.options;
  EXPECT_EQ(o.mode, Mode::warn);
  EXPECT_EQ(o.grace, 500ms);
  EXPECT_EQ(o.settle, 1s);
  EXPECT_EQ(o.timeout, Duration(60s));
  EXPECT_EQ(o.report_file, "r.json");
  EXPECT_EQ(o.report_dir, "out");
  EXPECT_EQ(o.name, "T");
  EXPECT_EQ(o.suppressions, "s.txt");
  EXPECT_TRUE(o.probe_parent_kill);
  EXPECT_EQ(o.leak_exit_code, 9);
  EXPECT_EQ(o.command, (std::vector<std::string>{"cmd", "arg"}));
}

TEST(LauncherOptions, TheCommandsOwnOptionsAreLeftAlone) {
  const auto r = parse({"--mode", "warn", "sh", "-c", "--mode", "--grace"});
  ASSERT_EQ(r.outcome, ParseOutcome::run) << r.error;
  EXPECT_EQ(r.options.command, (std::vector<std::string>{"sh", "-c", "--mode", "--grace"}));
  const auto r2 = parse({"--", "--weird-name", "--help"});
  ASSERT_EQ(r2.outcome, ParseOutcome::run);
  EXPECT_EQ(r2.options.command, (std::vector<std::string>{"--weird-name", "--help"}));
}

TEST(LauncherOptions, EnvironmentAndFlagPrecedence) {
  const std::map<std::string, std::string> env{{"PROCLEAK_MODE", "warn"},        {"PROCLEAK_GRACE", "3s"},
                                               {"PROCLEAK_SETTLE", "50ms"},      {"PROCLEAK_TIMEOUT", "10s"},
                                               {"PROCLEAK_REPORT_DIR", "d"},     {"PROCLEAK_SUPPRESSIONS", "s"},
                                               {"PROCLEAK_PROBE_PARENT_KILL", "1"}, {"PROCLEAK_LEAK_EXIT_CODE", "7"}};
  const auto r = parse({"true"}, env);
  ASSERT_EQ(r.outcome, ParseOutcome::run) << r.error;
  EXPECT_EQ(r.options.mode, Mode::warn);
  EXPECT_EQ(r.options.grace, 3s);
  EXPECT_EQ(r.options.settle, 50ms);
  EXPECT_EQ(r.options.timeout, Duration(10s));
  EXPECT_EQ(r.options.report_dir, "d");
  EXPECT_EQ(r.options.suppressions, "s");
  EXPECT_TRUE(r.options.probe_parent_kill);
  EXPECT_EQ(r.options.leak_exit_code, 7);
  const auto flag_wins = parse({"--mode", "fail", "--grace", "1s", "true"}, env);
  EXPECT_EQ(flag_wins.options.mode, Mode::fail);
  EXPECT_EQ(flag_wins.options.grace, 1s);
  // Empty variables count as unset.
  EXPECT_EQ(parse({"true"}, {{"PROCLEAK_MODE", ""}}).options.mode, Mode::fail);
}

TEST(LauncherOptions, ErrorsNameTheFlagOrVariable) {
  struct Case {
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    std::string must_contain;
  };
  const std::vector<Case> cases = {
      {{"--bogus", "true"}, {}, "unknown option '--bogus'"},
      {{"--grace", "2x", "true"}, {}, "--grace: invalid duration '2x'"},
      {{"--settle=", "true"}, {}, "--settle: invalid duration ''"},
      {{"--timeout", "0s", "true"}, {}, "--timeout: must be more than 0"},
      {{"--mode", "loud", "true"}, {}, "--mode: invalid mode 'loud'"},
      {{"--leak-exit-code", "0", "true"}, {}, "--leak-exit-code: invalid exit code '0'"},
      {{"--leak-exit-code", "256", "true"}, {}, "--leak-exit-code: invalid exit code '256'"},
      {{"--report"}, {}, "--report: missing value"},
      {{"--mode", "warn"}, {}, "no command given"},
      {{}, {}, "no command given"},
      {{"true"}, {{"PROCLEAK_GRACE", "soon"}}, "PROCLEAK_GRACE: invalid duration 'soon'"},
      {{"true"}, {{"PROCLEAK_MODE", "x"}}, "PROCLEAK_MODE: invalid mode 'x'"},
      {{"true"}, {{"PROCLEAK_PROBE_PARENT_KILL", "yes"}}, "PROCLEAK_PROBE_PARENT_KILL: expected 1 or 0"},
  };
  for (const auto& c : cases) {
    const auto r = parse(c.args, c.env);
    EXPECT_EQ(r.outcome, ParseOutcome::error) << c.must_contain;
    EXPECT_NE(r.error.find(c.must_contain), std::string::npos) << r.error;
    EXPECT_EQ(r.error.find('\n'), std::string::npos) << "one line: " << r.error;
  }
}

TEST(LauncherOptions, HelpAndVersion) {
  EXPECT_EQ(parse({"--help"}).outcome, ParseOutcome::help);
  EXPECT_EQ(parse({"--version"}).outcome, ParseOutcome::version);
  const auto help = help_text();
  for (const char* flag : {"--mode", "--grace", "--settle", "--timeout", "--report", "--report-dir", "--name",
                           "--suppressions", "--probe-parent-kill", "--leak-exit-code", "PROCLEAK_MODE"}) {
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
  }
}

TEST(LauncherOptions, DefaultNameFromGtestFilterElseTheCommand) {
  EXPECT_EQ(default_test_name({"./bin/math_tests", "--gtest_filter=MathTest.Adds"}), "MathTest.Adds");
  EXPECT_EQ(default_test_name({"/usr/bin/sh", "-c", "x"}), "sh -c x");
  EXPECT_EQ(default_test_name({"./t", "--test-case=leaves a sleep"}), "leaves a sleep");  // doctest
  EXPECT_EQ(default_test_name({"./t", "--run_test=suite/case"}), "suite/case");          // Boost.Test
  EXPECT_EQ(default_test_name({"tool", "--gtest_filter="}), "tool --gtest_filter=");
  EXPECT_EQ(default_test_name({"--gtest_filter=X"}), "--gtest_filter=X");
  // Before: both were "bash", one test to the gate and the baseline.
  EXPECT_EQ(default_test_name({"bash", "a.sh"}), "bash a.sh");
  EXPECT_EQ(default_test_name({"bash", "b.sh"}), "bash b.sh");
  // Quoted where a shell would split or expand: "a b" and "a" "b" differ.
  EXPECT_EQ(default_test_name({"sh", "-c", "sleep 1 & exit 0"}), "sh -c 'sleep 1 & exit 0'");
  EXPECT_EQ(default_test_name({"echo", "it's", ""}), "echo 'it'\\''s' ''");
  EXPECT_NE(default_test_name({"a", "b c"}), default_test_name({"a", "b", "c"}));
  // The program's folder is not part of it: the same test in another build tree.
  EXPECT_EQ(default_test_name({"/home/ci/build/tests/io_test", "--fast"}), "io_test --fast");
  // Long commands are cut, and a hash keeps two that start alike apart.
  const std::string long_arg(300, 'x');
  const auto one = default_test_name({"tool", long_arg, "1"});
  const auto two = default_test_name({"tool", long_arg, "2"});
  EXPECT_LE(one.size(), 200u);
  EXPECT_NE(one, two);
  EXPECT_EQ(one.substr(0, 10), "tool xxxxx");
}

TEST(LauncherOptions, CtestMeasurementsByFlagOrVariable) {
  EXPECT_FALSE(parse({"true"}).options.ctest_measurements);
  EXPECT_TRUE(parse({"--ctest-measurements", "true"}).options.ctest_measurements);
  EXPECT_TRUE(parse({"true"}, {{"PROCLEAK_CTEST_MEASUREMENTS", "1"}}).options.ctest_measurements);
  const auto bad = parse({"true"}, {{"PROCLEAK_CTEST_MEASUREMENTS", "yes"}});
  EXPECT_EQ(bad.outcome, ParseOutcome::error);
  EXPECT_NE(bad.error.find("PROCLEAK_CTEST_MEASUREMENTS"), std::string::npos);
}

TEST(LauncherOptions, CtestResultRuleByFlag) {
  EXPECT_FALSE(parse({"true"}).options.ctest);
  const auto r = parse({"--ctest", "--name", "x", "true"});
  EXPECT_TRUE(r.options.ctest);
  EXPECT_FALSE(r.options.ctest_measurements) << "measurements only with a failed check";
  EXPECT_EQ(r.options.command, (std::vector<std::string>{"true"}));
}

TEST(LauncherOptions, MesonResultRuleByFlag) {
  EXPECT_FALSE(parse({"true"}).options.meson);
  const auto r = parse({"--meson", "--", "true"});
  EXPECT_TRUE(r.options.meson);
  EXPECT_FALSE(r.options.ctest);
  EXPECT_EQ(r.options.command, (std::vector<std::string>{"true"}));
}

TEST(LauncherOptions, MeasurementsCountUnsuppressedAndSuppressedLeaks) {
  Report r;
  EXPECT_EQ(ctest_measurements(r),
            "<CTestMeasurement type=\"numeric/double\" name=\"procleak.leaks\">0</CTestMeasurement>\n"
            "<CTestMeasurement type=\"numeric/double\" name=\"procleak.suppressed\">0</CTestMeasurement>\n"
            "<CTestMeasurement type=\"text/string\" name=\"procleak.verdict\">clean</CTestMeasurement>\n");
  Leak leak;
  leak.kinds.add(Kind::orphan);
  r.leaks = {leak, leak, leak};
  r.leaks[2].suppressed_by = "comm:x";
  const auto text = ctest_measurements(r);
  EXPECT_NE(text.find("name=\"procleak.leaks\">2<"), std::string::npos) << text;
  EXPECT_NE(text.find("name=\"procleak.suppressed\">1<"), std::string::npos) << text;
  EXPECT_NE(text.find(">leaked<"), std::string::npos) << text;
}

TEST(LauncherOptions, TestListingsPassThrough) {
  EXPECT_TRUE(lists_tests_only({"./t", "--gtest_list_tests"}));
  EXPECT_TRUE(lists_tests_only({"./t", "--gtest_filter=A.*", "--gtest_list_tests=1"}));
  EXPECT_FALSE(lists_tests_only({"./t", "--gtest_list_tests=0"}));
  EXPECT_FALSE(lists_tests_only({"./t", "--gtest_filter=A.B"}));
  EXPECT_FALSE(lists_tests_only({"--gtest_list_tests"})) << "the program itself is not an argument";
  // Catch2 (v2 and v3 discovery), doctest, Boost.Test.
  EXPECT_TRUE(lists_tests_only({"./t", "--list-test-names-only"}));
  EXPECT_TRUE(lists_tests_only({"./t", "[tag]", "--list-tests", "--verbosity", "quiet"}));
  EXPECT_TRUE(lists_tests_only({"./t", "--list-reporters"}));
  EXPECT_TRUE(lists_tests_only({"./t", "--list-test-cases"}));
  EXPECT_TRUE(lists_tests_only({"./t", "--dt-list-test-cases=true"}));
  EXPECT_FALSE(lists_tests_only({"./t", "--list-test-cases=false"}));
  EXPECT_TRUE(lists_tests_only({"./t", "--list_content=HRF"}));
  EXPECT_TRUE(lists_tests_only({"./t", "--list_content"}));
  EXPECT_FALSE(lists_tests_only({"./t", "--run_test=suite/case"}));
  EXPECT_FALSE(lists_tests_only({"./t", "--", "--list-tests"})) << "an operand after -- is the program's own";
}

}  // namespace
}  // namespace procleak::launcher
