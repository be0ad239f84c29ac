// procleak-ctest end to end: a project that knows nothing of procleak
// (tests/procleak_ctest/project: every add_test form, leaking tests of each,
// ENVIRONMENT, WORKING_DIRECTORY, WILL_FAIL, fixtures, a test that hangs past
// its TIMEOUT while leaking), built with the given CMake and run through
// procleak-ctest. The reports, ctest's own record and the process table judge.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <future>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "process_test.hpp"
#include "run_command.hpp"
#include "report_archive.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using procleak_test::run_command;
using procleak_test::RunOptions;
using procleak_test::RunResult;

const std::string kProcleakCtest = PROCLEAK_CTEST_PATH;
const std::string kProject = PROJECT_DIR;
// cmake and ctest of the CMake under test: Debian's, or another given by
// PROCLEAK_TEST_CMAKE_BIN (the CMake 4.x run of this suite).
const std::string kCmakeBin =
    std::getenv("PROCLEAK_TEST_CMAKE_BIN") != nullptr ? std::getenv("PROCLEAK_TEST_CMAKE_BIN") : CMAKE_BIN_DIR;

const std::set<std::string> kAllTests{"target_clean", "target_leaks",   "genex_leaks", "old_signature_leaks",
                                      "old_signature_clean", "script_leaks", "program_clean", "same_exe_a",
                                      "same_exe_b",   "env_and_dir",    "will_fail",   "hangs_leaking",
                                      "db_setup",     "needs_db",       "skips"};
const std::set<std::string> kLeaking{"target_leaks", "genex_leaks", "old_signature_leaks", "script_leaks",
                                     "hangs_leaking"};

class ProcleakCtest : public procleak_test::ProcessTest {
 protected:
  static void SetUpTestSuite() {
    ProcessTest::SetUpTestSuite();
    if (!fs::exists(kCmakeBin + "/cmake")) return;  // each test skips
    char tmpl[] = "/tmp/procleak-ctest-project-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    build_ = tmpl;
    const auto configured = run_command({kCmakeBin + "/cmake", "-S", kProject, "-B", build_});
    ASSERT_EQ(configured.exit_code, 0) << configured.out << configured.err;
    const auto built = run_command({kCmakeBin + "/cmake", "--build", build_});
    ASSERT_EQ(built.exit_code, 0) << built.out << built.err;
  }
  static void TearDownTestSuite() { fs::remove_all(build_); }

  void SetUp() override {
    ProcessTest::SetUp();
    if (!fs::exists(kCmakeBin + "/cmake")) GTEST_SKIP() << "no CMake in " << kCmakeBin;
  }

  RunResult procleak_ctest(std::vector<std::string> args) const {
    args.insert(args.begin(), kProcleakCtest);
    RunOptions o;
    o.env["PROCLEAK_CTEST"] = kCmakeBin + "/ctest";
    o.env["PROCLEAK_REPORT_DIR"] = reports();
    o.limit = std::chrono::seconds(120);
    return run_command(args, o);
  }

  std::string reports() const { return dir_ + "/reports"; }

  // Report per test name.
  std::map<std::string, std::vector<json>> reports_by_test() const {
    std::map<std::string, std::vector<json>> out;
    if (!fs::exists(reports())) return out;
    for (const auto& e : fs::directory_iterator(reports())) {
      auto doc = procleak_test::read_report(e.path());
      out[doc["test"].get<std::string>()].push_back(std::move(doc));
    }
    return out;
  }

  // ctest's record of the failed tests, in the folder procleak-ctest names
  // on stderr ("N tests under procleak-run (FOLDER)").
  static std::set<std::string> failed_tests(const RunResult& r) {
    std::set<std::string> out;
    const auto open = r.err.find("under procleak-run (");
    const auto close = r.err.find(")\n", open);
    if (open == std::string::npos || close == std::string::npos) return out;
    const auto folder = r.err.substr(open + 20, close - open - 20);
    EXPECT_EQ(folder.rfind(build_ + "/procleak-ctest/", 0), 0u) << folder;
    std::ifstream in(folder + "/Testing/Temporary/LastTestsFailed.log");
    for (std::string line; std::getline(in, line);) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) out.insert(line.substr(colon + 1));
    }
    return out;
  }

  static std::string build_;
};
std::string ProcleakCtest::build_;

