// walk_descendants and the /proc readers against a fixture tree in a temp dir.
#include "procleak/process_tree.hpp"

#include "procleak/own_children.hpp"
#include "procleak/report.hpp"
#include "procleak/scope.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <thread>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace procleak {
namespace {

namespace fs = std::filesystem;

class FakeProc : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/procleak-fakeproc-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { fs::remove_all(root_); }

  // A process with its stat, and its children listed under each thread.
  void add(pid_t pid, pid_t ppid, const std::vector<std::vector<pid_t>>& children_per_thread,
           const std::string& comm = "p", char state = 'S', const std::string& cmdline = "") {
    const fs::path dir = root_ / std::to_string(pid);
    fs::create_directories(dir / "task");
    std::ofstream(dir / "stat") << pid << " (" << comm << ") " << state << ' ' << ppid << ' ' << pid << ' ' << pid
                                << " 0 -1 0 0 0 0 0 0 0 0 0 20 0 " << children_per_thread.size() << " 0 "
                                << 1000 + pid << " 0 0\n";
    std::ofstream(dir / "cmdline") << cmdline;
    for (std::size_t t = 0; t < children_per_thread.size(); ++t) {
      const pid_t tid = t == 0 ? pid : static_cast<pid_t>(pid * 10 + t);
      fs::create_directories(dir / "task" / std::to_string(tid));
      std::ofstream out(dir / "task" / std::to_string(tid) / "children");
      for (const pid_t c : children_per_thread[t]) out << c << ' ';
    }
  }

  std::vector<pid_t> walk(pid_t root) {
    std::vector<ProcStat> out;
    EXPECT_FALSE(walk_descendants(ProcFs(root_.string()), root, out));
    std::vector<pid_t> pids;
    for (const auto& s : out) pids.push_back(s.pid);
    return pids;
  }

  fs::path root_;
};

TEST_F(FakeProc, WalksTheSubtreeParentsFirst) {
  add(10, 1, {{11, 12}});
  add(11, 10, {{13}});
  add(12, 10, {{}});
  add(13, 11, {{}});
  add(99, 1, {{}});  // not ours
  EXPECT_EQ(walk(10), (std::vector<pid_t>{11, 12, 13}));
  EXPECT_EQ(walk(11), (std::vector<pid_t>{13}));
  EXPECT_EQ(walk(13), (std::vector<pid_t>{}));
}

TEST_F(FakeProc, SeesChildrenForkedByEveryThread) {
  add(10, 1, {{11}, {12}, {13}});  // three threads, one child each
  add(11, 10, {{}});
  add(12, 10, {{}});
  add(13, 10, {{}});
  auto pids = walk(10);
  std::sort(pids.begin(), pids.end());  // threads are listed in directory order
  EXPECT_EQ(pids, (std::vector<pid_t>{11, 12, 13}));
}

TEST_F(FakeProc, SkipsChildrenThatVanishedAndDuplicates) {
  add(10, 1, {{11, 404, 11}});  // 404 exited between the two reads
  add(11, 10, {{}});
  EXPECT_EQ(walk(10), (std::vector<pid_t>{11}));
}

TEST_F(FakeProc, DoesNotDescendIntoZombies) {
  add(10, 1, {{11}});
  add(11, 10, {{12}}, "z", 'Z');
  add(12, 11, {{}});
  EXPECT_EQ(walk(10), (std::vector<pid_t>{11}));
}

TEST_F(FakeProc, RootThatDoesNotExistIsGone) {
  std::vector<ProcStat> out;
  EXPECT_EQ(walk_descendants(ProcFs(root_.string()), 4242, out), std::errc::no_such_process);
}

TEST_F(FakeProc, ReadsCmdlineWithAndWithoutTrailingNul) {
  add(10, 1, {{}}, "p", 'S', std::string("sleep\0" "300\0", 10));
  add(11, 1, {{}}, "p", 'S', std::string("rewritten argv", 14));
  const ProcFs proc(root_.string());
  std::vector<std::string> argv;
  ASSERT_FALSE(proc.read_cmdline(10, argv));
  EXPECT_EQ(argv, (std::vector<std::string>{"sleep", "300"}));
  ASSERT_FALSE(proc.read_cmdline(11, argv));
  EXPECT_EQ(argv, (std::vector<std::string>{"rewritten argv"}));
  EXPECT_EQ(proc.read_cmdline(12, argv), std::errc::no_such_process);
}

