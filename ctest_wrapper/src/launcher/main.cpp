// procleak-run: runs a test command, then reports and kills what it left.
//
// main reads like the table of contents: parse, (mode off or a test listing:
// exec), check that /proc is ours, read the files the run needs, take over
// what the caller handed us (inherited_state.hpp), run as front and keeper
// (front_and_keeper.hpp): set up ownership and signals, spawn, wait, check,
// clean up, report, exit as the test did.
#include <dirent.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "containment.hpp"
#include "forwarded_signals.hpp"
#include "front_and_keeper.hpp"
#include "inherited_state.hpp"
#include "launcher_options.hpp"
#include "procleak/process_events.hpp"
#include "procleak/report_json.hpp"
#include "procleak/report_text.hpp"
#include "procleak/scope.hpp"
#include "procleak/suppressions.hpp"
#include "procleak/version.hpp"
#include "report_target.hpp"
#include "spawn_test.hpp"
#include "wait_for_test.hpp"

namespace procleak::launcher {
namespace {

constexpr int kUsageError = 125;
constexpr int kNotExecutable = 126;
constexpr int kNotFound = 127;
constexpr int kTimedOut = 124;
// Under --ctest, a leak ends procleak-run with this signal: CTest counts a
// test killed by a signal as failed whatever its WILL_FAIL, regular
// expressions or SKIP_RETURN_CODE say, and names SIGUSR1 as it is.
constexpr int kCtestLeakSignal = SIGUSR1;
// With --meson: the GNU "hard error" status, which Meson reports as ERROR
// whatever should_fail says (a leak never passes as an expected failure).
constexpr int kMesonHardError = 99;

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

// What the run needs from files, read before any signal is blocked (a FIFO
// or a huge file is refused, never waited on).
struct Prepared {
  Suppressions suppressions;
  InheritedState inherited;
  ReportTarget report;  // --report, checked before the test runs
};

// Writes every report asked for; false (after saying why) if one failed.
bool write_reports(const Options& opts, const ReportTarget& target, const Report& report) {
  bool ok = true;
  if (!opts.report_file.empty()) {
    if (auto ec = write_report_target(target, to_json(report))) {
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

Report new_report(const Options& opts) {
  Report report;
  report.source = "launcher";
  report.test = opts.name;
  report.command = opts.command;
  report.mode = opts.mode;
  report.started_at = std::chrono::system_clock::now();
  return report;
}

// The reports first, the words on stderr after: a closed stderr (SIGPIPE is
// ignored, inherited_state.hpp) loses the words, never the report.
bool publish(const Options& opts, const Prepared& prepared, const Report& report) {
  const bool written = write_reports(opts, prepared.report, report);
  if (const auto text = format_text(report); !text.empty()) std::fputs(text.c_str(), stderr);
  // Under --ctest only a failed check adds to the test's output, so a clean
  // test's output is what its regular expressions would see without procleak.
  if (opts.ctest_measurements || (opts.ctest && fails(verdict_of(report)))) {
    std::fputs(ctest_measurements(report).c_str(), stdout);
    std::fflush(stdout);
  }
  return written;
}

int run_checked(const Options& opts, const Prepared& prepared, const Keeper& keeper) {
  // Set-up failures are ours (125) and happen before the test runs.
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
  // Subscribed before the test starts, so its every fork is seen.
  ProcessEvents events;
  if (opts.lineage) {
    events = ProcessEvents::open(ProcFs(), scope.owner());
    scope.use_lineage(&events);
  }

  Report report = new_report(opts);
  const auto t0 = std::chrono::steady_clock::now();

  // A GoogleTest binary with the listener reports into the same folder, with
  // the same mode and timings as the launcher in front of it.
  for (const auto& [name, value] : settings_for_the_test(opts)) ::setenv(name.c_str(), value.c_str(), 1);

  // A cgroup of the test's own where one can be made (--containment).
  auto contained = contain(opts, launcher_identity(ProcFs(), ::getppid(), ::getpid()));
  if (!contained.error.empty()) return say(kUsageError, contained.error);
  // The cgroup goes with every return from here on (a process left in it
  // keeps it, and the verdict says so).
  struct RemoveCgroup {
    TestCgroup& cg;
    ~RemoveCgroup() {
      if (cg.valid()) (void)cg.remove();
    }
  } remove_cgroup{contained.cgroup};
  int join_error = 0;
  auto spawned = spawn_test(opts.command, signals.original_mask(), prepared.inherited,
                            contained.cgroup.valid() ? &contained.cgroup : nullptr, &join_error);
  if (join_error != 0) {
    const std::string why = "the test cannot join the cgroup " + contained.cgroup.dir() + " (" +
                            errno_name(join_error) + ": " + std::strerror(join_error) + ")";
    (void)contained.cgroup.remove();
    contained.cgroup = TestCgroup();
    if (opts.containment == Containment::cgroup) return say(kUsageError, "--containment cgroup: " + why);
    contained.why_not = why;
    spawned = spawn_test(opts.command, signals.original_mask(), prepared.inherited);
  }
  if (contained.cgroup.valid()) scope.use_cgroup(&contained.cgroup, contained.path);
  report.containment = contained.cgroup.valid() ? "cgroup" : "session";
  report.containment_reason = contained.why_not;
  switch (spawned.error) {
    case SpawnError::none: break;
    case SpawnError::not_found: return say(kNotFound, spawned.message);
    case SpawnError::not_executable: return say(kNotExecutable, spawned.message);
    case SpawnError::setup_failed: return say(kUsageError, spawned.message);
  }

  events.expect(spawned.test.pid, spawned.test.exec_path, spawned.test.argv);
  const auto outcome = wait_for_test(spawned.test, signals, scope.guard(), opts.timeout, opts.grace,
                                     keeper.front_gone.valid() ? keeper.front_gone.get() : -1, events);
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
                               .killed_by_signal = outcome.signal.has_value(),
                               .pid = spawned.test.pid},
                              &prepared.suppressions);
  report.leaks = std::move(verified.leaks);
  report.cleanup = verified.cleanup;
  report.incomplete_reason = std::move(verified.incomplete_reason);
  report.lineage_unavailable = opts.lineage ? scope.lineage_unavailable() : "turned off (--lineage off)";
  if (contained.cgroup.valid()) {
    report.resources = contained.cgroup.resources();
    if (const auto ec = contained.cgroup.remove()) {
      say(0, "cannot remove the test's cgroup " + contained.cgroup.dir() + ": " + ec.message());
    }
  }
  if (outcome.signals_via) note_signal(report.cleanup.signals_via, *outcome.signals_via);
  const bool reports_written = publish(opts, prepared, report);

  // A timeout is the launcher's verdict, whatever our SIGTERM made of the test.
  if (outcome.timed_out) {
    if (opts.ctest) wait_for_ctest_after_keeper();
    return kTimedOut;
  }
  if (opts.meson && ((opts.mode == Mode::fail && fails(verdict_of(report))) || !reports_written)) {
    say(0, "test '" + opts.name + "' " + (reports_written ? "leaked" : "could not be reported") +
               ": exiting with 99, which Meson fails whatever should_fail says");
    return kMesonHardError;
  }
  if (outcome.signal) die_of_signal(*outcome.signal);
  if (opts.ctest && ((opts.mode == Mode::fail && fails(verdict_of(report))) || !reports_written)) {
    say(0, "test '" + opts.name + "' " + (reports_written ? "leaked" : "could not be reported") +
               ": ending with SIGUSR1, which CTest fails whatever WILL_FAIL, its regular expressions or "
               "SKIP_RETURN_CODE say");
    die_of_signal(kCtestLeakSignal);
  }
  const int code = outcome.exit_code.value_or(1);
  if (code != 0) return code;
  if (!reports_written) return kUsageError;
  if (opts.mode == Mode::fail && fails(verdict_of(report))) return opts.leak_exit_code;
  return 0;
}

// In the front, after the keeper died of a signal (the OOM killer picks the
// keeper alone, or the keeper mirrored the test's own death). The front is a
// subreaper too, so whatever the keeper left is the front's child now: check
// and clean it up, and report it, without the test's exit status, which died
// with the keeper. Finds nothing (one read of our children) when the keeper
// had already cleaned up.
void clean_up_after_keeper(const Options& opts, const Prepared& prepared, int keeper_signal) {
  ScopeOptions scope_options;
  scope_options.role = OwnerRole::launcher;
  Scope scope;
  if (Scope::open(scope_options, scope)) return;
  scope.clear_baseline();
  scope.hurry();
  // The test's cgroup, named after this front and the keeper that died.
  TestCgroup cgroup;
  std::string cgroup_path;
  if (const auto own = find_own_cgroup(ProcFs()); !own.dir.empty()) {
    const auto me = launcher_identity(ProcFs(), ::getpid(), 0);
    const std::string prefix = "procleak-" + std::to_string(me.pid_namespace) + '-' + std::to_string(me.front_pid) +
                               '.' + std::to_string(me.front_start) + '-';
    if (DIR* d = ::opendir(own.dir.c_str())) {
      while (const dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name.rfind(prefix, 0) != 0 || !parse_cgroup_name(name)) continue;
        if (!TestCgroup::open_existing(own.dir + '/' + name, cgroup)) {
          cgroup_path = (own.path == "/" ? "" : own.path) + '/' + name;
          break;
        }
      }
      ::closedir(d);
    }
  }
  if (cgroup.valid()) scope.use_cgroup(&cgroup, cgroup_path);
  auto verified = verify_none(scope, opts.name, {.killed_by_signal = true}, &prepared.suppressions);
  if (verified.leaks.empty() && verified.incomplete_reason.empty()) {
    if (cgroup.valid()) (void)cgroup.remove();
    return;
  }
  say(0, "the keeper process died of " + signal_name(keeper_signal) + "; cleaned up what test '" + opts.name +
             "' left");
  Report report = new_report(opts);
  report.exit_signal = keeper_signal;
  report.leaks = std::move(verified.leaks);
  report.cleanup = verified.cleanup;
  report.incomplete_reason = "the keeper process died of " + signal_name(keeper_signal) +
                             ": the test's own exit status is unknown";
  report.containment = cgroup.valid() ? "cgroup" : "session";
  if (cgroup.valid()) {
    report.resources = cgroup.resources();
    (void)cgroup.remove();
  }
  if (!verified.incomplete_reason.empty()) report.incomplete_reason += "; " + verified.incomplete_reason;
  (void)publish(opts, prepared, report);
}

// --sweep: the whole cgroup2 hierarchy this process sees, from its mount's top.
int sweep_everywhere(const Options& opts) {
  const auto own = find_own_cgroup(ProcFs());
  if (own.dir.empty()) {
    say(0, "nothing to sweep: " + own.why_not);
    return 0;
  }
  // The mount's top: own.dir without own.path's part below it.
  std::string top = own.dir;
  if (own.path != "/" && top.size() >= own.path.size() &&
      top.compare(top.size() - own.path.size(), own.path.size(), own.path) == 0) {
    top.resize(top.size() - own.path.size());
  }
  const int killed = sweep_cgroups(top, true, opts.report_dir);
  return killed > 0 ? opts.leak_exit_code : 0;
}

}  // namespace
}  // namespace procleak::launcher

