// procleak::Scope used the way the README shows it for other frameworks.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "procleak/report_text.hpp"
#include "procleak/scope.hpp"

namespace procleak {
namespace {

bool exists(pid_t pid) { return ::kill(pid, 0) == 0; }

TEST(ScopeApi, VerifyNoneReportsAndCleansWhatATestLeft) {
  ASSERT_FALSE(become_subreaper());
  Scope scope;
  ASSERT_FALSE(Scope::open({.settle = std::chrono::milliseconds(20), .role = OwnerRole::in_process}, scope));

  const pid_t child = ::fork();  // "the test": starts a process and forgets it
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::alarm(60);
    ::pause();
    ::_exit(0);
  }

  const auto result = verify_none(scope, "server shuts down cleanly");
  ASSERT_EQ(result.leaks.size(), 1u);
  EXPECT_EQ(result.verdict(), Verdict::leaked);
  EXPECT_EQ(result.leaks[0].pid, child);
  EXPECT_TRUE(result.leaks[0].kinds.has(Kind::stray));
  EXPECT_EQ(result.leaks[0].cleanup, Fate::terminated);
  EXPECT_EQ(result.cleanup.terminated, 1);
  EXPECT_FALSE(exists(child)) << "killed and reaped";

  Report report;
  report.test = "server shuts down cleanly";
  report.leaks = result.leaks;
  report.cleanup = result.cleanup;
  EXPECT_NE(format_text(report).find("PID " + std::to_string(child)), std::string::npos);

  // Reused for the next test: a clean one.
  ASSERT_FALSE(scope.rebaseline());
  const auto clean = verify_none(scope, "next");
  EXPECT_TRUE(clean.leaks.empty());
  EXPECT_EQ(clean.verdict(), Verdict::clean);
}

TEST(ScopeApi, ProcessesOlderThanTheScopeAreNotItsLeaks) {
  ASSERT_FALSE(become_subreaper());
  const pid_t older = ::fork();
  ASSERT_GE(older, 0);
  if (older == 0) {
    ::alarm(60);
    ::pause();
    ::_exit(0);
  }
  Scope scope;
  ASSERT_FALSE(Scope::open({.settle = std::chrono::milliseconds(20), .role = OwnerRole::in_process}, scope));
  const auto result = verify_none(scope, "t");
  EXPECT_TRUE(result.leaks.empty());
  EXPECT_TRUE(exists(older)) << "the baseline is never signalled";
  ::kill(older, SIGKILL);
  ::waitpid(older, nullptr, 0);
}

}  // namespace
}  // namespace procleak

namespace procleak {
namespace {

TEST(ScopeOptions, DefaultRoleIsInProcessSoNoChildOfTheCallerIsReapedBlindly) {
  EXPECT_EQ(ScopeOptions{}.role, OwnerRole::in_process);
}

}  // namespace
}  // namespace procleak
