// procleak-ctest's parts: its command line and the test file it generates
// from ctest's json-v1 listing.
#include <gtest/gtest.h>

#include <filesystem>

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
  // A relative JUnit file lands in the build tree, as ctest would put it,
  // whatever folder procleak-ctest runs ctest in.
  const auto cwd = std::filesystem::current_path().string();
  EXPECT_EQ(a.ctest_args,
            (std::vector<std::string>{"-C", "Release", "--timeout", "30", "--output-junit", cwd + "/b/j.xml"}));
  a = parse_ctest_arguments({"--output-junit", "/abs/j.xml"});
  EXPECT_EQ(a.test_dir, ".");
  EXPECT_EQ(a.ctest_args.back(), "/abs/j.xml");
  a = parse_ctest_arguments({"--test-dir", "/t", "--output-junit", "../j.xml"});
  EXPECT_EQ(a.ctest_args.back(), "/j.xml");
  EXPECT_EQ(parse_ctest_arguments({"-C"}).error, "-C needs a value");
  EXPECT_EQ(parse_ctest_arguments({"--timeout", "-1"}).error, "--timeout -1: not a number of seconds");
}

TEST(GeneratedTests, BracketsHoldAnyText) {
  EXPECT_EQ(cmake_argument("plain"), "[[plain]]");
  EXPECT_EQ(cmake_argument("a]]b"), "[=[a]]b]=]");
  EXPECT_EQ(cmake_argument("a]]b]=]c"), "[==[a]]b]=]c]==]");
  EXPECT_EQ(cmake_argument("\nlead"), "[[\n\nlead]]") << "the bracket syntax drops one leading newline";
  // A closing bracket at the end would complete "]]" with the closing one
  // (gtest_discover_tests' SKIP_REGULAR_EXPRESSION "\\[  SKIPPED \\]").
  EXPECT_EQ(cmake_argument("\\[  SKIPPED \\]"), "[=[\\[  SKIPPED \\]]=]");
  EXPECT_EQ(cmake_argument("a]"), "[=[a]]=]");
  EXPECT_EQ(cmake_argument("a]="), "[[a]=]]") << "']=]' is not ']]'";
  EXPECT_EQ(cmake_argument("a]]b]="), "[==[a]]b]=]==]");
  EXPECT_EQ(cmake_argument("]"), "[=[]]=]");
}

TEST(GeneratedTests, NamesFromShowOnlyKeepEveryTestInOrder) {
  const auto names = names_from_show_only(
      "Test project /b\n  Test  #1: a b\n  Test  #2: we[ir]d]\n  Test #10: Test: x\n\nTotal Tests: 3\n");
  EXPECT_EQ(names, (std::vector<std::string>{"a b", "we[ir]d]", "Test: x"}));
}

TEST(GeneratedTests, TestsJsonLeavesOutAreNotAvailableWhereCtestHasThem) {
  const std::string listing = R"({"kind": "ctestInfo", "tests": [
    {"name": "b", "command": ["/bin/true"]}, {"name": "nocmd"}]})";
  LauncherSetup setup;
  setup.procleak_run = "/r";
  const std::vector<std::string> every{"a", "b (Disabled)", "c", "nocmd", "d"};
  const auto g = generate_tests(listing, setup, &every);
  ASSERT_EQ(g.error, "");
  EXPECT_EQ(g.tests, 5u);
  const auto at = [&](const std::string& s) { return g.cmake.find(s); };
  EXPECT_LT(at("add_test([[a]] NOT_AVAILABLE)"), at("add_test([[b]] [[/r]]"));
  EXPECT_LT(at("add_test([[b]] [[/r]]"), at("add_test([[c]] NOT_AVAILABLE)"));
  EXPECT_LT(at("add_test([[c]] NOT_AVAILABLE)"), at("add_test([[nocmd]] NOT_AVAILABLE)"));
  EXPECT_LT(at("add_test([[nocmd]] NOT_AVAILABLE)"), at("add_test([[d]] NOT_AVAILABLE)"));
  EXPECT_NE(at("add_test([[d]] NOT_AVAILABLE)"), std::string::npos) << g.cmake;
}

TEST(GeneratedTests, BytesCtestsListingReplacedAreRefusedNotRunDifferently) {
  const std::string listing = "{\"kind\": \"ctestInfo\", \"tests\": [{\"name\": \"t\", \"command\": "
                              "[\"/bin/echo\", \"a\\ufffdb\"]}]}";
  LauncherSetup setup;
  setup.procleak_run = "/r";
  const auto g = generate_tests(listing, setup);
  EXPECT_NE(g.error.find("test \"t\": its name, command or a property holds bytes that are not UTF-8"),
            std::string::npos) << g.error;
}

TEST(GeneratedTests, ListingsThatDifferNameTheFirstTestThatDiffers) {
  LauncherSetup setup;
  setup.procleak_run = "/r";
  const std::string original = R"({"kind": "ctestInfo", "tests": [
    {"name": "a", "command": ["/bin/x", "1"], "properties": [{"name": "WILL_FAIL", "value": true}]},
    {"name": "gone"},
    {"name": "b", "command": ["/bin/y"]}]})";
  const auto wrap = [](const std::string& name, const std::string& args) {
    return R"({"name": ")" + name + R"(", "command": ["/r", "--ctest", "--name", ")" + name + R"(", "--", )" + args + "]";
  };
  const std::string same = R"({"kind": "ctestInfo", "tests": [)" + wrap("a", R"("/bin/x", "1")") +
                           R"(, "properties": [{"name": "WILL_FAIL", "value": true}]}, )" + wrap("b", R"("/bin/y")") + "}]}";
  EXPECT_EQ(compare_listings(original, same, setup, {}), "");
  const std::string other_arg = R"({"kind": "ctestInfo", "tests": [)" + wrap("a", R"("/bin/x", "2")") +
                                R"(, "properties": [{"name": "WILL_FAIL", "value": true}]}, )" + wrap("b", R"("/bin/y")") + "}]}";
  EXPECT_NE(compare_listings(original, other_arg, setup, {}).find("test \"a\": the generated command"), std::string::npos);
  const std::string lost_property = R"({"kind": "ctestInfo", "tests": [)" + wrap("a", R"("/bin/x", "1")") + "}, " +
                                    wrap("b", R"("/bin/y")") + "}]}";
  EXPECT_NE(compare_listings(original, lost_property, setup, {}).find("test \"a\": property WILL_FAIL"), std::string::npos);
  EXPECT_EQ(compare_listings(original, lost_property, setup, {"WILL_FAIL"}), "") << "a property left out with a warning";
  const std::string missing = R"({"kind": "ctestInfo", "tests": [)" + wrap("a", R"("/bin/x", "1")") +
                              R"(, "properties": [{"name": "WILL_FAIL", "value": true}]}]})";
  EXPECT_EQ(compare_listings(original, missing, setup, {}), "test \"b\": missing from the generated tests");
  EXPECT_NE(compare_listings(original, "{", setup, {}), "");
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
  EXPECT_NE(g.cmake.find("add_test([[a b]] [[/usr/bin/procleak-run]] [[--mode]] [[warn]] --ctest "
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
