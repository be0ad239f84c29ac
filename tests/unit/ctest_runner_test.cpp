// procleak-ctest's parts: its command line and the test file it generates
// from ctest's json-v1 listing.
#include <gtest/gtest.h>

#include "ctest_arguments.hpp"
#include "generated_tests.hpp"

namespace procleak::ctest_runner {
namespace {

TEST(CtestArguments, LauncherFlagsBeforeTheSeparatorTheRestPassThrough) {
  auto a = parse_ctest_arguments({"--mode", "warn", "--", "--test-dir", "b", "-j8", "-R", "x"});
  EXPECT_EQ(a.launcher_flags, (std::vector<std::string>{"--mode", "warn"}));
  EXPECT_EQ(a.test_dir, "b");
  EXPECT_EQ(a.ctest_args, (std::vector<std::string>{"-j8", "-R", "x"}));
  a = parse_ctest_arguments({"--test-dir=b", "-CRelease", "--timeout", "30", "--output-junit", "j.xml"});
  EXPECT_TRUE(a.launcher_flags.empty());
  EXPECT_EQ(a.test_dir, "b");
  EXPECT_EQ(a.config, "Release");
  ASSERT_TRUE(a.default_timeout);
  EXPECT_EQ(*a.default_timeout, 30.0);
  // A relative JUnit file lands in the build tree, as ctest would put it.
  EXPECT_EQ(a.ctest_args, (std::vector<std::string>{"-C", "Release", "--timeout", "30", "--output-junit", "b/j.xml"}));
  a = parse_ctest_arguments({"--output-junit", "/abs/j.xml"});
  EXPECT_EQ(a.test_dir, ".");
  EXPECT_EQ(a.ctest_args.back(), "/abs/j.xml");
  EXPECT_EQ(parse_ctest_arguments({"-C"}).error, "-C needs a value");
  EXPECT_EQ(parse_ctest_arguments({"--timeout", "-1"}).error, "--timeout -1: not a number of seconds");
}

TEST(GeneratedTests, BracketsHoldAnyText) {
  EXPECT_EQ(cmake_bracket("plain"), "[[plain]]");
  EXPECT_EQ(cmake_bracket("a]]b"), "[=[a]]b]=]");
  EXPECT_EQ(cmake_bracket("a]]b]=]c"), "[==[a]]b]=]c]==]");
  EXPECT_EQ(cmake_bracket("\nlead"), "[[\n\nlead]]") << "the bracket syntax drops one leading newline";
}

TEST(GeneratedTests, TheLaunchersDeadlineComesAMarginBeforeCtests) {
  // The CMake module's rule: margin min(T/3, 2 grace + settle + 1 s).
  auto d = launcher_deadline(3, 2, 0.1);
  EXPECT_EQ(d.timeout_ms, 2000);
  EXPECT_EQ(d.grace_ms, 225);
  d = launcher_deadline(1500, 2, 0.1);
  EXPECT_EQ(d.timeout_ms, 1500000 - 5100);
  EXPECT_EQ(d.grace_ms, 1250) << "(margin - settle) / 4, as the CMake module computes it";
}

TEST(GeneratedTests, EveryTestUnderTheLauncherWithItsPropertiesKept) {
  const std::string listing = R"({"kind": "ctestInfo", "version": {"major": 1, "minor": 0}, "tests": [
    {"name": "a b", "command": ["/bin/prog", "x;y", "]]"], "properties": [
      {"name": "ENVIRONMENT", "value": ["K=v", "S=a;b"]},
      {"name": "WILL_FAIL", "value": true},
      {"name": "TIMEOUT", "value": 3},
      {"name": "WORKING_DIRECTORY", "value": "/w"},
      {"name": "RESOURCE_GROUPS", "value": [{"requirements": [{".type": "gpus", "slots": 2}]}]},
      {"name": "FUTURE_THING", "value": {"nested": {"x": 1}}}]},
    {"name": "gone"}]})";
  LauncherSetup setup;
  setup.procleak_run = "/usr/bin/procleak-run";
  setup.flags = {"--mode", "warn"};
  const auto g = generate_tests(listing, setup);
  ASSERT_EQ(g.error, "");
  EXPECT_EQ(g.tests, 2u);
  EXPECT_NE(g.cmake.find("add_test([[a b]] [[/usr/bin/procleak-run]] [[--mode]] [[warn]] --ctest-measurements "
                         "--name [[a b]] --timeout 2000ms --grace 225ms -- [[/bin/prog]] [[x;y]] [=[]]]=])"),
            std::string::npos)
      << g.cmake;
  EXPECT_NE(g.cmake.find("set_tests_properties([[a b]] PROPERTIES ENVIRONMENT [[K=v;S=a\\;b]] WILL_FAIL [[ON]] "
                         "TIMEOUT [[3]] WORKING_DIRECTORY [[/w]] RESOURCE_GROUPS [[gpus:2]])"),
            std::string::npos)
      << g.cmake;
  EXPECT_NE(g.cmake.find("add_test([[gone]] NOT_AVAILABLE)"), std::string::npos) << g.cmake;
  ASSERT_EQ(g.warnings.size(), 1u);
  EXPECT_NE(g.warnings[0].find("FUTURE_THING"), std::string::npos);
  EXPECT_NE(generate_tests("{}", setup).error, "");
  EXPECT_NE(generate_tests("not json", setup).error, "");
}

}  // namespace
}  // namespace procleak::ctest_runner
