// The base fixture of every integration test that starts processes: the test
// binary is their subreaper, each test gets a scratch folder, and whatever a
// test started is killed (by pidfd) and reaped in TearDown, even when an
// assertion failed half-way.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "process_oracle.hpp"

namespace procleak_test {

class ProcessTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { become_subreaper_or_die(); }

  void SetUp() override {
    char tmpl[] = "/tmp/procleak-it-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    // Writable for a launcher run as another user (in_environment.sh unprivileged).
    ASSERT_EQ(chmod(dir_.c_str(), 0777), 0);
  }

  void TearDown() override {
    kill_all_descendants();
    std::filesystem::remove_all(dir_);
  }

  // The oracle's verdict that the program under test left nothing behind.
  static void expect_nothing_left() {
    EXPECT_TRUE(descendants_of(getpid()).empty()) << "processes were left behind";
  }

  std::string dir_;
};

}  // namespace procleak_test
