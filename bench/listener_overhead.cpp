// 10,000 empty tests, built twice: with procleak::gtest_main (the listener
// checks every test) and with GTest::gtest_main. bench/listener.sh times both
// side by side. With BENCH_CHILDREN=N a global environment keeps N sleeping
// children alive for the whole run (baseline processes every check walks).
// Run alone (--gtest_filter=Leak.*), Leak.OneChild is a whole test process
// of one test, as procleak_discover_tests runs each: with BENCH_LEAK=1 it
// leaves a sleeping child (what a leak costs: settle, describe, spawn site,
// cleanup), else it is clean.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <vector>

#include "bounded.hpp"

namespace {

class Children : public ::testing::Environment {
 public:
  void SetUp() override {
    const char* n = std::getenv("BENCH_CHILDREN");
    for (int i = 0; n != nullptr && i < std::atoi(n) && i < 64; ++i) {
      const pid_t pid = fork();
      if (pid == 0) procleak_examples::linger();
      if (pid > 0) pids_.push_back(pid);
    }
  }
  void TearDown() override {
    for (const pid_t pid : pids_) kill(pid, SIGKILL);
    for (const pid_t pid : pids_) waitpid(pid, nullptr, 0);
  }

 private:
  std::vector<pid_t> pids_;
};
::testing::Environment* const kChildren = ::testing::AddGlobalTestEnvironment(new Children);

TEST(Leak, OneChild) {
  if (std::getenv("BENCH_LEAK") == nullptr) return;
  if (fork() == 0) procleak_examples::linger();
}

class Empty : public ::testing::TestWithParam<int> {};
TEST_P(Empty, Test) {}
INSTANTIATE_TEST_SUITE_P(TenThousand, Empty, ::testing::Range(0, 10000));

}  // namespace
