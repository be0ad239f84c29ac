#include "procleak/gtest_listener.hpp"

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <unistd.h>

#include "procleak/report_json.hpp"
#include "procleak/report_text.hpp"
#include "procleak/spawn_sites.hpp"

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
    : settings_(std::move(settings)), suppressions_(std::move(suppressions)) {
  const char* launcher = std::getenv("PROCLEAK_LAUNCHER_REPORTS");
  launcher_reports_ = launcher != nullptr && std::string_view(launcher) == "1";
}

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
  // Where each leak came from: subscribed once, before the first test; and
  // where in this binary it was started (spawn_sites.hpp).
  if (settings_.lineage) {
    events_ = ProcessEvents::open(ProcFs(), ::getpid());
    for (Level* level : {&program_, &suite_, &test_}) level->scope.use_lineage(&events_);
  }
  spawn_sites::set_recording(true);
  for (Level* level : {&program_, &suite_, &test_}) level->scope.use_spawn_sites(spawn_sites::find);
  // The test's processes start in the binary's own session and group; one
  // that left them escaped.
  facts_ = {.sid = ::getsid(0), .pgid = ::getpgrp()};
  active_ = true;
}

void GTestLeakListener::open(Level& level) {
  level.open = true;
  level.opened_at = std::chrono::steady_clock::now();
  level.open_error = level.scope.rebaseline();
}

void GTestLeakListener::OnEnvironmentsSetUpStart(const ::testing::UnitTest&) {
  test_baseline_current_ = false;
  if (active_) open(program_);
}

void GTestLeakListener::OnTestSuiteStart(const ::testing::TestSuite&) {
  test_baseline_current_ = false;
  if (active_) open(suite_);
}

void GTestLeakListener::OnTestStart(const ::testing::TestInfo&) {
  if (!active_) return;
  if (test_baseline_current_) {
    test_.open = true;
    test_.open_error = {};
    test_.opened_at = std::chrono::steady_clock::now();
  } else {
    open(test_);
  }
  test_baseline_current_ = false;
}

void GTestLeakListener::OnTestEnd(const ::testing::TestInfo& test) {
  if (!active_ || !test_.open) return;
  // Raised here, the failure belongs to the test that just ended (GoogleTest
  // clears the current test only after OnTestEnd).
  bool clean = false;
  if (auto failure = finish(test_, test, clean, {&suite_, &program_}); !failure.empty()) raise_failure(failure);
  test_baseline_current_ = clean;
}

void GTestLeakListener::OnTestSuiteEnd(const ::testing::TestSuite& suite) {
  test_baseline_current_ = false;
  if (!active_ || !suite_.open) return;
  bool clean = false;
  if (auto failure = finish(suite_, suite, clean, {&program_}); !failure.empty()) {
    deferred_failures_.push_back(std::move(failure));
  }
}

void GTestLeakListener::OnEnvironmentsTearDownEnd(const ::testing::UnitTest& unit_test) {
  test_baseline_current_ = false;
  if (!active_ || !program_.open) return;
  bool clean = false;
  if (auto failure = finish(program_, unit_test, clean, {}, !launcher_reports_); !failure.empty()) {
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

namespace {
// Scope names and results, computed only when something leaked.
std::string scope_name(const ::testing::TestInfo& t) { return std::string(t.test_suite_name()) + '.' + t.name(); }
std::string scope_name(const ::testing::TestSuite& s) { return s.name(); }
std::string scope_name(const ::testing::UnitTest&) { return "*"; }
bool passed(const ::testing::TestInfo& t) { return t.result()->Passed(); }
bool passed(const ::testing::TestSuite& s) { return s.Passed(); }
bool passed(const ::testing::UnitTest& u) { return u.Passed(); }
}  // namespace

template <typename GTestScope>
std::string GTestLeakListener::finish(Level& level, const GTestScope& gtest_scope, bool& clean,
                                      std::initializer_list<Level*> enclosing, bool report_clean) {
  level.open = false;
  // Suppressions match against the name, so it is needed only when there are some.
  const std::string suppression_name = suppressions_.rules().empty() ? std::string() : scope_name(gtest_scope);
  Verification verified;
  if (level.open_error) {
    // No baseline: a check now could not tell the scope's processes from
    // those before it, so it neither reports nor kills; it cannot pass.
    verified.incomplete_reason = "could not read this process's children when the scope started (" +
                                 errno_name(level.open_error.value()) + "): what it started was not checked";
  } else {
    // What the test started with clone(CLONE_PARENT), outside the tree the
    // scope walks; one atomic load when it started nothing that way.
    if (spawn_sites::clone_parent_calls() != 0) {
      const auto since = std::chrono::duration_cast<std::chrono::nanoseconds>(level.opened_at.time_since_epoch());
      for (const auto& root : spawn_sites::started_with_clone_parent(static_cast<std::uint64_t>(since.count()))) {
        level.scope.adopt(root);
      }
    }
    verified = verify_none(level.scope, suppression_name, facts_, &suppressions_);
  }
  clean = verified.leaks.empty() && verified.incomplete_reason.empty();
  if (clean && (!report_clean || settings_.report_dir.empty())) return {};
  // Each leftover is reported once, here: what this scope could not remove
  // (unkillable, or the corpse of a killed child of a process that never
  // reaps it) is not reported again by the suite and the program around it.
  for (const auto& leak : verified.leaks) {
    for (Level* outer : enclosing) outer->scope.exclude(leak);
  }
  const std::string name = scope_name(gtest_scope);
  const bool passed_so_far = passed(gtest_scope);

  Report report;
  report.source = "gtest";
  report.test = name;
  report.command = own_command();
  const auto now = std::chrono::steady_clock::now();
  report.duration_ms = std::chrono::duration<double, std::milli>(now - level.opened_at).count();
  report.started_at = std::chrono::system_clock::now() -
                      std::chrono::duration_cast<std::chrono::system_clock::duration>(now - level.opened_at);
  report.mode = settings_.mode;
  report.exit_code = passed_so_far ? 0 : 1;
  report.leaks = std::move(verified.leaks);
  report.cleanup = verified.cleanup;
  report.incomplete_reason = std::move(verified.incomplete_reason);
  report.lineage_unavailable = settings_.lineage ? level.scope.lineage_unavailable() : "turned off (PROCLEAK_LINEAGE=off)";
  if (!settings_.report_dir.empty()) {
    std::string path;
    if (auto ec = write_report_into_dir(settings_.report_dir, report, path)) {
      std::fprintf(stderr, "procleak: cannot write report into %s: %s\n", settings_.report_dir.c_str(),
                   ec.message().c_str());
    }
  }
  if (clean) return {};
  const auto text = format_text(report);
  if (settings_.mode == Mode::fail && fails(verdict_of(report))) return text;
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
