// Tests that fight back, and a launcher under attack: each ends with nothing
// left, checked by the independent /proc oracle. Figures (containment times)
// are printed as "[ figure ]" lines for the README and the closing note.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "process_oracle.hpp"
#include "launcher_run.hpp"
#include "process_test.hpp"
#include "run_command.hpp"

namespace {

using nlohmann::json;
using procleak_test::descendants_of;
using procleak_test::run_command;
using procleak_test::RunOptions;
using procleak_test::RunResult;
using Clock = std::chrono::steady_clock;

const std::string kRun = PROCLEAK_RUN_PATH;
const std::string kHelpers = PROCLEAK_HELPERS_DIR;
const std::string kCtest = CTEST_PATH;

class Hostile : public procleak_test::LauncherRun {
 protected:
  Hostile() : LauncherRun(kRun) {}

  static const json* leak_with_arg(const json& r, const std::string& arg) {
    for (const auto& l : r["leaks"]) {
      for (const auto& a : l["cmdline"]) {
        if (a == arg) return &l;
      }
    }
    return nullptr;
  }

  // Reaps what was re-parented to this test binary and waits until it has no
  // descendant left. Seconds it took, or nullopt if some are still there at
  // the limit.
  static std::optional<double> seconds_until_nothing_left(double limit_seconds) {
    const auto t0 = Clock::now();
    for (;;) {
      while (waitpid(-1, nullptr, WNOHANG) > 0) {
      }
      const double s = std::chrono::duration<double>(Clock::now() - t0).count();
      if (descendants_of(getpid()).empty()) return s;
      if (s > limit_seconds) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  // Waits until the launcher's tree holds a process running `sleep SECONDS`
  // (not merely a shell whose script mentions it).
  static void wait_for_sleep(pid_t launcher, const std::string& seconds) {
    const std::string wanted = std::string("sleep") + '\0' + seconds + '\0';
    for (int i = 0; i < 500; ++i) {
      for (const auto& p : descendants_of(launcher)) {
        std::ifstream in("/proc/" + std::to_string(p.pid) + "/cmdline");
        const std::string cmdline{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        if (cmdline == wanted) return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
};

TEST_F(Hostile, ForkLoopStillGrowingDuringCleanupIsContained) {
  const auto t0 = Clock::now();
  const auto r = run({kHelpers + "/helper_fork_loop", "2000", "4"}, {"--settle", "50ms", "--grace", "500ms"});
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  EXPECT_EQ(r.exit_code, 3) << r.err.substr(0, 2000);
  const auto rep = report();
  const auto leaks = rep["leaks"].size();
  EXPECT_GT(leaks, 10u);
  EXPECT_LE(leaks, 2000u);
  EXPECT_EQ(rep["cleanup"]["unkillable"], 0);
  EXPECT_LT(seconds, 10.0) << "containing the loop took too long";
  const auto left = seconds_until_nothing_left(2.0);
  EXPECT_TRUE(left.has_value()) << descendants_of(getpid()).size() << " processes left";
  std::printf("[ figure ] fork loop (cap 2000, 4 births/ms): %zu processes contained, cleanup %.1f ms, "
              "launcher run %.2f s, survivors %zu\n",
              leaks, rep["cleanup"]["duration_ms"].get<double>(), seconds, descendants_of(getpid()).size());
}

TEST_F(Hostile, IgnorersStoppedRegroupedAndDaemonizedAllGone) {
  const std::string own_group = kHelpers + "/helper_own_group";
  const std::string script =
      // ignores SIGTERM and SIGHUP (nohup + trap ''), so sleep 61 inherits both as ignored
      "nohup sh -c \"trap '' TERM HUP; exec sleep 61\" >/dev/null 2>&1 &\n"
      // stopped (in a session of its own: a stopped member of a group that
      // becomes orphaned when the test's shell exits would get SIGHUP + SIGCONT
      // from the kernel and be gone before procleak looks)
      "setsid sh -c 'sleep 62 & sleep 0.1; kill -STOP $!; exec sleep 70' &\n"
      // its own process group, and one deeper
      + own_group + " sleep 63 &\n" + own_group + " sh -c '" + own_group + " sleep 68 & sleep 69' &\n"
      // a new session, with another new session below it
      "setsid sh -c 'sleep 64 & setsid sleep 65 & sleep 66' &\n"
      // a double-forked daemon that changed directory and closed its fds
      "(cd / && setsid sh -c 'exec </dev/null >/dev/null 2>&1; sleep 67 &' &)\n"
      "sleep 0.3\n"
      "exit 0\n";
  const auto r = run({"sh", "-c", script}, {"--grace", "300ms"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto rep = report();
  for (int n = 61; n <= 70; ++n) {
    const json* l = leak_with_arg(rep, std::to_string(n));
    ASSERT_NE(l, nullptr) << "sleep " << n << " not reported: " << rep.dump(2);
    EXPECT_NE((*l)["cleanup"], "unkillable") << l->dump();
  }
  EXPECT_EQ((*leak_with_arg(rep, "61"))["cleanup"], "killed") << "it ignores SIGTERM";
  EXPECT_EQ((*leak_with_arg(rep, "62"))["state"], "T") << "stopped when procleak looked";
  EXPECT_EQ((*leak_with_arg(rep, "63"))["escaped_via"], "group");
  EXPECT_EQ((*leak_with_arg(rep, "68"))["escaped_via"], "group");
  EXPECT_EQ((*leak_with_arg(rep, "64"))["escaped_via"], "session");
  EXPECT_EQ((*leak_with_arg(rep, "65"))["escaped_via"], "session");
  EXPECT_EQ((*leak_with_arg(rep, "67"))["escaped_via"], "session");
  EXPECT_EQ((*leak_with_arg(rep, "67"))["holds_test_output"], false) << "it closed its fds";
  EXPECT_TRUE(seconds_until_nothing_left(2.0).has_value());
}

TEST_F(Hostile, HostileNamesAreReportedAsTheyAre) {
  const auto r = run({"sh", "-c", kHelpers + "/helper_named 'a) (b c'; " + kHelpers + "/helper_named \"$(printf 'x\\ny')\""});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto rep = report();
  std::vector<std::string> comms;
  for (const auto& l : rep["leaks"]) comms.push_back(l["comm"]);
  EXPECT_NE(std::find(comms.begin(), comms.end(), "a) (b c"), comms.end()) << rep.dump(2);
  EXPECT_NE(std::find(comms.begin(), comms.end(), "x\ny"), comms.end()) << rep.dump(2);
  EXPECT_NE(r.err.find("helper_named a) (b c\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("helper_named x?y\n"), std::string::npos) << "a newline cannot forge a report line: " << r.err;
  EXPECT_TRUE(seconds_until_nothing_left(2.0).has_value());
}

class SignalToLauncher : public Hostile, public ::testing::WithParamInterface<int> {};

TEST_P(SignalToLauncher, IsForwardedThenEverythingIsCleanedAndTheLauncherDiesOfIt) {
  const int sig = GetParam();
  RunOptions o;
  o.while_running = [](pid_t launcher) {
    wait_for_sleep(launcher, "71");
    kill(launcher, GetParam());
  };
  // The test's shell waits, so only the forwarded signal ends it.
  const auto r = run({"sh", "-c", "setsid sleep 71 & sleep 72 & wait"}, {"--grace", "300ms"}, o);
  EXPECT_EQ(r.signal, sig) << "exit " << r.exit_code << ": " << r.err;
  const auto rep = report();
  EXPECT_EQ(rep["exit"]["signal"], std::string("SIG") + sigabbrev_np(sig));
  ASSERT_NE(leak_with_arg(rep, "71"), nullptr) << rep.dump(2);
  EXPECT_TRUE(seconds_until_nothing_left(2.0).has_value());
}

INSTANTIATE_TEST_SUITE_P(Launcher, SignalToLauncher, ::testing::Values(SIGTERM, SIGINT, SIGHUP, SIGQUIT),
                         [](const auto& p) { return std::string("SIG") + sigabbrev_np(p.param); });

TEST_F(Hostile, SigkillToTheLauncherLeavesNothingAfterTwoSeconds) {
  RunOptions o;
  o.while_running = [](pid_t launcher) {
    wait_for_sleep(launcher, "74");
    kill(launcher, SIGKILL);
  };
  const std::string script =
      "nohup sh -c \"trap '' TERM HUP; exec sleep 73\" >/dev/null 2>&1 &\n"
      "setsid sleep 74 &\n"
      "sleep 75 &\n"
      "wait\n";
  const auto r = run({"sh", "-c", script}, {}, o);
  EXPECT_EQ(r.signal, SIGKILL);
  const auto left = seconds_until_nothing_left(2.0);
  ASSERT_TRUE(left.has_value()) << "still there 2 s after the launcher's SIGKILL: "
                                << descendants_of(getpid()).size() << " processes";
  std::printf("[ figure ] SIGKILL of procleak-run: everything gone %.0f ms later\n", *left * 1000);
  // The keeper still wrote its report.
  const auto rep = report();
  ASSERT_TRUE(rep.contains("leaks")) << "no report";
  ASSERT_NE(leak_with_arg(rep, "74"), nullptr) << rep.dump(2);
}

TEST_F(Hostile, NestedLaunchersReportEachLeakOnce) {
  const std::string inner_report = dir_ + "/inner.json";
  const auto r = run({kRun, "--report", inner_report, "--", "sh", "-c", "sleep 76 & exit 0"});
  EXPECT_EQ(r.exit_code, 3) << "the inner launcher's verdict passes through: " << r.err;
  const auto inner = read_json(inner_report);
  const auto outer = report();
  EXPECT_EQ(inner["leaks"].size(), 1u) << inner.dump(2);
  EXPECT_EQ(outer["leaks"].size(), 0u) << outer.dump(2);
  EXPECT_TRUE(seconds_until_nothing_left(2.0).has_value());
}

TEST_F(Hostile, EightLeakyTestsUnderCtestJ8AndABystanderThatLives) {
  const std::string tests = dir_ + "/ctest";
  const std::string reports = dir_ + "/reports";
  std::filesystem::create_directories(tests);
  {
    std::ofstream f(tests + "/CTestTestfile.cmake");
    for (int i = 1; i <= 8; ++i) {
      f << "add_test(leaky_" << i << " \"" << kRun << "\" --report-dir \"" << reports << "\" --name leaky_" << i
        << " -- sh -c \"sleep 120 & echo $! > " << dir_ << "/pid_" << i << "; sleep 0.2; exit 0\")\n";
    }
  }
  // The bystander shares ctest's session and process group: a tool that
  // killed by group or session would hit it.
  const auto r = run_command(
      {"sh", "-c", "sleep 120 & echo $! > " + dir_ + "/bystander; " + kCtest + " -j 8 --test-dir " + tests});
  EXPECT_NE(r.exit_code, 0) << "eight tests leak";
  EXPECT_NE(r.out.find("0% tests passed, 8 tests failed out of 8"), std::string::npos) << r.out;

  for (int i = 1; i <= 8; ++i) {
    std::ifstream pid_file(dir_ + "/pid_" + std::to_string(i));
    pid_t own = 0;
    pid_file >> own;
    json rep;
    for (const auto& e : std::filesystem::directory_iterator(reports)) {
      if (e.path().filename().string().starts_with("leaky_" + std::to_string(i) + ".")) rep = read_json(e.path());
    }
    ASSERT_EQ(rep["leaks"].size(), 1u) << "leaky_" << i << ": " << rep.dump(2);
    EXPECT_EQ(rep["leaks"][0]["pid"], own) << "leaky_" << i << " lists only its own process";
  }
  std::ifstream by(dir_ + "/bystander");
  pid_t bystander = 0;
  by >> bystander;
  ASSERT_GT(bystander, 1);
  EXPECT_TRUE(procleak_test::is_running(bystander)) << "the bystander was killed";
  // TearDown kills the bystander (by pidfd), as a descendant of this test.
}

}  // namespace
