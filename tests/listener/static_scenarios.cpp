// The listener in a statically linked GoogleTest binary (tests/CMakeLists.txt
// links it with -static): every call the spawn-site wrappers replace (fork,
// posix_spawn, posix_spawnp, system, popen, clone) goes through, in clean and leaky
// tests. Before: the first fork called a null pointer (dlsym(RTLD_NEXT) has
// nothing to find in a static binary), in every mode, PROCLEAK_MODE=off too.
#include <gtest/gtest.h>
#include <sched.h>
#include <spawn.h>
#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

extern char** environ;

TEST(Static, ForkAndReap) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) _exit(0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
}

TEST(Static, SpawnAndReap) {
  for (const bool p : {false, true}) {
    pid_t pid = 0;
    char* argv[] = {const_cast<char*>("true"), nullptr};
    ASSERT_EQ(p ? posix_spawnp(&pid, "true", nullptr, nullptr, argv, environ)
                : posix_spawn(&pid, "/bin/true", nullptr, nullptr, argv, environ), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
  }
}

TEST(Static, SystemAndPopen) {
  EXPECT_EQ(std::system("exit 0"), 0);
  FILE* f = popen("echo hi", "r");
  ASSERT_NE(f, nullptr);
  char buf[8] = {};
  EXPECT_NE(fgets(buf, sizeof buf, f), nullptr);
  EXPECT_EQ(pclose(f), 0);
}

namespace {
alignas(16) char clone_stack[64 * 1024];  // copied with the rest of memory (no CLONE_VM)
int exit_at_once(void*) { _exit(0); }
int linger(void*) {
  alarm(30);
  for (;;) pause();
}
}  // namespace

TEST(Static, CloneAndReap) {
  const int pid = clone(exit_at_once, clone_stack + sizeof clone_stack, SIGCHLD, nullptr);
  ASSERT_GT(pid, 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
}

TEST(StaticLeaky, CloneParentLeavesASibling) {
  EXPECT_GT(clone(linger, clone_stack + sizeof clone_stack, CLONE_PARENT | SIGCHLD, nullptr), 0);
}

TEST(StaticLeaky, ForkLeavesAChild) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    alarm(30);
    for (;;) pause();
  }
}

TEST(StaticLeaky, SystemLeavesASleeper) { EXPECT_EQ(std::system("sleep 31 </dev/null >/dev/null 2>&1 &"), 0); }
