#include "procleak/proc_stat.hpp"

#include <gtest/gtest.h>
#include <signal.h>

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

// The same line with chosen signal bitmaps in fields 32 (blocked) and 33 (ignored).
std::string stat_line_with_masks(std::uint64_t blocked, std::uint64_t ignored) {
  return "4242 (sleep) T 1000 4242 4100 34816 4242 4194560 110 0 0 0 0 0 0 0 20 0 1 0 987654 8695808 211 "
         "18446744073709551615 1 1 0 0 0 0 " + std::to_string(blocked) + " " + std::to_string(ignored) +
         " 0 0 0 0 17 1 0 0 0 0 0\n";
}

TEST(ProcStat, SignalMasksAndWhatASignalWouldMeet) {
  constexpr std::uint64_t term = std::uint64_t{1} << (SIGTERM - 1);
  auto s = parse_proc_stat(stat_line_with_masks(0, term));
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->signal_masks_known);
  EXPECT_EQ(s->ignored, term);
  EXPECT_TRUE(s->drops(SIGTERM)) << "ignored, not blocked: dropped on arrival";
  EXPECT_FALSE(s->drops(SIGHUP));
  s = parse_proc_stat(stat_line_with_masks(term, term));
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->drops(SIGTERM)) << "blocked: it stays pending and may be handled later";
  EXPECT_FALSE(s->drops(0));
  EXPECT_FALSE(s->drops(65));
  // A line that stops after field 23 (as fixtures do) parses, masks unknown.
  s = parse_proc_stat("4242 (sleep) S 1 4242 4100 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 987654 0 0\n");
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->signal_masks_known);
  EXPECT_FALSE(s->drops(SIGTERM));
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
  EXPECT_TRUE(s->signal_masks_known);
}

// The kernel as the oracle for the signal fields: ignore SIGTERM, then also
// block it, and read /proc/self/stat each time.
TEST(ProcStat, SignalMasksOfThisProcess) {
  auto read_self = [] {
    FILE* f = std::fopen("/proc/self/stat", "r");
    char buf[1024];
    const auto n = f != nullptr ? std::fread(buf, 1, sizeof buf, f) : 0;
    if (f != nullptr) std::fclose(f);
    return parse_proc_stat(std::string_view(buf, n));
  };
  struct sigaction old{};
  struct sigaction ignore{};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(sigaction(SIGTERM, &ignore, &old), 0);
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigset_t old_mask;
  const auto ignoring = read_self();
  pthread_sigmask(SIG_BLOCK, &term, &old_mask);
  const auto ignoring_and_blocking = read_self();
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  sigaction(SIGTERM, &old, nullptr);
  const auto handling = read_self();
  ASSERT_TRUE(ignoring && ignoring_and_blocking && handling);
  EXPECT_TRUE(ignoring->drops(SIGTERM));
  EXPECT_FALSE(ignoring_and_blocking->drops(SIGTERM));
  EXPECT_FALSE(handling->drops(SIGTERM));
}

}  // namespace
}  // namespace procleak
