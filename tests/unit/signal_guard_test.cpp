#include "procleak/signal_guard.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "procleak/process_handle.hpp"

namespace procleak {
namespace {

TEST(SignalGuard, RefusesInitZeroNegativeOwnerAndAncestors) {
  const SignalGuard guard(500, {400, 300, 1});
  EXPECT_FALSE(guard.allows(-1));
  EXPECT_FALSE(guard.allows(0));
  EXPECT_FALSE(guard.allows(1));
  EXPECT_FALSE(guard.allows(500));
  EXPECT_FALSE(guard.allows(400));
  EXPECT_FALSE(guard.allows(300));
  EXPECT_TRUE(guard.allows(501));
}

TEST(SignalGuard, ReadsTheRealAncestry) {
  const auto ancestors = read_ancestors(::getpid());
  ASSERT_FALSE(ancestors.empty());
  EXPECT_EQ(ancestors.front(), ::getppid());
  const SignalGuard guard(::getpid(), ancestors);
  EXPECT_FALSE(guard.allows(::getppid()));
  EXPECT_FALSE(guard.allows(::getpid()));
}

// The ancestry is read when the first decision needs it, not when the scope
// opens: a fixture /proc that only gets its files after the guard exists.
TEST(SignalGuard, ReadsTheAncestryOnlyWhenADecisionNeedsIt) {
  namespace fs = std::filesystem;
  char tmpl[] = "/tmp/procleak-guard-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const fs::path root = tmpl;
  const SignalGuard guard(500, ProcFs(root.string()));
  EXPECT_FALSE(guard.knows_ancestors());
  for (const auto& [pid, ppid] : {std::pair{500, 400}, std::pair{400, 300}, std::pair{300, 1}}) {
    fs::create_directories(root / std::to_string(pid));
    std::ofstream(root / std::to_string(pid) / "stat")
        << pid << " (p) S " << ppid << ' ' << pid << ' ' << pid << " 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1000 0 0\n";
  }
  EXPECT_FALSE(guard.allows(300));
  EXPECT_TRUE(guard.knows_ancestors());
  EXPECT_FALSE(guard.allows(400));
  EXPECT_FALSE(guard.allows(500));
  EXPECT_TRUE(guard.allows(501));
  fs::remove_all(root);
}

TEST(SignalGuard, TheLazyGuardRefusesTheRealParent) {
  const SignalGuard guard(::getpid());
  EXPECT_FALSE(guard.allows(::getppid()));
  EXPECT_FALSE(guard.allows(::getpid()));
  EXPECT_EQ(guard.send_to_group(::getpgrp(), 0), std::errc::operation_not_permitted);
}

TEST(SignalGuard, SendsNothingToARefusedOrEmptyHandle) {
  const SignalGuard guard(::getpid(), read_ancestors(::getpid()));
  const ProcessHandle empty;
  EXPECT_EQ(guard.send(empty, 0), std::errc::operation_not_permitted);
  ProcessHandle self;
  ProcStat me;
  ASSERT_FALSE(ProcFs().read_stat(::getpid(), me));
  ASSERT_FALSE(ProcessHandle::open(ProcFs(), ::getpid(), me.start_time, self));
  EXPECT_EQ(guard.send(self, SIGKILL), std::errc::operation_not_permitted);  // we are still alive
}

TEST(SignalGuard, RefusesTheOwnersOwnGroupAndInvalidGroups) {
  const SignalGuard guard(::getpid(), read_ancestors(::getpid()));
  EXPECT_EQ(guard.send_to_group(::getpgrp(), 0), std::errc::operation_not_permitted);
  EXPECT_EQ(guard.send_to_group(0, 0), std::errc::operation_not_permitted);
  EXPECT_EQ(guard.send_to_group(1, 0), std::errc::operation_not_permitted);
  EXPECT_EQ(guard.send_to_group(-1, 0), std::errc::operation_not_permitted);
}

TEST(ProcessHandle, WrongStartTimeMeansGone) {
  ProcessHandle h;
  ProcStat me;
  ASSERT_FALSE(ProcFs().read_stat(::getpid(), me));
  EXPECT_EQ(ProcessHandle::open(ProcFs(), ::getpid(), me.start_time + 1, h), std::errc::no_such_process);
  EXPECT_FALSE(h.valid());
}

TEST(ProcessHandle, AClosedPidfdIsNotTakenForAnExit) {
  // Before: poll's POLLNVAL on a descriptor closed behind the handle's back
  // (a test's close_range) counted as "readable", that is "exited".
  ProcessHandle self;
  ProcStat me;
  ASSERT_FALSE(ProcFs().read_stat(::getpid(), me));
  ASSERT_FALSE(ProcessHandle::open(ProcFs(), ::getpid(), me.start_time, self));
  if (self.pidfd() < 0) GTEST_SKIP() << "no pidfds here";
  ASSERT_EQ(::close(self.pidfd()), 0);
  EXPECT_FALSE(self.has_exited()) << "we are running";
  EXPECT_NE(self.liveness(), Liveness::gone);
  // The handle still owns the number: give it one to close.
  ASSERT_EQ(::dup2(STDIN_FILENO, self.pidfd()), self.pidfd());
}

}  // namespace
}  // namespace procleak
