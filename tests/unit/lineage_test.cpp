// The lineage book, fed by hand: what the process-events connector would
// tell it, including PID reuse and unrelated processes.
#include <gtest/gtest.h>
#include <signal.h>

#include "procleak/lineage.hpp"

namespace procleak {
namespace {

constexpr pid_t kOwner = 100;

std::uint32_t exited_with(int code) { return static_cast<std::uint32_t>(code) << 8; }
std::uint32_t killed_by(int sig) { return static_cast<std::uint32_t>(sig); }

TEST(Lineage, AncestorsOldestFirstWithHowTheyEnded) {
  LineageBook book(kOwner);
  book.on_fork(kOwner, 200);  // the test's main process
  book.describe(200, "bash", {"bash", "-c", "..."});
  book.on_fork(200, 201);
  book.describe(201, "bash", {"bash", "-c", "sleep 300 & exit 4"});
  book.on_fork(201, 202);
  book.describe(202, "sleep", {"sleep", "300"});
  book.on_exit(201, exited_with(4));
  book.on_exit(200, killed_by(SIGKILL));
  const auto lineage = book.lineage_of(202);
  ASSERT_TRUE(lineage);
  ASSERT_EQ(lineage->size(), 2u);
  EXPECT_EQ((*lineage)[0].pid, 200);
  EXPECT_EQ((*lineage)[0].exit->signal, SIGKILL);
  EXPECT_FALSE((*lineage)[0].exit->code);
  EXPECT_EQ((*lineage)[1].pid, 201);
  EXPECT_EQ((*lineage)[1].cmdline, (std::vector<std::string>{"bash", "-c", "sleep 300 & exit 4"}));
  EXPECT_EQ((*lineage)[1].exit->code, 4);
  EXPECT_TRUE(book.lineage_of(200)->empty()) << "the owner is the root, never an ancestor";
}

TEST(Lineage, AProcessEndsWithItsLastThreadNotItsMainThread) {
  // Before: the main thread's pthread_exit was taken for the process's exit
  // ("exited with 0"); its real end and its later forks were dropped.
  LineageBook book(kOwner);
  book.on_fork(kOwner, 200);
  book.on_thread(200);             // a second thread
  book.on_exit(200, exited_with(0));  // the main thread's pthread_exit
  book.on_fork(200, 201);          // the other thread forks on
  ASSERT_TRUE(book.knows(201)) << "a fork after the main thread's exit is kept";
  auto lineage = book.lineage_of(201);
  ASSERT_TRUE(lineage);
  ASSERT_EQ(lineage->size(), 1u);
  EXPECT_FALSE((*lineage)[0].exit) << "still running";
  book.on_exit(200, killed_by(SIGKILL));  // the last thread, killed
  lineage = book.lineage_of(201);
  ASSERT_TRUE((*lineage)[0].exit);
  EXPECT_EQ((*lineage)[0].exit->signal, SIGKILL) << "the process's real end";
  // exit(5) from the last thread: the process's status is 5.
  book.on_fork(kOwner, 300);
  book.on_thread(300);
  book.on_exit(300, exited_with(0));
  book.on_fork(300, 301);
  book.on_exit(300, exited_with(5));
  EXPECT_EQ((*book.lineage_of(301))[0].exit->code, 5);
}

TEST(Lineage, ALineageListsTheNearestAncestorsAndCountsTheRest) {
  // Before: every leak of a deep tree copied all its ancestors (a chain of
  // 1,000 processes wrote an 87 MB report).
  LineageBook book(kOwner);
  book.on_fork(kOwner, 1000);
  for (pid_t p = 1000; p < 1100; ++p) {
    book.on_fork(p, p + 1);
    book.on_exit(p, exited_with(0));
  }
  std::size_t omitted = 0;
  const auto lineage = book.lineage_of(1100, LineageBook::kMaxLineage, &omitted);
  ASSERT_TRUE(lineage);
  ASSERT_EQ(lineage->size(), LineageBook::kMaxLineage);
  EXPECT_EQ(omitted, 100u - LineageBook::kMaxLineage);
  EXPECT_EQ(lineage->back().pid, 1099) << "the nearest: its parent last";
  EXPECT_EQ(lineage->front().pid, 1100 - static_cast<pid_t>(LineageBook::kMaxLineage));
  EXPECT_EQ(book.lineage_of(1003, LineageBook::kMaxLineage, &omitted)->size(), 3u);
  EXPECT_EQ(omitted, 0u);
}

TEST(Lineage, AForkInheritsItsParentsNamesUntilItsOwnExec) {
  LineageBook book(kOwner);
  book.on_fork(kOwner, 200);
  book.describe(200, "sh", {"sh", "-c", "x"});
  book.on_fork(200, 201);  // a subshell: no exec
  book.on_fork(201, 202);
  const auto lineage = book.lineage_of(202);
  ASSERT_EQ(lineage->size(), 2u);
  EXPECT_EQ((*lineage)[1].comm, "sh");
  EXPECT_EQ((*lineage)[1].cmdline, (std::vector<std::string>{"sh", "-c", "x"}));
  EXPECT_FALSE((*lineage)[1].exit) << "still running";
}

TEST(Lineage, UnrelatedProcessesAreNotKept) {
  LineageBook book(kOwner);
  book.on_fork(kOwner, 200);
  book.on_fork(1, 300);  // someone else's
  book.on_fork(300, 301);
  EXPECT_FALSE(book.on_exec(300));
  book.name_if_unknown(300, "sh", {"sh"});
  book.on_exit(300, exited_with(0));
  EXPECT_FALSE(book.knows(300));
  EXPECT_FALSE(book.knows(301));
  EXPECT_FALSE(book.lineage_of(301));
  EXPECT_EQ(book.size(), 1u);
}

TEST(Lineage, AReusedPidIsANewProcessAndOldLineagesKeepTheOldOne) {
  LineageBook book(kOwner);
  book.on_fork(kOwner, 200);
  book.describe(200, "a", {"a"});
  book.on_fork(200, 201);
  book.on_exit(200, exited_with(0));
  // PID 200 now belongs to a stranger: its fork is not ours.
  book.on_fork(200, 202);
  EXPECT_FALSE(book.knows(202));
  // The owner forks again and gets PID 200 back.
  book.on_fork(kOwner, 200);
  book.describe(200, "b", {"b"});
  const auto old = book.lineage_of(201);
  ASSERT_EQ(old->size(), 1u);
  EXPECT_EQ((*old)[0].comm, "a");
  EXPECT_EQ((*old)[0].exit->code, 0);
  EXPECT_FALSE(book.lineage_of(200)->size());
}

TEST(Lineage, AShellIsNamedByWhatItRanOnlyIfItExecdOnceAndWasNotRead) {
  LineageBook book(kOwner);
  book.on_fork(kOwner, 200);
  ASSERT_TRUE(book.on_exec(200));
  book.describe(200, "", {});  // gone before it was read
  book.on_fork(200, 201);
  book.name_if_unknown(200, "sh", {"sh", "-c", "x"});
  EXPECT_EQ(book.lineage_of(201)->at(0).cmdline, (std::vector<std::string>{"sh", "-c", "x"}));

  book.on_fork(kOwner, 300);  // the shell exec'd again (sh -c 'exec bash'): not the shell any more
  ASSERT_TRUE(book.on_exec(300));
  ASSERT_TRUE(book.on_exec(300));
  book.describe(300, "", {});
  book.on_fork(300, 301);
  book.name_if_unknown(300, "sh", {"sh", "-c", "exec bash"});
  EXPECT_TRUE(book.lineage_of(301)->at(0).comm.empty());

  book.on_fork(kOwner, 400);  // read at its exec: its own names stay
  ASSERT_TRUE(book.on_exec(400));
  book.describe(400, "dash", {"dash", "-c", "y"});
  book.on_fork(400, 401);
  book.name_if_unknown(400, "sh", {"sh", "-c", "z"});
  EXPECT_EQ(book.lineage_of(401)->at(0).comm, "dash");
}

TEST(Lineage, KnowsWhatTheOwnerItselfForked) {
  LineageBook book(100);
  book.on_fork(100, 200);  // the test's main process
  book.on_fork(100, 201);  // what the kernel shows for a CLONE_PARENT child of 200
  book.on_fork(200, 300);
  EXPECT_TRUE(book.forked_by_owner(200));
  EXPECT_TRUE(book.forked_by_owner(201));
  EXPECT_FALSE(book.forked_by_owner(300));
  EXPECT_FALSE(book.forked_by_owner(999)) << "never seen";
}

}  // namespace
}  // namespace procleak