TEST_F(ProcleakCtest, EveryFormRunsUnderProcleakAndExactlyTheLeakingOnesFail) {
  // Before (the CMAKE_TEST_LAUNCHER route): the $<TARGET_FILE:> and
  // old-signature tests ran without procleak, reports were named after the
  // executable, and the hung test left no report.
  const auto r = procleak_ctest({"--test-dir", build_, "-j2", "--output-junit", "junit.xml"});
  EXPECT_EQ(r.exit_code, 8) << r.out << r.err;
  EXPECT_NE(r.err.find("procleak-ctest: 15 tests under procleak-run"), std::string::npos) << r.err;
  EXPECT_EQ(failed_tests(r), kLeaking) << r.out;
  const auto by_test = reports_by_test();
  std::set<std::string> named;
  for (const auto& [test, list] : by_test) {
    named.insert(test);
    EXPECT_EQ(list.size(), 1u) << test << ": one report per test";
    const auto& rep = list.front();
    EXPECT_EQ(rep["verdict"], kLeaking.contains(test) ? "leaked" : "clean") << test << ": " << rep.dump(2);
  }
  EXPECT_EQ(named, kAllTests) << "every test has a report under its CTest name";
  ASSERT_TRUE(by_test.contains("hangs_leaking"));
  const auto& hung = by_test.at("hangs_leaking").front();
  EXPECT_EQ(hung["timed_out"], true) << hung.dump(2);
  EXPECT_EQ(hung["exit"]["signal"], "SIGTERM") << "stopped by procleak-run before CTest: " << hung.dump(2);
  EXPECT_GE(hung["leaks"].size(), 1u) << hung.dump(2);
  // The command is the test's own, untouched by any launcher of CMake's.
  EXPECT_EQ(by_test.at("same_exe_b").front()["command"].back(), "b");
  EXPECT_TRUE(fs::exists(build_ + "/junit.xml")) << "a relative --output-junit lands in the build tree, as with ctest";
  expect_nothing_left();
}

TEST_F(ProcleakCtest, CtestOptionsPassThrough) {
  auto r = procleak_ctest({"--test-dir", build_, "-R", "^same_exe_"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("100% tests passed, 0 tests failed out of 2"), std::string::npos) << r.out;
  r = procleak_ctest({"--test-dir", build_, "-L", "env"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("out of 1"), std::string::npos) << r.out;
  // A failing run, then --rerun-failed runs only what failed.
  r = procleak_ctest({"--test-dir", build_, "-R", "^(target_leaks|target_clean)$"});
  EXPECT_EQ(r.exit_code, 8) << r.out << r.err;
  r = procleak_ctest({"--test-dir", build_, "--rerun-failed"});
  EXPECT_EQ(r.exit_code, 8) << r.out << r.err;
  EXPECT_NE(r.out.find("0% tests passed, 1 tests failed out of 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("target_leaks"), std::string::npos) << r.out;
  expect_nothing_left();
}

TEST_F(ProcleakCtest, LauncherFlagsBeforeTheSeparatorApplyToEveryTest) {
  const auto r = procleak_ctest({"--mode", "warn", "--", "--test-dir", build_, "-R", "^target_"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto by_test = reports_by_test();
  ASSERT_TRUE(by_test.contains("target_leaks"));
  EXPECT_EQ(by_test.at("target_leaks").front()["mode"], "warn");
  expect_nothing_left();
}

// Two CI steps on one build tree at once, with other flags: each its own
// generated folder, each the result of its own flags.
TEST_F(ProcleakCtest, TwoRunsAtOnceWithOtherFlagsShareNoFile) {
  auto warn = std::async(std::launch::async, [&] {
    return procleak_ctest({"--mode", "warn", "--", "--test-dir", build_, "-R", "^(target_leaks|target_clean)$"});
  });
  auto fail = std::async(std::launch::async, [&] {
    return procleak_ctest({"--test-dir", build_, "-R", "^(target_leaks|same_exe_a)$"});
  });
  const auto w = warn.get();
  const auto f = fail.get();
  EXPECT_EQ(w.exit_code, 0) << "mode warn: the leak does not fail\n" << w.out << w.err;
  EXPECT_EQ(f.exit_code, 8) << "mode fail: target_leaks fails\n" << f.out << f.err;
  const auto folder = [](const RunResult& r) {
    const auto open = r.err.find("under procleak-run (");
    return open == std::string::npos ? std::string() : r.err.substr(open, r.err.find(')', open) - open);
  };
  EXPECT_NE(folder(w), "");
  EXPECT_NE(folder(w), folder(f)) << w.err << f.err;
  EXPECT_EQ(failed_tests(f), (std::set<std::string>{"target_leaks"}));
  expect_nothing_left();
}

TEST_F(ProcleakCtest, BadInputIsOneLineAndExit125) {
  for (const auto& [args, expected] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--mode", "bogus", "--", "--test-dir", build_}, "--mode"},
           {{"--name", "x", "--", "--test-dir", build_}, "--name"},
           {{"--test-dir", dir_ + "/nowhere"}, "no such folder"},
           {{"--test-dir", dir_}, "has no CTestTestfile.cmake"},
           {{"--test-dir"}, "--test-dir needs a value"},
           {{"--test-dir", build_, "--timeout", "soon"}, "--timeout soon"}}) {
    const auto r = procleak_ctest(args);
    EXPECT_EQ(r.exit_code, 125) << expected << ": " << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
  }
}

}  // namespace
