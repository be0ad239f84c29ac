#include "procleak/gtest_listener.hpp"

#include <cstdio>

namespace procleak {
namespace {

// Raised without a source location: the failure is about the process table,
// not a line of the test.
void raise_failure(const std::string& text) {
  ::testing::internal::AssertHelper(::testing::TestPartResult::kNonFatalFailure, "procleak", -1, text.c_str()) =
      ::testing::Message();
}

bool in_death_test_child() { return !GTEST_FLAG_GET(internal_run_death_test).empty(); }

}  // namespace

GTestLeakListener::GTestLeakListener(std::unique_ptr<LeakChecker> checker) : checker_(std::move(checker)) {}

void GTestLeakListener::OnTestProgramStart(const ::testing::UnitTest&) {
  // Here, not at install: --gtest_list_tests never gets this far, and a
  // death-test child must not become anyone's subreaper.
  if (checker_ == nullptr || in_death_test_child()) return;
  active_ = checker_->start();
}

void GTestLeakListener::OnEnvironmentsSetUpStart(const ::testing::UnitTest&) {
  if (active_) checker_->open(CheckLevel::program);
}

void GTestLeakListener::OnTestSuiteStart(const ::testing::TestSuite&) {
  if (active_) checker_->open(CheckLevel::suite);
}

// GoogleTest runs no user code between a test's OnTestEnd and the next
// OnTestStart of its suite: after a clean test the checker reuses its
// baseline (LeakChecker::forget_test_baseline is never needed here).
void GTestLeakListener::OnTestStart(const ::testing::TestInfo&) {
  if (active_) checker_->open(CheckLevel::test);
}

void GTestLeakListener::OnTestEnd(const ::testing::TestInfo& test) {
  if (!active_ || !checker_->is_open(CheckLevel::test)) return;
  // Raised here, the failure belongs to the test that just ended (GoogleTest
  // clears the current test only after OnTestEnd).
  bool clean = false;
  const auto failure = checker_->finish(
      CheckLevel::test, [&] { return std::string(test.test_suite_name()) + '.' + test.name(); },
      [&] { return test.result()->Passed(); }, clean);
  if (!failure.empty()) raise_failure(failure);
}

// A failure raised at OnTestSuiteEnd would be counted but never written to
// the XML, so it is raised at OnTestIterationEnd, naming the suite.
void GTestLeakListener::OnTestSuiteEnd(const ::testing::TestSuite& suite) {
  if (!active_ || !checker_->is_open(CheckLevel::suite)) return;
  bool clean = false;
  auto failure = checker_->finish(
      CheckLevel::suite, [&] { return std::string(suite.name()); }, [&] { return suite.Passed(); }, clean);
  if (!failure.empty()) deferred_failures_.push_back(std::move(failure));
}

// A failure raised at OnTestProgramEnd would not change the exit code: it is
// raised at OnTestIterationEnd too. The program level writes a report even
// when clean, so that a gate over the folder knows the binary was checked
// (unless a procleak-run in front reports this run).
void GTestLeakListener::OnEnvironmentsTearDownEnd(const ::testing::UnitTest& unit_test) {
  if (!active_ || !checker_->is_open(CheckLevel::program)) return;
  bool clean = false;
  auto failure = checker_->finish(
      CheckLevel::program, [] { return std::string("*"); }, [&] { return unit_test.Passed(); }, clean,
      !checker_->launcher_reports());
  if (!failure.empty()) deferred_failures_.push_back(std::move(failure));
}

void GTestLeakListener::OnTestIterationEnd(const ::testing::UnitTest&, int) {
  // No test or suite is current here: the failures land in the program's own
  // result, which the XML and JSON printers write (as NonTestSuiteFailure)
  // after us, and which RUN_ALL_TESTS counts right after this event.
  for (const auto& failure : deferred_failures_) raise_failure(failure);
  deferred_failures_.clear();
}

bool install_gtest_listener() {
  static bool installed = false;
  if (installed || in_death_test_child()) return true;
  std::string error;
  auto checker = LeakChecker::from_environment("gtest", error);
  if (!error.empty()) {
    std::fprintf(stderr, "procleak: %s\n", error.c_str());
    return false;
  }
  if (checker == nullptr) return true;  // PROCLEAK_MODE=off
  ::testing::UnitTest::GetInstance()->listeners().Append(new GTestLeakListener(std::move(checker)));
  installed = true;
  return true;
}

}  // namespace procleak
