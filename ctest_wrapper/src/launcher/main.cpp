// procleak-run: runs a test command, then reports and kills what it left.
//
// main reads like the table of contents: parse, (mode off or a test listing:
// exec), run as front and keeper (front_and_keeper.hpp), set up
// ownership and signals, spawn, wait, check, clean up, report, exit as the
// test did.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>

#include "forwarded_signals.hpp"
#include "front_and_keeper.hpp"
#include "launcher_options.hpp"
#include "procleak/report_json.hpp"
#include "procleak/report_text.hpp"
#include "procleak/scope.hpp"
#include "procleak/suppressions.hpp"
#include "procleak/version.hpp"
#include "spawn_test.hpp"
#include "wait_for_test.hpp"

namespace procleak::launcher {
namespace {

constexpr int kUsageError = 125;
constexpr int kNotExecutable = 126;
constexpr int kNotFound = 127;
constexpr int kTimedOut = 124;

int say(int code, const std::string& message) {
  std::fprintf(stderr, "procleak-run: %s\n", message.c_str());
  return code;
}

// --mode off: become the command, so turning procleak off costs nothing.
int exec_unchecked(const std::vector<std::string>& command) {
  std::vector<char*> argv;
  for (const auto& a : command) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execvp(argv[0], argv.data());
  const int err = errno;
  if (err == ENOENT) return say(kNotFound, command.front() + ": command not found");
  return say(kNotExecutable, command.front() + ": " + std::strerror(err));
}

// Writes every report asked for; false (after saying why) if one failed.
bool write_reports(const Options& opts, const Report& report) {
  bool ok = true;
  if (!opts.report_file.empty()) {
    if (auto ec = write_file_atomically(opts.report_file, to_json(report))) {
      say(0, "cannot write report " + opts.report_file + ": " + ec.message());
      ok = false;
    }
  }
  if (!opts.report_dir.empty()) {
    std::string path;
    if (auto ec = write_report_into_dir(opts.report_dir, report, path)) {
      say(0, "cannot write report into " + opts.report_dir + ": " + ec.message());
      ok = false;
    }
  }
  return ok;
}

int run_checked(const Options& opts, const Keeper& keeper) {
  // Set-up failures are ours (125) and happen before the test runs.
  Suppressions suppressions;
  if (!opts.suppressions.empty()) {
    std::string error;
    auto loaded = Suppressions::load(opts.suppressions, error);
    if (!loaded) return say(kUsageError, "--suppressions " + error);
    suppressions = std::move(*loaded);
  }
  if (!opts.report_dir.empty()) {
    if (auto ec = make_directories(opts.report_dir)) {
      return say(kUsageError, "--report-dir " + opts.report_dir + ": " + ec.message());
    }
  }
  if (auto ec = become_subreaper()) return say(kUsageError, "cannot become subreaper: " + ec.message());
  ForwardedSignals signals;
  if (auto ec = ForwardedSignals::install(signals, keeper.original_mask)) {
    return say(kUsageError, "cannot set up signal forwarding: " + ec.message());
  }
  ScopeOptions scope_options;
  scope_options.settle = opts.settle;
  scope_options.grace = opts.grace;
  scope_options.probe_parent_kill = opts.probe_parent_kill;
  scope_options.role = OwnerRole::launcher;
  Scope scope;
  if (auto ec = Scope::open(scope_options, scope)) return say(kUsageError, "cannot read /proc: " + ec.message());

  Report report;
  report.source = "launcher";
  report.test = opts.name;
  report.command = opts.command;
  report.mode = opts.mode;
  report.started_at = std::chrono::system_clock::now();
  const auto t0 = std::chrono::steady_clock::now();

  // A GoogleTest binary with the listener reports into the same folder, with
  // the same mode and timings as the launcher in front of it.
  for (const auto& [name, value] : settings_for_the_test(opts)) ::setenv(name.c_str(), value.c_str(), 1);
  auto spawned = spawn_test(opts.command, signals.original_mask());
  switch (spawned.error) {
    case SpawnError::none: break;
    case SpawnError::not_found: return say(kNotFound, spawned.message);
    case SpawnError::not_executable: return say(kNotExecutable, spawned.message);
    case SpawnError::setup_failed: return say(kUsageError, spawned.message);
  }

  const auto outcome = wait_for_test(spawned.test, signals, scope.guard(), opts.timeout, opts.grace,
                                     keeper.front_gone.valid() ? keeper.front_gone.get() : -1);
  if (outcome.launcher_killed) {
    say(0, "killed; stopping test '" + opts.name + "' and everything it started");
    scope.hurry();
  }
  report.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  report.exit_code = outcome.exit_code;
  report.exit_signal = outcome.signal;
  report.timed_out = outcome.timed_out;
  if (outcome.timed_out) say(0, "test '" + opts.name + "' timed out after " + format_duration(*opts.timeout));

  // The test ran in its own session, so its session and group ids are its PID.
  auto verified = verify_none(scope, report.test,
                              {.sid = spawned.test.pid,
                               .pgid = spawned.test.pid,
                               .killed_by_signal = outcome.signal.has_value()},
                              &suppressions);
  report.leaks = std::move(verified.leaks);
  report.cleanup = verified.cleanup;

  if (const auto text = format_text(report); !text.empty()) std::fputs(text.c_str(), stderr);
  if (opts.ctest_measurements) {
    std::fputs(ctest_measurements(report).c_str(), stdout);
    std::fflush(stdout);
  }
  const bool reports_written = write_reports(opts, report);

  // A timeout is the launcher's verdict, whatever our SIGTERM made of the test.
  if (outcome.timed_out) return kTimedOut;
  if (outcome.signal) die_of_signal(*outcome.signal);
  const int code = outcome.exit_code.value_or(1);
  if (code != 0) return code;
  if (!reports_written) return kUsageError;
  if (opts.mode == Mode::fail && verdict_of(report.leaks) == Verdict::leaked) return opts.leak_exit_code;
  return 0;
}

}  // namespace
}  // namespace procleak::launcher

int main(int argc, char** argv) {
  using namespace procleak::launcher;
  const auto parsed = parse_options(std::vector<std::string>(argv + 1, argv + argc), ::getenv);
  switch (parsed.outcome) {
    case ParseOutcome::help: std::fputs(help_text().c_str(), stdout); return 0;
    case ParseOutcome::version: std::printf("procleak-run %s\n", procleak::kVersion); return 0;
    case ParseOutcome::error: return say(kUsageError, parsed.error);
    case ParseOutcome::run: break;
  }
  if (parsed.options.mode == procleak::Mode::off || lists_tests_only(parsed.options.command)) {
    return exec_unchecked(parsed.options.command);
  }
  const auto ec = run_as_front_and_keeper([&](const Keeper& keeper) { return run_checked(parsed.options, keeper); });
  return say(kUsageError, "cannot start the keeper process: " + ec.message());
}
