#include "procleak/classify.hpp"

#include <gtest/gtest.h>

namespace procleak {
namespace {

constexpr pid_t kOwner = 100;
constexpr pid_t kTest = 200;  // the test's main process: its session and group

ProcStat process(pid_t pid, pid_t ppid, char state = 'S', pid_t pgrp = kTest, pid_t sid = kTest) {
  ProcStat p;
  p.pid = pid;
  p.ppid = ppid;
  p.state = state;
  p.pgrp = pgrp;
  p.session = sid;
  p.comm = "x";
  return p;
}

ClassifyContext launcher_context() {
  ClassifyContext ctx;
  ctx.owner = kOwner;
  ctx.owner_children_are_orphans = true;
  ctx.test_sid = kTest;
  ctx.test_pgid = kTest;
  return ctx;
}

TEST(Classify, ReparentedToTheOwnerIsAnOrphan) {
  const auto c = classify(process(300, kOwner), launcher_context());
  EXPECT_EQ(c.kinds.names(), (std::vector<std::string_view>{"orphan"}));
  EXPECT_EQ(c.escaped_via, EscapedVia::none);
  EXPECT_FALSE(c.original_parent);
}

TEST(Classify, OrphanRemembersAParentSeenEarlier) {
  const std::unordered_map<pid_t, pid_t> seen{{300, 250}};
  auto ctx = launcher_context();
  ctx.known_parents = &seen;
  EXPECT_EQ(classify(process(300, kOwner), ctx).original_parent, 250);
}

TEST(Classify, ChildOfALivingLeakIsAStray) {
  const auto c = classify(process(301, 300), launcher_context());
  EXPECT_EQ(c.kinds.names(), (std::vector<std::string_view>{"stray"}));
  EXPECT_EQ(c.original_parent, 300);
}

TEST(Classify, ZombieNamesItsParent) {
  const auto c = classify(process(302, 300, 'Z'), launcher_context());
  EXPECT_EQ(c.kinds.names(), (std::vector<std::string_view>{"zombie"}));
  EXPECT_EQ(c.original_parent, 300);
}

TEST(Classify, OrphanOfATestKilledBySignalSurvivedAParentKill) {
  auto ctx = launcher_context();
  ctx.test_killed_by_signal = true;
  EXPECT_EQ(classify(process(300, kOwner), ctx).kinds.names(),
            (std::vector<std::string_view>{"orphan", "parent_kill_survivor"}));
  // A stray's parent is alive: it did not survive a kill.
  EXPECT_EQ(classify(process(301, 300), ctx).kinds.names(), (std::vector<std::string_view>{"stray"}));
}

TEST(Classify, EscapedViaSessionWinsOverGroup) {
  const auto c = classify(process(300, kOwner, 'S', 300, 300), launcher_context());
  EXPECT_EQ(c.kinds.names(), (std::vector<std::string_view>{"orphan", "escaped"}));
  EXPECT_EQ(c.escaped_via, EscapedVia::session);
}

TEST(Classify, EscapedViaGroup) {
  const auto c = classify(process(301, 300, 'S', 301, kTest), launcher_context());
  EXPECT_EQ(c.kinds.names(), (std::vector<std::string_view>{"stray", "escaped"}));
  EXPECT_EQ(c.escaped_via, EscapedVia::group);
}

TEST(Classify, UnknownSessionIsNotChecked) {
  auto ctx = launcher_context();
  ctx.test_sid = kUnknownId;
  ctx.test_pgid = kUnknownId;
  EXPECT_FALSE(classify(process(300, kOwner, 'S', 1, 1), ctx).kinds.has(Kind::escaped));
}

// In a container, the session the test runs in may have its leader outside the
// PID namespace: getsid(0) and /proc/<pid>/stat both read 0. A child that
// called setsid has left that session, and must be named for it.
TEST(Classify, SessionZeroFromOutsideThePidNamespaceIsStillChecked) {
  auto ctx = launcher_context();
  ctx.test_sid = 0;
  ctx.test_pgid = 0;
  EXPECT_FALSE(classify(process(300, kOwner, 'S', 0, 0), ctx).kinds.has(Kind::escaped));
  const auto c = classify(process(301, kOwner, 'S', 301, 301), ctx);
  EXPECT_TRUE(c.kinds.has(Kind::escaped));
  EXPECT_EQ(c.escaped_via, EscapedVia::session);
}

// With the lineage, the orphan's own parent decides: a test killed by a
// signal does not make every orphan a survivor, and in a listener a
// process re-parented to the binary is an orphan, not a stray.
TEST(Classify, TheOwnParentFromTheLineageDecides) {
  auto killed_test = launcher_context();
  killed_test.test_killed_by_signal = true;
  const Ancestor exited{250, "bash", {"bash"}, ExitStatus{0, std::nullopt}};
  const Ancestor killed{251, "sh", {"sh"}, ExitStatus{std::nullopt, 9}};
  auto c = classify(process(300, kOwner), killed_test, &exited);
  EXPECT_EQ(c.kinds.names(), (std::vector<std::string_view>{"orphan"}));
  EXPECT_EQ(c.original_parent, 250);
  c = classify(process(301, kOwner), launcher_context(), &killed);
  EXPECT_EQ(c.kinds.names(), (std::vector<std::string_view>{"orphan", "parent_kill_survivor"}));
  EXPECT_EQ(c.original_parent, 251);

  auto listener = launcher_context();
  listener.owner_children_are_orphans = false;
  EXPECT_EQ(classify(process(302, kOwner), listener, &exited).kinds.names(), (std::vector<std::string_view>{"orphan"}));
  const Ancestor running{252, "server", {"server"}, std::nullopt};
  EXPECT_EQ(classify(process(303, kOwner), listener, &running).kinds.names(), (std::vector<std::string_view>{"stray"}))
      << "a parent that is alive did not re-parent it";
}

TEST(Classify, InProcessOwnerChildrenAreStrays) {
  auto ctx = launcher_context();
  ctx.owner_children_are_orphans = false;
  const auto c = classify(process(300, kOwner), ctx);
  EXPECT_EQ(c.kinds.names(), (std::vector<std::string_view>{"stray"}));
  EXPECT_EQ(c.original_parent, kOwner);
  // An unreaped child of the test binary is a zombie of the test.
  EXPECT_TRUE(classify(process(300, kOwner, 'Z'), ctx).kinds.has(Kind::zombie));
}

// A child of the test's main process started with clone(CLONE_PARENT): the
// owner is its parent from birth, alive. A stray, never an orphan.
TEST(Classify, ACloneParentChildOfTheOwnerIsAStrayNotAnOrphan) {
  const auto c = classify(process(300, kOwner), launcher_context(), nullptr, true);
  EXPECT_EQ(c.kinds.names(), (std::vector<std::string_view>{"stray"}));
  EXPECT_EQ(c.original_parent, kOwner);
  const auto z = classify(process(300, kOwner, 'Z'), launcher_context(), nullptr, true);
  EXPECT_EQ(z.kinds.names(), (std::vector<std::string_view>{"zombie"}));
}

}  // namespace
}  // namespace procleak
