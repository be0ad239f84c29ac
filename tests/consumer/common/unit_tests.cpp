// A user's GoogleTest binary: one clean test, one that leaves a server running.
#include <gtest/gtest.h>
#include <unistd.h>

TEST(Consumer, Clean) { EXPECT_EQ(1 + 1, 2); }

TEST(Consumer, LeavesAServer) {
  const pid_t server = fork();
  ASSERT_GE(server, 0);
  if (server == 0) {
    // Bounded: ends by itself after 120 s if procleak failed to kill it.
    execlp("sleep", "sleep", "120", static_cast<char*>(nullptr));
    _exit(127);
  }
  // ...and the test forgets to stop it.
}
