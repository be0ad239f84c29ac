// procleak's doctest listener (doctest 2.4): every test case and the whole
// program is checked for leaked processes. Compiled in the project that
// links procleak::doctest, against that project's own doctest; registers
// itself (REGISTER_LISTENER).
//
//   test     opened at test_case_start, checked at the end of each run of
//            the test case (test_case_reenter: doctest runs a test case once
//            per subcase path) and at test_case_end; a leak fails the test
//            case as a failed CHECK whose message is the report, in every
//            reporter (console, JUnit, XML), with the subcase path of the
//            run that left it.
//   program  opened at test_run_start, checked at test_run_end; doctest has
//            no place for a failure there, so it is printed and the process
//            ends with status 1 (LeakChecker::fail_process_at_exit).
// doctest's test suites are names, without a set-up of their own: no level.
// Listeners run before reporters, so a failure logged at test_case_end
// reaches every reporter while the test case is still theirs; doctest has
// counted the test case by then, and the listener amends the counts it
// passes on (the same objects doctest reads for the summary and the exit
// status).
#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "procleak/leak_checker.hpp"

// The linker keeps this file's object (and so the listener's registration)
// from a static library of tests: procleak::doctest links with
// -Wl,--undefined=procleak_doctest_listener_anchor.
extern "C" {
extern const int procleak_doctest_listener_anchor;
const int procleak_doctest_listener_anchor = 1;
}

namespace {

using procleak::CheckLevel;
using procleak::LeakChecker;

// What the listener keeps across doctest's runs (contexts) in this process.
struct Checks {
  LeakChecker* checker = nullptr;     // nullptr: checks off
  std::vector<std::string> failures;  // of the current test case
  unsigned extra_failed_cases = 0;    // test cases only procleak failed, for the run's counts
  unsigned extra_failed_asserts = 0;
};
Checks& checks() {
  static Checks c;
  return c;
}

class ProcleakListener : public doctest::IReporter {
 public:
  explicit ProcleakListener(const doctest::ContextOptions&) {}

  void report_query(const doctest::QueryData&) override {}

  void test_run_start() override {
    auto& c = checks();
    c.checker = LeakChecker::for_this_process("doctest");
    if (c.checker != nullptr) c.checker->open(CheckLevel::program);
  }

  void test_run_end(const doctest::TestRunStats& stats) override {
    auto& c = checks();
    if (c.checker == nullptr) return;
    // The run's counts, as doctest's reporters and exit status read them.
    auto& amended = const_cast<doctest::TestRunStats&>(stats);
    amended.numTestCasesFailed += c.extra_failed_cases;
    amended.numAssertsFailed += static_cast<int>(c.extra_failed_asserts);
    amended.numAsserts += static_cast<int>(c.extra_failed_asserts);
    c.extra_failed_cases = 0;
    c.extra_failed_asserts = 0;
    if (!c.checker->is_open(CheckLevel::program)) return;
    bool clean = false;
    const auto failure = c.checker->finish(
        CheckLevel::program, [] { return std::string("*"); }, [&] { return stats.numTestCasesFailed == 0; }, clean,
        !c.checker->launcher_reports());
    if (!failure.empty()) {
      std::fputs(failure.c_str(), stderr);
      LeakChecker::fail_process_at_exit();
    }
  }

  void test_case_start(const doctest::TestCaseData& tc) override {
    auto& c = checks();
    test_ = &tc;
    failed_ = false;
    run_path_.clear();
    path_.clear();
    c.failures.clear();
    if (c.checker != nullptr) c.checker->open(CheckLevel::test);
  }

  // The end of one run of the test case (another subcase path comes next).
  void test_case_reenter(const doctest::TestCaseData&) override {
    check_run(true);
    run_path_.clear();
  }

  void test_case_end(const doctest::CurrentTestCaseStats& st) override {
    auto& c = checks();
    check_run(false);
    if (c.failures.empty()) return;
    auto& amended = const_cast<doctest::CurrentTestCaseStats&>(st);
    const bool was_success = st.testCaseSuccess;
    for (const auto& text : c.failures) {
      // A failed CHECK, logged to every reporter while the test case is
      // still theirs (doctest logs it the same way, rb.log()).
      doctest::detail::ResultBuilder rb(doctest::assertType::DT_CHECK, "procleak", 0, "no process left running");
      rb.m_failed = true;
      rb.m_decomp = text.c_str();
      (void)rb.log();
      ++amended.numAssertsCurrentTest;
      ++amended.numAssertsFailedCurrentTest;
      ++c.extra_failed_asserts;
    }
    amended.failure_flags |= doctest::TestCaseFailureReason::AssertFailure;
    amended.testCaseSuccess = false;
    if (was_success) ++c.extra_failed_cases;
    c.failures.clear();
  }

  void test_case_exception(const doctest::TestCaseException&) override {}

  void subcase_start(const doctest::SubcaseSignature& s) override {
    path_.emplace_back(s.m_name.c_str());
    run_path_ = path_;  // the deepest subcase this run entered
  }
  void subcase_end() override {
    if (!path_.empty()) path_.pop_back();
  }

  void log_assert(const doctest::AssertData& ad) override { failed_ = failed_ || ad.m_failed; }
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}

 private:
  // Checks what the run of the test case that just ended left; reopens the
  // level for the next run.
  void check_run(bool another_run_follows) {
    auto& c = checks();
    if (c.checker == nullptr || test_ == nullptr || !c.checker->is_open(CheckLevel::test)) return;
    bool clean = false;
    const auto failure = c.checker->finish(
        CheckLevel::test, [&] { return std::string(test_->m_name); },
        [&] { return !failed_; }, clean);
    if (!failure.empty()) {
      std::string where;
      if (!run_path_.empty()) {
        where = "in subcase: ";
        for (std::size_t i = 0; i < run_path_.size(); ++i) where += (i ? " / " : "") + run_path_[i];
        where += '\n';
      }
      c.failures.push_back(where + failure);
    }
    if (another_run_follows) c.checker->open(CheckLevel::test);
  }

  const doctest::TestCaseData* test_ = nullptr;
  bool failed_ = false;                // an assertion of the test case failed
  std::vector<std::string> path_;      // the subcases entered now
  std::vector<std::string> run_path_;  // the deepest path of this run
};

}  // namespace

REGISTER_LISTENER("procleak", 1, ProcleakListener);
