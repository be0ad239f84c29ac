// Scenario tests for the listener's integration tests (tests/integration/
// listener_test.cpp runs this binary with --gtest_filter and checks its
// output, exit code and XML). Linked with procleak::gtest_main. Every process
// a scenario leaks ends by itself within a minute (alarm), whatever happens.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <thread>
#include <vector>

#include "bounded.hpp"

namespace {

pid_t fork_lingering_child() {
  const pid_t pid = fork();
  if (pid == 0) procleak_examples::linger();
  return pid;
}

// The program scope: with SCENARIO_ENV_LEAK=1 a global environment starts a
// process in SetUp and never stops it.
class LeakyEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    if (std::getenv("SCENARIO_ENV_LEAK") != nullptr) fork_lingering_child();
  }
};
::testing::Environment* const kEnvironment = ::testing::AddGlobalTestEnvironment(new LeakyEnvironment);

TEST(Leaky, LeavesAChildRunning) { ASSERT_GT(fork_lingering_child(), 0); }

// Code under test that "sanitises" its fd table closes the listener's
// descriptors too, then opens files of its own, which get their numbers.
std::vector<int> files_of_the_test;

TEST(FdSanitiser, ClosesEveryFdThenLeaks) {
  ASSERT_EQ(syscall(SYS_close_range, 3u, ~0u, 0u), 0);
  for (int i = 0; i < 16; ++i) files_of_the_test.push_back(open("/dev/null", O_RDONLY | O_CLOEXEC));
  ASSERT_GT(fork_lingering_child(), 0);
}

TEST(FdSanitiser, NextTestLeaksTooAndItsFilesAreStillOpen) {
  for (const int fd : files_of_the_test) EXPECT_NE(fcntl(fd, F_GETFD), -1) << "fd " << fd << " was closed under us";
  ASSERT_GT(fork_lingering_child(), 0);
}

TEST(Leaky, LeavesASetsidDaemon) {
  const pid_t first = fork();
  ASSERT_GE(first, 0);
  if (first == 0) {
    setsid();
    if (fork() == 0) procleak_examples::linger();
    _exit(0);
  }
  ASSERT_EQ(waitpid(first, nullptr, 0), first);
}

TEST(Leaky, LeavesAnUnreapedZombie) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);
  siginfo_t info{};  // until it has exited, and without reaping it
  ASSERT_EQ(waitid(P_PID, child, &info, WEXITED | WNOWAIT), 0);
}

TEST(Threads, ForksFromAThreadThatExits) {
  pid_t child = 0;
  std::thread t([&] { child = fork_lingering_child(); });
  t.join();
  ASSERT_GT(child, 0);
}

TEST(Clean, NothingAtAll) {}

TEST(Clean, WaitsForItsChildLater) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(7);
  siginfo_t info{};  // until the child is a zombie, which nobody but us may reap
  ASSERT_EQ(waitid(P_PID, child, &info, WEXITED | WNOWAIT), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_EQ(WEXITSTATUS(status), 7);
}

// A server shared by a suite, started and stopped properly: no leak anywhere.
class SharedServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = fork_lingering_child(); }
  static void TearDownTestSuite() {
    kill(server_, SIGTERM);
    waitpid(server_, nullptr, 0);
  }
  static pid_t server_;
};
pid_t SharedServer::server_ = 0;
TEST_F(SharedServer, First) { EXPECT_EQ(kill(server_, 0), 0); }
TEST_F(SharedServer, Second) { EXPECT_EQ(kill(server_, 0), 0); }

// A suite whose server is never stopped: one leak, for the suite.
class LeakyServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = fork_lingering_child(); }
  static pid_t server_;
};
pid_t LeakyServer::server_ = 0;
TEST_F(LeakyServer, First) { EXPECT_EQ(kill(server_, 0), 0); }
TEST_F(LeakyServer, Second) { EXPECT_EQ(kill(server_, 0), 0); }

TEST(DeathTest, FastStyle) {
  GTEST_FLAG_SET(death_test_style, "fast");
  EXPECT_DEATH(std::abort(), "");
}

TEST(DeathTest, ThreadsafeStyle) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(_exit(3), ::testing::ExitedWithCode(3), "");
}

}  // namespace
