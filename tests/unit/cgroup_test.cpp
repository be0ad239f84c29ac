// The pure parts of cgroup containment: the names procleak gives its
// cgroups (a sweep acts only on names that parse), and finding this
// process's cgroup from /proc/self/cgroup and mountinfo (a fixture tree).
#include "procleak/cgroup.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace procleak {
namespace {

TEST(CgroupName, NamesTheLauncherByItsTwoProcessesAndReadsBack) {
  const LauncherIdentity id{4026531836, 4100, 123456, 4101, 123457};
  EXPECT_EQ(cgroup_name(id), "procleak-4026531836-4100.123456-4101.123457");
  const auto back = parse_cgroup_name(cgroup_name(id));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->pid_namespace, 4026531836u);
  EXPECT_EQ(back->front_pid, 4100);
  EXPECT_EQ(back->front_start, 123456u);
  EXPECT_EQ(back->keeper_pid, 4101);
  EXPECT_EQ(back->keeper_start, 123457u);
}

// A sweep touches only what procleak named: anything else is not its.
TEST(CgroupName, AnyOtherNameIsNotProcleaks) {
  for (const char* name : {"procleak-", "procleak-9-1.2-3.4", "procleak-9-0.5-7.8", "procleak-9-4100.1-4101",
                           "procleak-9-4100.1-4101.2x", "procleak-test-99", "user.slice", "procleak-9-4100.1-4101.2-9.9",
                           "xprocleak-9-4100.1-4101.2", "procleak-9--4100.1-4101.2", "procleak-4100.1-4101.2",
                           "procleak-0-4100.1-4101.2"}) {
    EXPECT_FALSE(parse_cgroup_name(name)) << name;
  }
}

class OwnCgroupFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/procleak-cgroup-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    std::filesystem::create_directories(root_ + "/proc/self");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void write(const std::string& name, const std::string& text) { std::ofstream(root_ + "/proc/self/" + name) << text; }
  std::string root_;
};

TEST_F(OwnCgroupFixture, FindsTheUnifiedHierarchyOfAHybridLayout) {
  std::filesystem::create_directories(root_ + "/mnt/unified/ci.slice/job");
  write("cgroup", "4:memory:/x\n1:name=systemd:/ci.slice/job\n0::/ci.slice/job\n");
  write("mountinfo", "41 31 0:38 / " + root_ + "/mnt/memory rw - cgroup cgroup rw,memory\n" +
                         "42 31 0:39 / " + root_ + "/mnt/unified rw,relatime - cgroup2 cgroup2 rw\n");
  const auto own = find_own_cgroup(ProcFs(root_ + "/proc"));
  EXPECT_EQ(own.dir, root_ + "/mnt/unified/ci.slice/job") << own.why_not;
  EXPECT_EQ(own.path, "/ci.slice/job");
}

// A launcher of another PID namespace is never taken for gone: its PIDs
// name other processes here, or none.
TEST(CgroupName, ALauncherOfAnotherPidNamespaceCountsAsAlive) {
  const ProcFs proc;
  const auto here = own_pid_namespace(proc);
  ASSERT_NE(here, 0u);
  // PIDs that no process has here (above the kernel's limit of 4194304).
  const LauncherIdentity elsewhere{here + 1, 4194310, 1, 4194311, 1};
  EXPECT_FALSE(launcher_gone(proc, elsewhere));
  LauncherIdentity gone_here = elsewhere;
  gone_here.pid_namespace = here;
  EXPECT_TRUE(launcher_gone(proc, gone_here));
}

// A mount of a subtree (a container's view): the part of the path below its root.
TEST_F(OwnCgroupFixture, FindsItBelowAMountOfASubtree) {
  std::filesystem::create_directories(root_ + "/mnt/cg/job");
  write("cgroup", "0::/ci.slice/job\n");
  write("mountinfo", "42 31 0:39 /ci.slice " + root_ + "/mnt/cg rw - cgroup2 cgroup2 rw\n");
  const auto own = find_own_cgroup(ProcFs(root_ + "/proc"));
  EXPECT_EQ(own.dir, root_ + "/mnt/cg/job") << own.why_not;
}

TEST_F(OwnCgroupFixture, SaysWhyWhereThereIsNone) {
  write("cgroup", "4:memory:/x\n");
  write("mountinfo", "");
  EXPECT_NE(find_own_cgroup(ProcFs(root_ + "/proc")).why_not.find("no cgroup v2 hierarchy"), std::string::npos);
  write("cgroup", "0::/ci.slice/job\n");
  write("mountinfo", "41 31 0:38 / " + root_ + "/mnt/memory rw - cgroup cgroup rw,memory\n");
  const auto own = find_own_cgroup(ProcFs(root_ + "/proc"));
  EXPECT_TRUE(own.dir.empty());
  EXPECT_NE(own.why_not.find("no cgroup2 mount shows this process's cgroup"), std::string::npos) << own.why_not;
}

}  // namespace
}  // namespace procleak
