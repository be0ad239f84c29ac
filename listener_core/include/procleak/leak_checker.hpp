// The in-process leak check that every framework listener shares (GoogleTest,
// Catch2, doctest, Boost.Test): three nested levels, each a Scope over this
// binary's children, opened and finished at the framework's own events.
//
//   program  opened before the first test (and the global set-up), finished
//            after the last (and the global tear-down);
//   suite    a test suite, where the framework has suites with a set-up of
//            their own;
//   test     one test case.
//
// A listener calls start() once, then open() and finish() per level; finish
// returns the text of the failure to raise in the framework's own way (empty
// when clean, or in mode warn after printing it) and writes the report into
// PROCLEAK_REPORT_DIR. What a level could not remove is not reported again by
// the levels around it. The checker reads /proc only at those calls and never
// reaps a child while a test runs (no waitpid(-1)).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "procleak/process_events.hpp"
#include "procleak/scope.hpp"
#include "procleak/settings.hpp"
#include "procleak/suppressions.hpp"

namespace procleak {

enum class CheckLevel { program, suite, test };

class LeakChecker {
 public:
  // From the PROCLEAK_* variables: nullptr with error empty when PROCLEAK_MODE
  // is off; nullptr with a one-line error (no "procleak: " prefix) when a
  // variable or the suppressions file is invalid. source names the framework
  // in the reports ("gtest", "catch2", "doctest", "boost_test").
  [[nodiscard]] static std::unique_ptr<LeakChecker> from_environment(std::string source, std::string& error);

  LeakChecker(std::string source, Settings settings, Suppressions suppressions);

  // The process's one checker, for a listener that the framework creates
  // (once or per run): made from the PROCLEAK_* variables and started at the
  // first call, whatever the later calls' source. nullptr when checks are off
  // (PROCLEAK_MODE=off, or they cannot run here). A bad variable is a usage
  // error, as for procleak-run: one line on stderr, and the process exits
  // with status 125.
  [[nodiscard]] static LeakChecker* for_this_process(const char* source);

  // Becomes this process's subreaper, reads the first baselines, subscribes
  // to lineage and turns spawn-site recording on. False, after printing why
  // on stderr, when checks cannot run (they stay off; nothing fails).
  bool start();
  [[nodiscard]] bool active() const noexcept { return active_; }
  [[nodiscard]] const Settings& settings() const noexcept { return settings_; }

  void open(CheckLevel level);
  [[nodiscard]] bool is_open(CheckLevel level) const noexcept { return level_(level).open; }

  // Checks and cleans the level. name() is the framework's name of the scope
  // and passed() whether it passed so far; both are called only when there is
  // something to report (or a suppression to match). clean tells whether
  // nothing at all was left. report_clean: write a report also when clean.
  template <typename Name, typename Passed>
  std::string finish(CheckLevel level, Name&& name, Passed&& passed, bool& clean, bool report_clean = false) {
    Level& l = level_(level);
    l.open = false;
    Verification verified = verify(l, suppressions_.rules().empty() ? std::string() : std::string(name()));
    clean = verified.leaks.empty() && verified.incomplete_reason.empty();
    if (level == CheckLevel::test) {
      test_baseline_current_ = clean;
    } else {
      test_baseline_current_ = false;
    }
    if (clean && (!report_clean || settings_.report_dir.empty())) return {};
    return report(level, l, std::move(verified), std::string(name()), passed(), clean);
  }

  // User code ran since the last clean test (a fixture between tests): the
  // next test reads its own baseline.
  void forget_test_baseline() noexcept { test_baseline_current_ = false; }

  // For a failure the framework has no place for (the program level of
  // Catch2 and doctest, whose exit status is decided before their last
  // event): the process ends with status 1 at exit, after the framework
  // wrote its output (stdio and std::cout flushed). Idempotent.
  static void fail_process_at_exit();

  // A procleak-run in front reports this run (PROCLEAK_LAUNCHER_REPORTS=1):
  // the program level need not write a report when clean.
  [[nodiscard]] bool launcher_reports() const noexcept { return launcher_reports_; }

 private:
  struct Level {
    Scope scope;
    bool open = false;
    // Why the baseline could not be read when the level opened: then nothing
    // it started can be told apart, and it ends as incomplete, never clean.
    std::error_code open_error;
    // When the level opened: its reports' duration_ms.
    std::chrono::steady_clock::time_point opened_at;
  };
  Level& level_(CheckLevel level) noexcept {
    return level == CheckLevel::program ? program_ : level == CheckLevel::suite ? suite_ : test_;
  }
  const Level& level_(CheckLevel level) const noexcept {
    return level == CheckLevel::program ? program_ : level == CheckLevel::suite ? suite_ : test_;
  }
  Verification verify(Level& level, const std::string& suppression_name);
  std::string report(CheckLevel level, Level& l, Verification verified, std::string name, bool passed_so_far,
                     bool clean);

  std::string source_;
  Settings settings_;
  Suppressions suppressions_;
  bool active_ = false;
  bool launcher_reports_ = false;
  Level program_;
  Level suite_;
  Level test_;
  TestFacts facts_;       // the binary's own session and group
  ProcessEvents events_;  // every level's lineage (PROCLEAK_LINEAGE)
  // True after a clean test: the tree is exactly the test baseline, and no
  // user code ran since (the listener says otherwise with
  // forget_test_baseline), so the next test need not read it again.
  bool test_baseline_current_ = false;
};

}  // namespace procleak