int main(int argc, char** argv, char** envp) {
  using namespace procleak::launcher;
  // Run again by the front after the keeper died of a signal
  // (front_and_keeper.hpp). Only then is this process a subreaper already
  // (the setting survives execve, and no new process inherits it): a
  // variable found in any other start is not ours, and ignored.
  int after_keeper_signal = 0;
  if (const char* v = ::getenv(kAfterKeeperVariable); v != nullptr) {
    int subreaper = 0;
    if (::prctl(PR_GET_CHILD_SUBREAPER, &subreaper, 0, 0, 0) == 0 && subreaper != 0) after_keeper_signal = std::atoi(v);
    if (after_keeper_signal < 1 || after_keeper_signal > 64) after_keeper_signal = 0;
    ::unsetenv(kAfterKeeperVariable);
  }
  const auto parsed = parse_options(std::vector<std::string>(argv + 1, argv + argc), ::getenv);
  switch (parsed.outcome) {
    case ParseOutcome::help: std::fputs(help_text().c_str(), stdout); return 0;
    case ParseOutcome::version: std::printf("procleak-run %s\n", procleak::kVersion); return 0;
    case ParseOutcome::error: return say(kUsageError, parsed.error);
    case ParseOutcome::sweep: return sweep_everywhere(parsed.options);
    case ParseOutcome::run: break;
  }
  const Options& opts = parsed.options;
  if (opts.mode == procleak::Mode::off || lists_tests_only(opts.command)) return exec_unchecked(opts.command);

  // A /proc of another PID namespace names other processes by our PIDs: a
  // check there would report "clean" for anything.
  if (std::string why; procleak::check_proc_is_ours(procleak::ProcFs(), why)) return say(kUsageError, why);
  Prepared prepared;
  if (!opts.suppressions.empty()) {
    std::string error;
    auto loaded = procleak::Suppressions::load(opts.suppressions, error);
    if (!loaded) return say(kUsageError, "--suppressions " + error);
    prepared.suppressions = std::move(*loaded);
  }
  // Where the reports go is checked before the test runs: a report that
  // cannot be written is exit 125 before the test has any effect.
  if (!opts.report_dir.empty()) {
    if (auto ec = procleak::make_directories(opts.report_dir)) {
      return say(kUsageError, "--report-dir " + opts.report_dir + ": " + ec.message());
    }
    if (auto why = check_writable_folder(opts.report_dir); !why.empty()) return say(kUsageError, "--report-dir " + why);
  }
  if (!opts.report_file.empty()) {
    std::string why;
    prepared.report = resolve_report_target(opts.report_file, why);
    if (!why.empty()) return say(kUsageError, "--report " + why);
  }
  if (after_keeper_signal > 0) {
    clean_up_after_keeper(opts, prepared, after_keeper_signal);
    std::fflush(nullptr);
    die_of_signal(after_keeper_signal);
  }
  prepared.inherited = take_over_inherited_state();
  keep_command_line(argv, envp);
  const auto ec = run_as_front_and_keeper(
      [&](const Keeper& keeper) { return run_checked(opts, prepared, keeper); },
      [&](int keeper_signal) { clean_up_after_keeper(opts, prepared, keeper_signal); });
  return say(kUsageError, "cannot start the keeper process: " + ec.message());
}
