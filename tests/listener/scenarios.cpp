// Scenario tests for the listener's integration tests (tests/integration/
// listener_test.cpp runs this binary with --gtest_filter and checks its
// output, exit code and XML). Linked with procleak::gtest_main. Every process
// a scenario leaks ends by itself within a minute (alarm), whatever happens.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bounded.hpp"

namespace {

// Not inlined: the spawn site then shows a helper between fork and the test.
__attribute__((noinline)) pid_t fork_lingering_child() {
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

// Its files are the very ones the listener keeps open: "/", this process's
// task folder and children file, /dev/null. Before: the reserve (two O_PATH
// descriptors of "/") was judged ours by device and inode, which every
// descriptor of "/" shares, so the test's were closed and replaced by O_PATH
// ones (getdents64 then failed with EBADF).
TEST(FdSanitiser, ClosesEveryFdThenLeaks) {
  ASSERT_EQ(syscall(SYS_close_range, 3u, ~0u, 0u), 0);
  const std::string self = "/proc/" + std::to_string(getpid()) + "/task";
  const std::string children = self + "/" + std::to_string(getpid()) + "/children";
  // Every number the listener had (a dozen or so) now holds a "/" of the
  // test's; then the other files it keeps.
  for (int i = 0; i < 32; ++i) files_of_the_test.push_back(open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  for (int i = 0; i < 4; ++i) {
    files_of_the_test.push_back(open(self.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    files_of_the_test.push_back(open(children.c_str(), O_RDONLY | O_CLOEXEC));
    files_of_the_test.push_back(open("/dev/null", O_RDONLY | O_CLOEXEC));
  }
  for (const int fd : files_of_the_test) ASSERT_GE(fd, 0);
  ASSERT_GT(fork_lingering_child(), 0);
}

TEST(FdSanitiser, NextTestLeaksTooAndItsFilesAreStillOpen) {
  for (std::size_t i = 0; i < files_of_the_test.size(); ++i) {
    const int fd = files_of_the_test[i];
    EXPECT_NE(fcntl(fd, F_GETFD), -1) << "fd " << fd << " was closed under us";
    if (i < 32 || (i - 32) % 3 == 0) {  // "/" or the task folder: still that folder, to list
      alignas(8) char buf[1024];
      EXPECT_GT(syscall(SYS_getdents64, fd, buf, sizeof buf), 0) << "fd " << fd << " was closed or moved under us";
    }
  }
  ASSERT_GT(fork_lingering_child(), 0);
}

// A helper the suite starts while it is single-threaded; during the test it
// starts a thread, and that thread forks a child (listed only in the
// thread's own children file).
class ThreadingHelper : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    int go[2];
    int back[2];
    ASSERT_EQ(pipe(go), 0);
    ASSERT_EQ(pipe(back), 0);
    helper_ = fork();
    ASSERT_GE(helper_, 0);
    if (helper_ == 0) {
      alarm(procleak_examples::kMaxLifetimeSeconds);
      char c = 0;
      if (read(go[0], &c, 1) != 1) _exit(1);
      std::thread([w = back[1]] {
        const pid_t child = fork_lingering_child();
        if (write(w, &child, sizeof child) != sizeof child) _exit(1);
        procleak_examples::linger();
      }).detach();
      procleak_examples::linger();
    }
    close(go[0]);
    close(back[1]);
    go_ = go[1];
    back_ = back[0];
  }
  static void TearDownTestSuite() {
    kill(helper_, SIGKILL);
    waitpid(helper_, nullptr, 0);
    close(go_);
    close(back_);
  }
  static pid_t helper_;
  static int go_;
  static int back_;
};
pid_t ThreadingHelper::helper_ = 0;
int ThreadingHelper::go_ = -1;
int ThreadingHelper::back_ = -1;

TEST_F(ThreadingHelper, ItsNewThreadForksAChild) {
  ASSERT_EQ(write(go_, "x", 1), 1);
  pid_t grandchild = 0;
  ASSERT_EQ(read(back_, &grandchild, sizeof grandchild), static_cast<ssize_t>(sizeof grandchild));
  ASSERT_GT(grandchild, 0);
}

// A test that takes every descriptor it may have (its limit lowered), then
// leaks a child: the check still needs a descriptor or two of its own. The
// suite gives them back after the test.
class FdExhaustion : public ::testing::Test {
 protected:
  static void TearDownTestSuite() {
    for (const int fd : taken_) close(fd);
    taken_.clear();
    if (saved_.rlim_cur != 0) setrlimit(RLIMIT_NOFILE, &saved_);
  }
  static std::vector<int> taken_;
  static rlimit saved_;
};
std::vector<int> FdExhaustion::taken_;
rlimit FdExhaustion::saved_{};

TEST_F(FdExhaustion, TakesEveryFdThenLeaks) {
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved_), 0);
  rlimit low = saved_;
  low.rlim_cur = std::min<rlim_t>(saved_.rlim_max, 64);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  for (;;) {
    const int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      ASSERT_EQ(errno, EMFILE);
      break;
    }
    taken_.push_back(fd);
    ASSERT_LT(taken_.size(), 4096u);
  }
  ASSERT_GT(fork_lingering_child(), 0);
}

