#include "procleak/leak_checker.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string_view>

#include <unistd.h>

#include "procleak/report_json.hpp"
#include "procleak/report_text.hpp"
#include "procleak/spawn_sites.hpp"

namespace procleak {
namespace {

std::vector<std::string> own_command() {
  std::vector<std::string> argv;
  (void)ProcFs().read_cmdline(::getpid(), argv);
  return argv;
}

}  // namespace

std::unique_ptr<LeakChecker> LeakChecker::from_environment(std::string source, std::string& error) {
  error.clear();
  Settings settings;
  if (auto err = read_settings_from_env(::getenv, settings); !err.empty()) {
    error = std::move(err);
    return nullptr;
  }
  if (settings.mode == Mode::off) return nullptr;
  Suppressions suppressions;
  if (!settings.suppressions.empty()) {
    std::string why;
    auto loaded = Suppressions::load(settings.suppressions, why);
    if (!loaded) {
      error = "PROCLEAK_SUPPRESSIONS " + why;
      return nullptr;
    }
    suppressions = std::move(*loaded);
  }
  return std::make_unique<LeakChecker>(std::move(source), std::move(settings), std::move(suppressions));
}

LeakChecker* LeakChecker::for_this_process(const char* source) {
  static const std::unique_ptr<LeakChecker> checker = [source] {
    std::string error;
    auto made = from_environment(source, error);
    if (!error.empty()) {
      std::fprintf(stderr, "procleak: %s\n", error.c_str());
      std::fflush(nullptr);
      std::_Exit(125);
    }
    if (made != nullptr && !made->start()) made.reset();
    return made;
  }();
  return checker.get();
}

LeakChecker::LeakChecker(std::string source, Settings settings, Suppressions suppressions)
    : source_(std::move(source)), settings_(std::move(settings)), suppressions_(std::move(suppressions)) {
  const char* launcher = std::getenv("PROCLEAK_LAUNCHER_REPORTS");
  launcher_reports_ = launcher != nullptr && std::string_view(launcher) == "1";
}

bool LeakChecker::start() {
  if (active_) return true;
  if (settings_.mode == Mode::off) return false;
  if (auto ec = become_subreaper()) {
    std::fprintf(stderr, "procleak: cannot become subreaper (%s): leak checks are off\n", ec.message().c_str());
    return false;
  }
  ScopeOptions options;
  options.settle = settings_.settle;
  options.grace = settings_.grace;
  options.probe_parent_kill = settings_.probe_parent_kill;
  options.role = OwnerRole::in_process;
  for (Level* level : {&program_, &suite_, &test_}) {
    if (auto ec = Scope::open(options, level->scope)) {
      std::fprintf(stderr, "procleak: cannot read /proc (%s): leak checks are off\n", ec.message().c_str());
      return false;
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
  return true;
}

void LeakChecker::open(CheckLevel level) {
  if (!active_) return;
  Level& l = level_(level);
  l.open = true;
  l.opened_at = std::chrono::steady_clock::now();
  if (level == CheckLevel::test && test_baseline_current_) {
    l.open_error = {};
  } else {
    l.open_error = l.scope.rebaseline();
  }
  test_baseline_current_ = false;
}

void LeakChecker::fail_process_at_exit() {
  static bool registered = false;
  if (registered) return;
  registered = true;
  // Runs before the handlers registered earlier (the framework's and the
  // static objects'): what they would still print is flushed here.
  (void)std::atexit([] {
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    std::_Exit(1);
  });
}

Verification LeakChecker::verify(Level& level, const std::string& suppression_name) {
  Verification verified;
  if (level.open_error) {
    // No baseline: a check now could not tell the scope's processes from
    // those before it, so it neither reports nor kills; it cannot pass.
    verified.incomplete_reason = "could not read this process's children when the scope started (" +
                                 errno_name(level.open_error.value()) + "): what it started was not checked";
    return verified;
  }
  // What the test started with clone(CLONE_PARENT), outside the tree the
  // scope walks; one atomic load when it started nothing that way.
  if (spawn_sites::clone_parent_calls() != 0) {
    const auto since = std::chrono::duration_cast<std::chrono::nanoseconds>(level.opened_at.time_since_epoch());
    for (const auto& root : spawn_sites::started_with_clone_parent(static_cast<std::uint64_t>(since.count()))) {
      level.scope.adopt(root);
    }
  }
  return verify_none(level.scope, suppression_name, facts_, &suppressions_);
}

std::string LeakChecker::report(CheckLevel level, Level& l, Verification verified, std::string name,
                                bool passed_so_far, bool clean) {
  // Each leftover is reported once, here: what this level could not remove
  // (unkillable, or the corpse of a killed child of a process that never
  // reaps it) is not reported again by the levels around it.
  for (const auto& leak : verified.leaks) {
    if (level == CheckLevel::test) suite_.scope.exclude(leak);
    if (level != CheckLevel::program) program_.scope.exclude(leak);
  }
  Report report;
  report.source = source_;
  report.test = std::move(name);
  report.command = own_command();
  const auto now = std::chrono::steady_clock::now();
  report.duration_ms = std::chrono::duration<double, std::milli>(now - l.opened_at).count();
  report.started_at = std::chrono::system_clock::now() -
                      std::chrono::duration_cast<std::chrono::system_clock::duration>(now - l.opened_at);
  report.mode = settings_.mode;
  report.exit_code = passed_so_far ? 0 : 1;
  report.leaks = std::move(verified.leaks);
  report.cleanup = verified.cleanup;
  report.incomplete_reason = std::move(verified.incomplete_reason);
  report.lineage_unavailable = settings_.lineage ? l.scope.lineage_unavailable() : "turned off (PROCLEAK_LINEAGE=off)";
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

}  // namespace procleak
