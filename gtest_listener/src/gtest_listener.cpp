#include "procleak/gtest_listener.hpp"

#include <cstdio>
#include <cstdlib>

#include <unistd.h>

#include "procleak/report_json.hpp"
#include "procleak/report_text.hpp"

namespace procleak {
namespace {

// Raised without a source location: the failure is about the process table,
// not a line of the test.
void raise_failure(const std::string& text) {
  ::testing::internal::AssertHelper(::testing::TestPartResult::kNonFatalFailure, "procleak", -1, text.c_str()) =
      ::testing::Message();
}

std::vector<std::string> own_command() {
  std::vector<std::string> argv;
  (void)ProcFs().read_cmdline(::getpid(), argv);
  return argv;
}

bool in_death_test_child() { return !GTEST_FLAG_GET(internal_run_death_test).empty(); }

}  // namespace

GTestLeakListener::GTestLeakListener(Settings settings, Suppressions suppressions)
    : settings_(std::move(settings)), suppressions_(std::move(suppressions)) {}

void GTestLeakListener::OnTestProgramStart(const ::testing::UnitTest&) {
  // Here, not at install: --gtest_list_tests never gets this far, and a
  // death-test child must not become anyone's subreaper.
  if (settings_.mode == Mode::off || in_death_test_child()) return;
  if (auto ec = become_subreaper()) {
    std::fprintf(stderr, "procleak: cannot become subreaper (%s): leak checks are off\n", ec.message().c_str());
    return;
  }
  ScopeOptions options;
  options.settle = settings_.settle;
  options.grace = settings_.grace;
  options.probe_parent_kill = settings_.probe_parent_kill;
  options.role = OwnerRole::in_process;
  for (Level* level : {&program_, &suite_, &test_}) {
    if (auto ec = Scope::open(options, level->scope)) {
      std::fprintf(stderr, "procleak: cannot read /proc (%s): leak checks are off\n", ec.message().c_str());
      return;
    }
  }
  active_ = true;
}

void GTestLeakListener::OnEnvironmentsSetUpStart(const ::testing::UnitTest&) {
  if (active_) program_.open = !program_.scope.rebaseline();
}

void GTestLeakListener::OnTestSuiteStart(const ::testing::TestSuite&) {
  if (active_) suite_.open = !suite_.scope.rebaseline();
}

void GTestLeakListener::OnTestStart(const ::testing::TestInfo&) {
  if (active_) test_.open = !test_.scope.rebaseline();
}

void GTestLeakListener::OnTestEnd(const ::testing::TestInfo& test) {
  if (!active_ || !test_.open) return;
  const std::string name = std::string(test.test_suite_name()) + '.' + test.name();
  // Raised here, the failure belongs to the test that just ended (GoogleTest
  // clears the current test only after OnTestEnd).
  if (auto failure = finish(test_, name, test.result()->Passed()); !failure.empty()) raise_failure(failure);
}

void GTestLeakListener::OnTestSuiteEnd(const ::testing::TestSuite& suite) {
  if (!active_ || !suite_.open) return;
  if (auto failure = finish(suite_, suite.name(), suite.Passed()); !failure.empty()) {
    deferred_failures_.push_back(std::move(failure));
  }
}

void GTestLeakListener::OnEnvironmentsTearDownEnd(const ::testing::UnitTest& unit_test) {
  if (!active_ || !program_.open) return;
  if (auto failure = finish(program_, "*", unit_test.Passed()); !failure.empty()) {
    deferred_failures_.push_back(std::move(failure));
  }
}

void GTestLeakListener::OnTestIterationEnd(const ::testing::UnitTest&, int) {
  // No test or suite is current here: the failures land in the program's own
  // result, which the XML and JSON printers write (as NonTestSuiteFailure)
  // after us, and which RUN_ALL_TESTS counts right after this event.
  for (const auto& failure : deferred_failures_) raise_failure(failure);
  deferred_failures_.clear();
}

std::string GTestLeakListener::finish(Level& level, const std::string& name, bool passed_so_far) {
  level.open = false;
  // The test's processes start in the binary's own session and group; one
  // that left them escaped.
  auto verified = verify_none(level.scope, name, {.sid = ::getsid(0), .pgid = ::getpgrp()}, &suppressions_);
  if (verified.leaks.empty()) return {};

  Report report;
  report.source = "gtest";
  report.test = name;
  report.command = own_command();
  report.started_at = std::chrono::system_clock::now();
  report.mode = settings_.mode;
  report.exit_code = passed_so_far ? 0 : 1;
  report.leaks = std::move(verified.leaks);
  report.cleanup = verified.cleanup;
  if (!settings_.report_dir.empty()) {
    std::string path;
    if (auto ec = write_report_into_dir(settings_.report_dir, report, path)) {
      std::fprintf(stderr, "procleak: cannot write report into %s: %s\n", settings_.report_dir.c_str(),
                   ec.message().c_str());
    }
  }
  const auto text = format_text(report);
  if (settings_.mode == Mode::fail && verdict_of(report.leaks) == Verdict::leaked) return text;
  std::fputs(text.c_str(), stderr);  // warn, or all suppressed: reported, not failed
  return {};
}

bool install_gtest_listener() {
  static bool installed = false;
  if (installed || in_death_test_child()) return true;
  Settings settings;
  if (auto err = read_settings_from_env(::getenv, settings); !err.empty()) {
    std::fprintf(stderr, "procleak: %s\n", err.c_str());
    return false;
  }
  if (settings.mode == Mode::off) return true;
  Suppressions suppressions;
  if (!settings.suppressions.empty()) {
    std::string error;
    auto loaded = Suppressions::load(settings.suppressions, error);
    if (!loaded) {
      std::fprintf(stderr, "procleak: PROCLEAK_SUPPRESSIONS %s\n", error.c_str());
      return false;
    }
    suppressions = std::move(*loaded);
  }
  ::testing::UnitTest::GetInstance()->listeners().Append(
      new GTestLeakListener(std::move(settings), std::move(suppressions)));
  installed = true;
  return true;
}

}  // namespace procleak