// With SCENARIO_STAYS_ROOT set to a setuid-root program (and the binary run
// as another user): a leftover procleak may not signal. It is reported by
// this test's scope, and by no enclosing one again.
TEST(Unkillable, LeavesASetuidRootDaemon) {
  const char* path = std::getenv("SCENARIO_STAYS_ROOT");
  if (path == nullptr) GTEST_SKIP() << "SCENARIO_STAYS_ROOT not set";
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    execl(path, path, static_cast<char*>(nullptr));
    _exit(127);
  }
  usleep(200 * 1000);  // until it has taken root as its real user
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

// A thread ID used again (run in a fresh PID namespace with
// SCENARIO_TID_REUSE=1, as root: ns_last_pid picks the next ID). The first
// test leaves a thread running, so the checks after it keep that thread's
// children file open; the second ends it, makes a new thread with the same
// TID, and that thread forks a child and runs on to the program's end.
// Before: the stale file read as "no children", and the second test passed.
namespace tid_reuse {
std::mutex lock;
std::condition_variable changed;
bool first_may_end = false;
bool second_may_end = false;
pid_t first_tid = 0;
std::thread first;
std::thread second;

class JoinAtTheEnd : public ::testing::Environment {
 public:
  void TearDown() override {
    {
      std::lock_guard<std::mutex> g(lock);
      first_may_end = second_may_end = true;
    }
    changed.notify_all();
    if (first.joinable()) first.join();
    if (second.joinable()) second.join();
  }
};
::testing::Environment* const kJoin = ::testing::AddGlobalTestEnvironment(new JoinAtTheEnd);

void wait_for(bool& flag) {
  std::unique_lock<std::mutex> g(lock);
  changed.wait(g, [&] { return flag; });
}
}  // namespace tid_reuse

TEST(TidReuse, FirstLeavesAThreadRunning) {
  if (std::getenv("SCENARIO_TID_REUSE") == nullptr) GTEST_SKIP() << "set SCENARIO_TID_REUSE=1, in a PID namespace";
  std::promise<pid_t> tid;
  tid_reuse::first = std::thread([&] {
    tid.set_value(static_cast<pid_t>(syscall(SYS_gettid)));
    tid_reuse::wait_for(tid_reuse::first_may_end);
  });
  tid_reuse::first_tid = tid.get_future().get();
}

TEST(TidReuse, SecondForksFromANewThreadWithTheSameTid) {
  if (std::getenv("SCENARIO_TID_REUSE") == nullptr) GTEST_SKIP() << "set SCENARIO_TID_REUSE=1, in a PID namespace";
  ASSERT_GT(tid_reuse::first_tid, 0);
  {
    std::lock_guard<std::mutex> g(tid_reuse::lock);
    tid_reuse::first_may_end = true;
  }
  tid_reuse::changed.notify_all();
  tid_reuse::first.join();
  FILE* last = std::fopen("/proc/sys/kernel/ns_last_pid", "w");
  ASSERT_NE(last, nullptr) << "needs root in its own PID namespace";
  std::fprintf(last, "%d", tid_reuse::first_tid - 1);
  ASSERT_EQ(std::fclose(last), 0);
  std::promise<std::pair<pid_t, pid_t>> forked;
  tid_reuse::second = std::thread([&] {
    const pid_t child = fork_lingering_child();
    forked.set_value({static_cast<pid_t>(syscall(SYS_gettid)), child});
    tid_reuse::wait_for(tid_reuse::second_may_end);
  });
  const auto [tid, child] = forked.get_future().get();
  ASSERT_EQ(tid, tid_reuse::first_tid) << "the TID was not used again: the scenario proves nothing";
  ASSERT_GT(child, 0);
  std::printf("TID %d used again, child %d\n", tid, child);
}

// Leaks through a shell: std::system and popen run /bin/sh, which starts the
// sleeper and exits, so the sleeper is re-parented to this binary (the
// subreaper): an orphan of the shell, not a stray of the binary.
// clone(CLONE_PARENT): the child is the binary's sibling, outside the tree
// the scopes walk. Before: every scope passed and it ran on.
int linger_in_clone(void*) { procleak_examples::linger(); }
alignas(16) char clone_stack[64 * 1024];  // copied with the rest of memory (no CLONE_VM)

TEST(CloneParent, LeavesASiblingRunning) {
  ASSERT_GT(clone(linger_in_clone, clone_stack + sizeof clone_stack, CLONE_PARENT | SIGCHLD, nullptr), 0);
}

// A clone without CLONE_PARENT: an ordinary child, recorded as a spawn site.
TEST(CloneParent, PlainCloneLeavesAChild) {
  ASSERT_GT(clone(linger_in_clone, clone_stack + sizeof clone_stack, SIGCHLD, nullptr), 0);
}

TEST(Spawned, SystemLeavesASleeper) { ASSERT_EQ(std::system("bash -c '(sleep 57 &)'"), 0); }

TEST(Spawned, PopenLeavesASleeper) {
  FILE* shell = popen("sleep 58 & echo started", "r");
  ASSERT_NE(shell, nullptr);
  char line[16] = {};
  ASSERT_NE(fgets(line, sizeof line, shell), nullptr);
  EXPECT_EQ(pclose(shell), 0);
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
