#include "procleak/proc_stat.hpp"

#include <gtest/gtest.h>

#include <string>

namespace procleak {
namespace {

// A real line from /proc/<pid>/stat with the comm replaced.
std::string stat_line(const std::string& comm, char state = 'S', int ppid = 1000) {
  return "4242 (" + comm + ") " + state + " " + std::to_string(ppid) +
         " 4242 4100 34816 4242 4194560 110 0 0 0 0 0 0 0 20 0 1 0 987654 8695808 211 "
         "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
}

TEST(ProcStat, ParsesTheFieldsProcleakUses) {
  const auto s = parse_proc_stat(stat_line("sleep"));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->pid, 4242);
  EXPECT_EQ(s->comm, "sleep");
  EXPECT_EQ(s->state, 'S');
  EXPECT_EQ(s->ppid, 1000);
  EXPECT_EQ(s->pgrp, 4242);
  EXPECT_EQ(s->session, 4100);
  EXPECT_EQ(s->num_threads, 1);
  EXPECT_EQ(s->start_time, 987654u);
  EXPECT_FALSE(s->is_zombie());
}

TEST(ProcStat, CommWithSpacesAndParentheses) {
  for (const std::string comm : {"a) (b c", "x y z", ") S 1 2 3", "((", "))", "", "a)"}) {
    const auto s = parse_proc_stat(stat_line(comm));
    ASSERT_TRUE(s) << comm;
    EXPECT_EQ(s->comm, comm);
    EXPECT_EQ(s->ppid, 1000) << comm;
    EXPECT_EQ(s->start_time, 987654u) << comm;
  }
}

TEST(ProcStat, CommWithNewline) {
  const auto s = parse_proc_stat(stat_line("two\nlines"));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->comm, "two\nlines");
  EXPECT_EQ(s->session, 4100);
}

TEST(ProcStat, Zombie) {
  const auto s = parse_proc_stat(stat_line("defunct", 'Z'));
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->is_zombie());
}

TEST(ProcStat, RejectsMalformedInput) {
  const std::string good = stat_line("ok");
  EXPECT_FALSE(parse_proc_stat(""));
  EXPECT_FALSE(parse_proc_stat("4242"));
  EXPECT_FALSE(parse_proc_stat("4242 (sleep"));
  EXPECT_FALSE(parse_proc_stat("(sleep) S 1 2 3"));
  EXPECT_FALSE(parse_proc_stat("x (sleep) S 1 2 3"));
  EXPECT_FALSE(parse_proc_stat("-5 (sleep) S 1 2 3"));
  EXPECT_FALSE(parse_proc_stat("4242(sleep) S 1 2 3"));
  EXPECT_FALSE(parse_proc_stat("4242 (sleep) SS 1 4242 4100"));
  EXPECT_FALSE(parse_proc_stat("4242 (sleep) S x 4242 4100"));
  // Every truncation of a valid line before field 23 is rejected, including
  // one that cuts starttime short (it would still be a number).
  const auto field23_start = good.find(" 8695808") + 1;
  for (std::size_t n = 0; n <= field23_start; ++n) {
    EXPECT_FALSE(parse_proc_stat(good.substr(0, n))) << "prefix of length " << n;
  }
  EXPECT_TRUE(parse_proc_stat(good.substr(0, field23_start + 1)));
}

TEST(ProcStat, ParsesThisProcess) {
  // The oracle: what the kernel writes for the running test binary.
  FILE* f = std::fopen("/proc/self/stat", "r");
  ASSERT_NE(f, nullptr);
  char buf[1024];
  const auto n = std::fread(buf, 1, sizeof buf, f);
  std::fclose(f);
  const auto s = parse_proc_stat(std::string_view(buf, n));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->pid, getpid());
  EXPECT_EQ(s->ppid, getppid());
  EXPECT_EQ(s->pgrp, getpgrp());
  EXPECT_EQ(s->session, getsid(0));
}

}  // namespace
}  // namespace procleak
