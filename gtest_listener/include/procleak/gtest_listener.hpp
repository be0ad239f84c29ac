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

#include <memory>
#include <string>
#include <vector>

#include "procleak/leak_checker.hpp"

namespace procleak {

class GTestLeakListener : public ::testing::EmptyTestEventListener {
 public:
  explicit GTestLeakListener(std::unique_ptr<LeakChecker> checker);

  void OnTestProgramStart(const ::testing::UnitTest& unit_test) override;
  void OnEnvironmentsSetUpStart(const ::testing::UnitTest& unit_test) override;
  void OnTestSuiteStart(const ::testing::TestSuite& suite) override;
  void OnTestStart(const ::testing::TestInfo& test) override;
  void OnTestEnd(const ::testing::TestInfo& test) override;
  void OnTestSuiteEnd(const ::testing::TestSuite& suite) override;
  void OnEnvironmentsTearDownEnd(const ::testing::UnitTest& unit_test) override;
  void OnTestIterationEnd(const ::testing::UnitTest& unit_test, int iteration) override;

 private:
  std::unique_ptr<LeakChecker> checker_;    // the levels, shared with the other frameworks' listeners
  bool active_ = false;                     // false: checks off, or a death-test child
  std::vector<std::string> deferred_failures_;  // suite and program levels
};

// Installs the listener once, after GoogleTest's own printers (call after
// InitGoogleTest), configured from the PROCLEAK_* variables. Does nothing in
// a death-test child or with PROCLEAK_MODE=off. Returns false, after printing
// a one-line reason, when a variable or the suppressions file is invalid.
bool install_gtest_listener();

}  // namespace procleak
