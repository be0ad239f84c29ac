#include "launcher_options.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <string_view>

#include "procleak/version.hpp"

namespace procleak::launcher {
namespace {

std::optional<Containment> parse_containment(std::string_view v) {
  if (v == "auto") return Containment::automatic;
  if (v == "cgroup") return Containment::cgroup;
  if (v == "session") return Containment::session;
  return std::nullopt;
}

ParseResult fail(std::string message) {
  ParseResult r;
  r.outcome = ParseOutcome::error;
  r.error = std::move(message);
  return r;
}

}  // namespace

ParseResult parse_options(const std::vector<std::string>& args, const EnvLookup& env_lookup) {
  ParseResult result;
  Options& o = result.options;

  if (auto err = read_settings_from_env(env_lookup, o); !err.empty()) return fail(std::move(err));
  if (const char* v = env_lookup("PROCLEAK_CTEST_MEASUREMENTS"); v != nullptr && *v != '\0') {
    const std::string_view value = v;
    if (value != "0" && value != "1") return fail("PROCLEAK_CTEST_MEASUREMENTS: expected 0 or 1, got '" + std::string(value) + "'");
    o.ctest_measurements = value == "1";
  }
  if (const char* v = env_lookup("PROCLEAK_CONTAINMENT"); v != nullptr && *v != '\0') {
    const auto c = parse_containment(v);
    if (!c) return fail("PROCLEAK_CONTAINMENT: expected auto, cgroup or session, got '" + std::string(v) + "'");
    o.containment = *c;
  }
  bool sweep = false;

  std::size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg.size() < 2 || arg.front() != '-') break;  // the command starts here
    if (arg == "--help" || arg == "-h") {
      result.outcome = ParseOutcome::help;
      return result;
    }
    if (arg == "--version") {
      result.outcome = ParseOutcome::version;
      return result;
    }
    if (arg == "--probe-parent-kill") {
      o.probe_parent_kill = true;
      continue;
    }
    if (arg == "--ctest-measurements") {
      o.ctest_measurements = true;
      continue;
    }
    if (arg == "--ctest") {
      o.ctest = true;
      continue;
    }
    if (arg == "--meson") {
      o.meson = true;
      continue;
    }
    if (arg == "--sweep") {
      sweep = true;
      continue;
    }
    // --flag VALUE or --flag=VALUE
    const auto eq = arg.find('=');
    const std::string_view flag = arg.substr(0, eq);
    const bool own_flag = flag == "--report" || flag == "--name" || flag == "--containment";
    if (!own_flag && !is_setting_flag(flag)) {
      return fail("unknown option '" + std::string(flag) + "' (see --help)");
    }
    std::string_view value;
    if (eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return fail(std::string(flag) + ": missing value");
    }
    if (flag == "--containment") {
      const auto c = parse_containment(value);
      if (!c) return fail("--containment: expected auto, cgroup or session, got '" + std::string(value) + "'");
      o.containment = *c;
    } else if (own_flag) {
      if (value.empty()) return fail(std::string(flag) + ": value must not be empty");
      (flag == "--report" ? o.report_file : o.name) = value;
    } else if (auto err = *apply_setting_flag(flag, value, o); !err.empty()) {
      return fail(std::move(err));
    }
  }

  o.command.assign(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
  if (sweep) {
    if (!o.command.empty()) return fail("--sweep takes no command");
    result.outcome = ParseOutcome::sweep;
    return result;
  }
  if (o.command.empty()) return fail("no command given (usage: procleak-run [OPTIONS] [--] COMMAND [ARG...])");
  if (o.name.empty()) o.name = default_test_name(o.command);
  return result;
}

