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
  // The sleeps take arguments no other test uses (6161..6170), so the script
  // can wait until all ten exist, however loaded the machine, before it exits.
  const std::string script =
      // ignores SIGTERM and SIGHUP (nohup + trap ''), so it inherits both as ignored
      "nohup sh -c \"trap '' TERM HUP; exec sleep 6161\" >/dev/null 2>&1 &\n"
      // stopped once it is sleep (in a session of its own: a stopped member of
      // a group that becomes orphaned when the test's shell exits would get
      // SIGHUP + SIGCONT from the kernel and be gone before procleak looks)
      "setsid sh -c 'sleep 6162 & p=$!; i=0; until [ \"$(cat /proc/$p/comm)\" = sleep ] || [ $i -ge 1000 ]; do "
      "sleep 0.01; i=$((i+1)); done; kill -STOP $p; exec sleep 6170' &\n"
      // its own process group, and one deeper
      + own_group + " sleep 6163 &\n" + own_group + " sh -c '" + own_group + " sleep 6168 & sleep 6169' &\n"
      // a new session, with another new session below it
      "setsid sh -c 'sleep 6164 & setsid sleep 6165 & sleep 6166' &\n"
      // a double-forked daemon that changed directory and closed its fds
      "(cd / && setsid sh -c 'exec </dev/null >/dev/null 2>&1; sleep 6167 &' &)\n"
      // all ten are sleep (6170 is exec'd after 6162 is stopped); at most 10 s
      "ready() { n=0; for f in $(grep -lszx -e '616[1-9]' -e '617[0]' /proc/[0-9]*/cmdline); do "
      "{ read -r c < ${f%cmdline}comm; } 2>/dev/null && [ \"$c\" = sleep ] && n=$((n+1)); done; [ $n -ge 10 ]; }\n"
      "i=0; until ready || [ $i -ge 1000 ]; do sleep 0.01; i=$((i+1)); done\n"
      "exit 0\n";
  const auto r = run({"sh", "-c", script}, {"--grace", "300ms"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto rep = report();
  for (int n = 6161; n <= 6170; ++n) {
    const json* l = leak_with_arg(rep, std::to_string(n));
    ASSERT_NE(l, nullptr) << "sleep " << n << " not reported: " << rep.dump(2);
    EXPECT_NE((*l)["cleanup"], "unkillable") << l->dump();
  }
  EXPECT_EQ((*leak_with_arg(rep, "6161"))["cleanup"], "killed") << "it ignores SIGTERM";
  EXPECT_EQ((*leak_with_arg(rep, "6162"))["state"], "T") << "stopped when procleak looked";
  EXPECT_EQ((*leak_with_arg(rep, "6163"))["escaped_via"], "group");
  EXPECT_EQ((*leak_with_arg(rep, "6168"))["escaped_via"], "group");
  EXPECT_EQ((*leak_with_arg(rep, "6164"))["escaped_via"], "session");
  EXPECT_EQ((*leak_with_arg(rep, "6165"))["escaped_via"], "session");
  EXPECT_EQ((*leak_with_arg(rep, "6167"))["escaped_via"], "session");
  EXPECT_EQ((*leak_with_arg(rep, "6167"))["holds_test_output"], false) << "it closed its fds";
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
  EXPECT_NE(r.err.find("helper_named x\\x0ay\n"), std::string::npos) << "a newline cannot forge a report line: " << r.err;
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
  // The test's shell waits, so only the forwarded signal ends it (a grace
  // long enough that the shell dies of the signal, not of our SIGKILL, on a
  // loaded machine).
  const auto r = run({"sh", "-c", "setsid sleep 71 & sleep 72 & wait"}, {"--grace", "5s"}, o);
  EXPECT_EQ(r.signal, sig) << "exit " << r.exit_code << ": " << r.err;
  const auto rep = report();
  EXPECT_EQ(rep["exit"]["signal"], std::string("SIG") + sigabbrev_np(sig));
  ASSERT_NE(leak_with_arg(rep, "71"), nullptr) << rep.dump(2);
  EXPECT_TRUE(seconds_until_nothing_left(2.0).has_value());
}

// From the moment procleak-run blocks the forwarded signals or has started
// its keeper (whichever it does first), a signal is neither lost nor kills
// it unreported: it reaches the test once the test runs. Each round signals
// at a different point of the start-up.
TEST_P(SignalToLauncher, SentDuringStartUpStillReachesTheTestAndIsReported) {
  const int sig = GetParam();
  const auto started_up = [sig](pid_t launcher) {
    const std::string proc = "/proc/" + std::to_string(launcher);
    std::ifstream status(proc + "/status");
    for (std::string line; std::getline(status, line);) {
      if (line.starts_with("SigBlk:") && (std::stoull(line.substr(7), nullptr, 16) >> (sig - 1) & 1) != 0) return true;
    }
    std::ifstream children(proc + "/task/" + std::to_string(launcher) + "/children");
    return children.peek() != std::ifstream::traits_type::eof();
  };
  for (int round = 0; round < 10; ++round) {
    RunOptions o;
    o.while_running = [sig, round, &started_up](pid_t launcher) {
      for (int i = 0; i < 100000 && !started_up(launcher); ++i) {
      }
      for (int spin = 0; spin < round * 2000; ++spin) asm volatile("");
      kill(launcher, sig);
    };
    const auto r = run({"sh", "-c", "sleep 76 & wait"}, {"--grace", "5s"}, o);
    EXPECT_EQ(r.signal, sig) << "round " << round << ": exit " << r.exit_code << ": " << r.err;
    const auto rep = report();
    ASSERT_TRUE(rep.contains("exit")) << "round " << round << ": no report; " << r.err;
    EXPECT_EQ(rep["exit"]["signal"], std::string("SIG") + sigabbrev_np(sig)) << "round " << round;
    EXPECT_TRUE(seconds_until_nothing_left(2.0).has_value()) << "round " << round;
    std::filesystem::remove(report_path());
  }
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
