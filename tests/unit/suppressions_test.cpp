#include "procleak/suppressions.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "procleak/glob.hpp"
#include "procleak/report.hpp"

namespace procleak {
namespace {

TEST(Glob, Basics) {
  EXPECT_TRUE(glob_match("sleep", "sleep"));
  EXPECT_FALSE(glob_match("sleep", "sleepy"));
  EXPECT_FALSE(glob_match("sleep", "slee"));
  EXPECT_TRUE(glob_match("sl*", "sleep"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("*", "anything at all/with slashes"));
  EXPECT_TRUE(glob_match("s?eep", "sleep"));
  EXPECT_FALSE(glob_match("s?eep", "seep"));
  EXPECT_TRUE(glob_match("*/bin/*", "/usr/bin/sleep"));
  EXPECT_TRUE(glob_match("sleep *", "sleep 300"));
  EXPECT_TRUE(glob_match("*a*b*c*", "xxaxxbxxcxx"));
  EXPECT_FALSE(glob_match("*a*b*c*", "xxaxxcxxbxx"));
  EXPECT_TRUE(glob_match("\\*literal", "*literal"));
  EXPECT_FALSE(glob_match("\\*literal", "xliteral"));
  EXPECT_TRUE(glob_match("a\\?", "a?"));
  EXPECT_FALSE(glob_match("", "x"));
  EXPECT_TRUE(glob_match("", ""));
}

TEST(Glob, PathologicalPatternsStayFast) {
  // Exponential for naive backtracking matchers; linear-times-linear here.
  const std::string text(20000, 'a');
  const std::string pattern = "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(glob_match(pattern, text));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

Leak leak(std::string comm, std::vector<std::string> cmdline, std::string exe = "") {
  Leak l;
  l.comm = std::move(comm);
  l.cmdline = std::move(cmdline);
  l.exe = std::move(exe);
  return l;
}

Suppressions parse_ok(std::string_view text) {
  std::string error;
  auto s = Suppressions::parse(text, "supp.txt", error);
  EXPECT_TRUE(s) << error;
  return s ? *s : Suppressions();
}

TEST(Suppressions, RuleTypesCommentsAndBlankLines) {
  const auto s = parse_ok(
      "# known leakers\n"
      "\n"
      "comm:sleep            # the comm, 15 chars\n"
      "exe:/usr/sbin/*\n"
      "cmdline:python3 -m http.server *\n"
      "cmdline:*#1*  # a '#' inside a glob is kept\n"
      "test:Net* comm:nc\n");
  ASSERT_EQ(s.rules().size(), 5u);
  EXPECT_EQ(s.rules()[0].text, "comm:sleep");
  EXPECT_EQ(s.rules()[0].line, 3);
  EXPECT_EQ(s.rules()[3].pattern, "*#1*");
  EXPECT_EQ(s.rules()[4].test_pattern, "Net*");
  EXPECT_EQ(s.rules()[4].line, 7);

  EXPECT_EQ(s.match(leak("sleep", {"sleep", "300"}), "T"), "comm:sleep");
  EXPECT_EQ(s.match(leak("sshd", {}, "/usr/sbin/sshd"), "T"), "exe:/usr/sbin/*");
  EXPECT_EQ(s.match(leak("python3", {"python3", "-m", "http.server", "8000"}), "T"),
            "cmdline:python3 -m http.server *");
  EXPECT_EQ(s.match(leak("x", {"worker", "#1"}), "T"), "cmdline:*#1*");
  EXPECT_FALSE(s.match(leak("cat", {"cat"}), "T"));
}

TEST(Suppressions, TestScopedRulesApplyOnlyToMatchingTests) {
  const auto s = parse_ok("test:NetTest.* comm:nc\n");
  EXPECT_EQ(s.match(leak("nc", {"nc", "-l"}), "NetTest.Listens"), "test:NetTest.* comm:nc");
  EXPECT_FALSE(s.match(leak("nc", {"nc", "-l"}), "DiskTest.Reads"));
}

TEST(Suppressions, ApplySetsSuppressedByAndVerdict) {
  const auto s = parse_ok("comm:sleep\n");
  std::vector<Leak> leaks{leak("sleep", {"sleep", "1"}), leak("cat", {"cat"})};
  s.apply(leaks, "T");
  EXPECT_EQ(leaks[0].suppressed_by, "comm:sleep");
  EXPECT_FALSE(leaks[1].suppressed_by);
  EXPECT_EQ(verdict_of(leaks), Verdict::leaked);
  leaks.pop_back();
  EXPECT_EQ(verdict_of(leaks), Verdict::suppressed);
}

TEST(Suppressions, EmptyFileAndNoTrailingNewline) {
  EXPECT_TRUE(parse_ok("").rules().empty());
  EXPECT_TRUE(parse_ok("# only a comment").rules().empty());
  EXPECT_EQ(parse_ok("comm:x").rules().size(), 1u);
}

TEST(Suppressions, MalformedLinesNameFileAndLine) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"comm:ok\nbogus\n", "supp.txt:2: expected comm:, exe:, cmdline: or test:GLOB RULE, got 'bogus'"},
      {"pid:42\n", "supp.txt:1: unknown rule type 'pid:'"},
      {"\n\ncomm:\n", "supp.txt:3: empty pattern after 'comm:'"},
      {"test:Foo*\n", "supp.txt:1: a test: rule needs a rule after its glob"},
      {"test: comm:x\n", "supp.txt:1: empty test glob after 'test:'"},
      {"test:A test:B comm:x\n", "supp.txt:1: a test: rule needs a rule after its glob"},
  };
  for (const auto& [text, expected] : cases) {
    std::string error;
    EXPECT_FALSE(Suppressions::parse(text, "supp.txt", error)) << text;
    EXPECT_EQ(error.rfind(expected, 0), 0u) << "got: " << error;
  }
}

TEST(Suppressions, MissingFileIsAClearError) {
  std::string error;
  EXPECT_FALSE(Suppressions::load("/nonexistent/supp.txt", error));
  EXPECT_EQ(error, "/nonexistent/supp.txt: cannot read: No such file or directory");
}

}  // namespace
}  // namespace procleak