namespace {

// An argument as a POSIX shell reads it back: as is when it holds only
// characters no shell treats specially, else in single quotes.
std::string shell_quoted(const std::string& arg) {
  const bool plain = !arg.empty() && std::all_of(arg.begin(), arg.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || std::string_view("_-./=:,+@%^").find(c) != std::string_view::npos ||
           static_cast<unsigned char>(c) >= 0x80;
  });
  if (plain) return arg;
  std::string out = "'";
  for (const char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string default_test_name(const std::vector<std::string>& command) {
  // The one test a discovered test runs: GoogleTest's filter, doctest's test
  // case (doctest_discover_tests), Boost.Test's test unit.
  for (const std::string_view selector : {"--gtest_filter=", "--test-case=", "--run_test="}) {
    for (std::size_t i = 1; i < command.size(); ++i) {
      if (command[i].starts_with(selector) && command[i].size() > selector.size()) {
        return command[i].substr(selector.size());
      }
    }
  }
  const auto& path = command.front();
  const auto slash = path.find_last_of('/');
  const auto base = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string name = shell_quoted(base.empty() ? path : base);
  for (std::size_t i = 1; i < command.size(); ++i) name += ' ' + shell_quoted(command[i]);
  constexpr std::size_t kMaxName = 200;
  constexpr std::size_t kCut = 180;
  if (name.size() <= kMaxName) return name;
  // FNV-1a over the whole command, argument boundaries included.
  std::uint32_t hash = 2166136261u;
  for (const auto& arg : command) {
    for (const char c : arg + '\0') hash = (hash ^ static_cast<unsigned char>(c)) * 16777619u;
  }
  std::size_t cut = kCut;
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "... #%08x", hash);
  return name.substr(0, cut) + suffix;
}

bool lists_tests_only(const std::vector<std::string>& command) {
  // What each framework's CTest discovery runs (GoogleTest's
  // gtest_discover_tests, Catch2's catch_discover_tests v2 and v3,
  // doctest_discover_tests), and Boost.Test's listing, in their long forms.
  constexpr std::string_view kGTestList = "--gtest_list_tests";
  constexpr std::string_view kListings[] = {
      "--list-test-names-only", "--list-tests", "--list-tags", "--list-reporters", "--list-listeners",  // Catch2
      "--list-test-cases", "--list-test-suites", "--dt-list-test-cases", "--dt-list-test-suites",
      "--dt-list-reporters",              // doctest (--list-reporters above)
      "--list_content", "--list_labels",  // Boost.Test
  };
  for (std::size_t i = 1; i < command.size(); ++i) {
    const std::string_view arg = command[i];
    if (arg == "--") return false;  // what follows is the program's own operands
    if (arg == kGTestList) return true;
    if (arg.starts_with(kGTestList) && arg.size() > kGTestList.size() && arg[kGTestList.size()] == '=') {
      const auto value = arg.substr(kGTestList.size() + 1);
      return value != "0" && value != "f" && value != "F" && value != "false" && value != "False";
    }
    for (const auto listing : kListings) {
      if (arg == listing) return true;
      // --list_content=HRF, --list-test-cases=true; not doctest's =false or =0
      if (arg.starts_with(listing) && arg.size() > listing.size() && arg[listing.size()] == '=') {
        const auto value = arg.substr(listing.size() + 1);
        return value != "0" && value != "false" && value != "no" && value != "off";
      }
    }
  }
  return false;
}

std::string ctest_measurements(const Report& report) {
  int unsuppressed = 0;
  for (const auto& leak : report.leaks) unsuppressed += leak.suppressed_by ? 0 : 1;
  const auto line = [](std::string_view type, std::string_view name, const std::string& value) {
    return "<CTestMeasurement type=\"" + std::string(type) + "\" name=\"" + std::string(name) + "\">" + value +
           "</CTestMeasurement>\n";
  };
  return line("numeric/double", "procleak.leaks", std::to_string(unsuppressed)) +
         line("numeric/double", "procleak.suppressed", std::to_string(report.leaks.size() - unsuppressed)) +
         line("text/string", "procleak.verdict", std::string(to_string(verdict_of(report))));
}

std::string help_text() {
  return std::string("procleak-run ") + kVersion + R"( - run a test, then fail it if it leaked processes

Usage: procleak-run [OPTIONS] [--] COMMAND [ARG...]
       procleak-run --sweep

Runs COMMAND in a new session as a child of procleak-run, which is the
subreaper of everything it starts, and in a cgroup of its own where one can
be made. When COMMAND exits, every process it left behind is reported (PID,
command, kind, cause) and killed.

Options (a flag wins over its variable):
  --mode fail|warn|off     PROCLEAK_MODE      what a leak does (default fail)
                           fail: exit with the leak exit code when the test passed
                           warn: report only; off: just run COMMAND
  --grace DURATION         PROCLEAK_GRACE     SIGTERM to SIGKILL (default 2s)
  --settle DURATION        PROCLEAK_SETTLE    wait for exiting processes (default 100ms)
  --timeout DURATION       PROCLEAK_TIMEOUT   stop the test after this (exit 124)
  --report FILE                               write the JSON report to FILE
  --report-dir DIR         PROCLEAK_REPORT_DIR  one uniquely named JSON report per run
  --name NAME                                 the test's name in reports
                                              (default: the value of --gtest_filter=,
                                              --test-case= or --run_test=, else
                                              the command, its base name first)
  --suppressions FILE      PROCLEAK_SUPPRESSIONS  rules for leaks that do not fail
  --probe-parent-kill      PROCLEAK_PROBE_PARENT_KILL=1  kill leaked parents first
                                              and report children that survive
  --leak-exit-code N       PROCLEAK_LEAK_EXIT_CODE  exit status for a leak (default 3)
  --lineage on|off         PROCLEAK_LINEAGE   each leak's ancestors from the kernel's
                                              process events (default on)
  --containment auto|cgroup|session  PROCLEAK_CONTAINMENT  where the test runs:
                           cgroup: a cgroup v2 of its own below procleak-run's
                           (frozen, then killed whole with cgroup.kill; 125 where
                           none can be made); session: its own session under
                           procleak-run's subreaper; auto (default): cgroup where
                           one can be made, else session (the report says why)
  --sweep                  kill and report what the cgroups of killed procleak-run
                           processes hold (their two processes confirmed gone),
                           anywhere in the cgroup2 hierarchy; run it as a CI
                           post-step. Every start also sweeps the cgroups beside
                           its own. Exit 0: nothing held; the leak exit code: it
                           killed something (a "sweep" report in the test's folder)
  --ctest-measurements     PROCLEAK_CTEST_MEASUREMENTS=1  print the leak counts as
                                              <CTestMeasurement> lines on stdout
  --ctest                  run as a CTest test (procleak-ctest and the CMake module
                           set it): a leak or an incomplete check ends procleak-run
                           with SIGUSR1, which CTest fails whatever WILL_FAIL, the
                           regular expressions or SKIP_RETURN_CODE say; a clean test's
                           output and result are untouched (the measurement lines
                           come only with a failed check); after --timeout, wait
                           (at most 60s) for CTest's own TIMEOUT, so CTest says Timeout
  --meson                  run as a Meson test (meson test --wrapper, or an
                           add_test_setup exe_wrapper): a leak or an incomplete check
                           ends procleak-run with 99, Meson's hard error, which fails
                           the test whatever should_fail says; a clean test's result
                           is untouched
  --help, --version

DURATION is a number with a unit: 250ms, 2s, 1.5s, 1m.

A COMMAND that only lists tests (--gtest_list_tests, Catch2's --list-tests or
--list-test-names-only, doctest's --list-test-cases, Boost.Test's
--list_content, as test discovery runs
it) is executed directly: nothing to check, nothing printed.

Exit status: the test's own (killed by a signal: procleak-run dies of the same
signal); the leak exit code when the test passed but leaked, or when the check
was incomplete (a process it could not read or kill; mode fail); with --ctest,
a leak or an incomplete check: death by SIGUSR1; with --meson: 99; 124 on
--timeout; 125 procleak-run could not work (bad usage, cannot set up); 126
COMMAND not executable; 127 COMMAND not found.

Examples:
  procleak-run -- sh -c 'sleep 300 & exit 0'

  procleak-run --report-dir leak-reports --timeout 5m -- build/tests/unit_tests
)";
}

}  // namespace procleak::launcher
