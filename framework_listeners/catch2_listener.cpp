// procleak's Catch2 listener (v2.13 and v3.x; which one is the project's own:
// the file is compiled in the project that links procleak::catch2, against
// that project's Catch2): every test case and the whole program is checked
// for leaked processes. Registers itself (CATCH_REGISTER_LISTENER).
//
//   test     Catch2 runs a test case once per path through its sections;
//            each run begins with the test case's own section and ends with
//            it. The level opens when a run begins and is checked when it
//            ends, so a leak names the section path that left it. It fails
//            the test case as a failed FAIL_CHECK whose message is the
//            report, in every reporter (console, JUnit, XML): listeners get
//            each event before the reporters, so the test case's section is
//            still open in theirs.
//   program  opened at testRunStarting, checked at testRunEnded; Catch2 has
//            decided the exit status by then, so a leak there is printed and
//            the process ends with status 1 (LeakChecker::fail_process_at_exit).
// Catch2 has no suites (tags are not scopes): no suite level.
#if __has_include(<catch2/catch_test_macros.hpp>)
#define PROCLEAK_CATCH2_V3 1
#include <catch2/catch_test_macros.hpp>
#include <catch2/reporters/catch_reporter_event_listener.hpp>
#include <catch2/reporters/catch_reporter_registrars.hpp>
#else
// The listener and reporter interfaces, outside the file with Catch2's main.
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include <catch2/catch.hpp>
#endif

#include <cstdio>
#include <string>
#include <vector>

#include "procleak/leak_checker.hpp"

// The linker keeps this file's object (and so the listener's registration)
// from a static library of tests: procleak::catch2 links with
// -Wl,--undefined=procleak_catch2_listener_anchor.
extern "C" {
extern const int procleak_catch2_listener_anchor;
const int procleak_catch2_listener_anchor = 1;
}

namespace {

using procleak::CheckLevel;
using procleak::LeakChecker;

#ifdef PROCLEAK_CATCH2_V3
using ListenerBase = Catch::EventListenerBase;
#else
using ListenerBase = Catch::TestEventListenerBase;
#endif

class ProcleakListener : public ListenerBase {
 public:
  using ListenerBase::ListenerBase;

  void testRunStarting(Catch::TestRunInfo const& info) override {
    ListenerBase::testRunStarting(info);
    checker_ = LeakChecker::for_this_process("catch2");
    if (checker_ != nullptr) checker_->open(CheckLevel::program);
  }

  void testRunEnded(Catch::TestRunStats const& stats) override {
    if (checker_ != nullptr && checker_->is_open(CheckLevel::program)) {
      bool clean = false;
      const auto failure = checker_->finish(
          CheckLevel::program, [] { return std::string("*"); }, [&] { return stats.totals.testCases.failed == 0; },
          clean, !checker_->launcher_reports());
      if (!failure.empty()) {
        std::fputs(failure.c_str(), stderr);
        LeakChecker::fail_process_at_exit();
      }
    }
    ListenerBase::testRunEnded(stats);
  }

  void sectionStarting(Catch::SectionInfo const& info) override {
    ListenerBase::sectionStarting(info);
    if (depth_++ == 0) {
      // A run of the test case begins (its own section is the outermost).
      test_name_ = std::string(info.name);
      failed_ = false;
      path_.clear();
      run_path_.clear();
      if (checker_ != nullptr) checker_->open(CheckLevel::test);
      return;
    }
    path_.emplace_back(info.name);
    run_path_ = path_;  // the deepest section this run entered
  }

  void sectionEnded(Catch::SectionStats const& stats) override {
    if (--depth_ == 0) {
      check_run();
    } else if (!path_.empty()) {
      path_.pop_back();
    }
    ListenerBase::sectionEnded(stats);
  }

#ifdef PROCLEAK_CATCH2_V3
  void assertionEnded(Catch::AssertionStats const& stats) override {
    failed_ = failed_ || !stats.assertionResult.isOk();
  }
#else
  bool assertionEnded(Catch::AssertionStats const& stats) override {
    failed_ = failed_ || !stats.assertionResult.isOk();
    return ListenerBase::assertionEnded(stats);
  }
#endif

 private:
  void check_run() {
    if (checker_ == nullptr || !checker_->is_open(CheckLevel::test)) return;
    bool clean = false;
    const auto failure = checker_->finish(
        CheckLevel::test, [&] { return test_name_; }, [&] { return !failed_; }, clean);
    if (failure.empty()) return;
    std::string text;
    if (!run_path_.empty()) {
      text = "in section: ";
      for (std::size_t i = 0; i < run_path_.size(); ++i) text += (i ? " / " : "") + run_path_[i];
      text += '\n';
    }
    text += failure;
    // The test case is still the current one: a failed assertion of it,
    // counted in its totals and the exit status, shown by every reporter.
    INTERNAL_CATCH_MSG("FAIL_CHECK", Catch::ResultWas::ExplicitFailure, Catch::ResultDisposition::ContinueOnFailure,
                       text);
  }

  LeakChecker* checker_ = nullptr;  // the process's; nullptr: checks off
  int depth_ = 0;
  std::string test_name_;
  bool failed_ = false;                // an assertion of this run failed
  std::vector<std::string> path_;      // the sections entered now
  std::vector<std::string> run_path_;  // the deepest path of this run
};

}  // namespace

CATCH_REGISTER_LISTENER(ProcleakListener)
