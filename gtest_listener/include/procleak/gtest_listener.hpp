// procleak's GoogleTest listener: every test, suite and the whole program is
// checked for leaked processes (README: "Adding the listener").
//
// Scopes, and the event where each is checked and where its failure lands
// (GoogleTest 1.12; a failure must be both in the XML/JSON output and counted
// in the exit code):
//   test    opened OnTestStart, checked OnTestEnd (after the fixture's
//           TearDown); the failure is the test's own.
//   suite   opened OnTestSuiteStart (so SetUpTestSuite's processes belong to
//           it), checked and cleaned OnTestSuiteEnd (after TearDownTestSuite).
//           A failure raised there would be counted but never written to the
//           XML, so it is raised at OnTestIterationEnd, naming the suite.
//   program opened OnEnvironmentsSetUpStart, checked OnEnvironmentsTearDownEnd
//           (after the global environments' TearDown), raised at
//           OnTestIterationEnd: a failure raised at OnTestProgramEnd would not
//           change the exit code.
// The listener reads /proc only at those events; it never reaps a child
// while a test runs (no waitpid(-1)), so a test's own wait() always works.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <initializer_list>
#include <string>
#include <vector>

#include "procleak/process_events.hpp"
#include "procleak/scope.hpp"
#include "procleak/settings.hpp"
#include "procleak/suppressions.hpp"

namespace procleak {

class GTestLeakListener : public ::testing::EmptyTestEventListener {
 public:
  // settings: mode, grace, settle, report_dir, suppressions, probe_parent_kill
  // (the launcher-only ones are ignored).
  GTestLeakListener(Settings settings, Suppressions suppressions);

  void OnTestProgramStart(const ::testing::UnitTest& unit_test) override;
  void OnEnvironmentsSetUpStart(const ::testing::UnitTest& unit_test) override;
  void OnTestSuiteStart(const ::testing::TestSuite& suite) override;
  void OnTestStart(const ::testing::TestInfo& test) override;
  void OnTestEnd(const ::testing::TestInfo& test) override;
  void OnTestSuiteEnd(const ::testing::TestSuite& suite) override;
  void OnEnvironmentsTearDownEnd(const ::testing::UnitTest& unit_test) override;
  void OnTestIterationEnd(const ::testing::UnitTest& unit_test, int iteration) override;

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
  static void open(Level& level);
  // Checks and cleans one scope; returns the text of the failure to raise
  // (empty when clean, or in mode warn after printing it). clean tells
  // whether nothing at all was left. What it could not remove, the
  // enclosing levels do not report again. report_clean: write a report
  // (into PROCLEAK_REPORT_DIR) also when the scope is clean.
  template <typename GTestScope>
  std::string finish(Level& level, const GTestScope& gtest_scope, bool& clean, std::initializer_list<Level*> enclosing,
                     bool report_clean = false);

  Settings settings_;
  Suppressions suppressions_;
  bool active_ = false;  // false: mode off, or a death-test child
  // A procleak-run in front reports this run (PROCLEAK_LAUNCHER_REPORTS=1);
  // else the program scope writes a report even when clean, so that a gate
  // over the folder knows the binary was checked.
  bool launcher_reports_ = false;
  Level program_;
  Level suite_;
  Level test_;
  std::vector<std::string> deferred_failures_;  // suite and program scopes
  TestFacts facts_;                             // the binary's own session and group
  ProcessEvents events_;                        // every scope's lineage (PROCLEAK_LINEAGE)
  // True after a clean OnTestEnd: the tree is exactly the test baseline, and
  // GoogleTest runs no user code before the next OnTestStart of the suite,
  // so that baseline is still current.
  bool test_baseline_current_ = false;
};

// Installs the listener once, after GoogleTest's own printers (call after
// InitGoogleTest), configured from the PROCLEAK_* variables. Does nothing in
// a death-test child or with PROCLEAK_MODE=off. Returns false, after printing
// a one-line reason, when a variable or the suppressions file is invalid.
bool install_gtest_listener();

}  // namespace procleak