TEST(RealProc, WalkSeesOwnChild) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  std::vector<ProcStat> out;
  const auto ec = walk_descendants(ProcFs(), ::getpid(), out);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ASSERT_FALSE(ec);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].pid, child);
  EXPECT_EQ(out[0].ppid, ::getpid());
}

// A stat that cannot be read (here a directory: read() fails with EISDIR, as
// it fails with EACCES under hidepid=2) is not "gone": the process is Unseen.
TEST_F(FakeProc, UnreadableStatIsUnseenNotGone) {
  add(1, 0, {{2, 3}});
  add(2, 1, {{}});
  fs::create_directories(root_ / "3" / "stat");  // listed, but its stat cannot be read
  std::vector<ProcStat> out;
  std::vector<Unseen> unseen;
  ASSERT_FALSE(walk_descendants(ProcFs(root_.string()), 1, out, &unseen));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].pid, 2);
  ASSERT_EQ(unseen.size(), 1u);
  EXPECT_EQ(unseen[0].pid, 3);
  EXPECT_EQ(unseen[0].listed_by, 1);
  EXPECT_EQ(unseen[0].error, std::errc::is_a_directory);
  EXPECT_FALSE(unseen[0].children_only);
}

TEST_F(FakeProc, UnreadableChildrenFileIsUnseenBelowAReadProcess) {
  add(1, 0, {{2}});
  add(2, 1, {{}});
  fs::remove(root_ / "2" / "task" / "2" / "children");
  fs::create_directories(root_ / "2" / "task" / "2" / "children");
  std::vector<ProcStat> out;
  std::vector<Unseen> unseen;
  ASSERT_FALSE(walk_descendants(ProcFs(root_.string()), 1, out, &unseen));
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(unseen.size(), 1u);
  EXPECT_TRUE(unseen[0].children_only);
  EXPECT_EQ(children_problem(unseen[0]), "could not read the children of PID 2 (EISDIR)");
}

// A scope over a fixture /proc whose owner is this process: a process that
// was there (unreadable) before the scope opened is baseline, not a leak;
// one that appears later is a leak with read_error, never silently skipped.
TEST_F(FakeProc, UnreadableBaselineProcessIsNoLeakANewOneIs) {
  const pid_t self = ::getpid();
  add(self, 1, {{4242}});
  fs::create_directories(root_ / "4242" / "stat");
  Scope scope;
  ASSERT_FALSE(Scope::open(ProcFs(root_.string()), {.settle = std::chrono::milliseconds(0)}, scope));
  EXPECT_TRUE(scope.check({}).empty()) << "4242 was there before the scope";
  EXPECT_TRUE(scope.problems().empty());

  std::ofstream(root_ / std::to_string(self) / "task" / std::to_string(self) / "children") << "4242 4343 ";
  fs::create_directories(root_ / "4343" / "stat");
  const auto leaks = scope.check({});
  ASSERT_EQ(leaks.size(), 1u);
  EXPECT_EQ(leaks[0].pid, 4343);
  EXPECT_EQ(leaks[0].ppid, self);
  EXPECT_EQ(leaks[0].read_error, "EISDIR");
  EXPECT_TRUE(leaks[0].kinds.has(Kind::stray)) << "in-process: a child of the test binary";
  EXPECT_EQ(incomplete_reason_of(leaks, scope.problems()), "1 process could not be read (EISDIR)");
}

}  // namespace
}  // namespace procleak

namespace procleak {
namespace {

TEST(OwnChildrenTest, SeesChildrenOfEveryThreadAcrossReads) {
  OwnChildren reader;
  std::vector<pid_t> children;
  ASSERT_FALSE(reader.read(children));
  EXPECT_TRUE(children.empty());

  // Two children, each forked by a thread that then exits; one more from the
  // main thread. The same reader (cached files) must see all three.
  std::vector<pid_t> forked;
  for (int i = 0; i < 2; ++i) {
    std::thread t([&] {
      const pid_t pid = ::fork();
      if (pid == 0) {
        ::pause();
        ::_exit(0);
      }
      forked.push_back(pid);
    });
    t.join();
  }
  const pid_t main_child = ::fork();
  if (main_child == 0) {
    ::pause();
    ::_exit(0);
  }
  forked.push_back(main_child);
  const auto ec = reader.read(children);
  for (const pid_t pid : forked) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  ASSERT_FALSE(ec);
  std::sort(forked.begin(), forked.end());
  EXPECT_EQ(children, forked);
  ASSERT_FALSE(reader.read(children));
  EXPECT_TRUE(children.empty()) << "reaped children are gone on the next read";
}

}  // namespace
}  // namespace procleak
