// The gate's judgement: which tests leaked, which leaks are new, the exit code.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "baseline.hpp"
#include "report_collection.hpp"

namespace procleak::gate {

enum class LeakStatus : std::uint8_t { fresh, known, suppressed };

// The program a report's test ran: the base name of its command's first
// word ("unit_tests", "bash"), or empty for a report without a command.
[[nodiscard]] std::string program_of(const Report& report);

// What makes two reports the same test: its name and its program. Two
// binaries with a test of the same name (every listener's program scope is
// "*") are two tests; the listener's and the launcher's report of one
// GoogleTest test (same binary, same name) are one.
struct TestIdentity {
  std::string program;
  std::string test;
  auto operator<=>(const TestIdentity&) const = default;
};
[[nodiscard]] TestIdentity identity_of(const Report& report);

// One test report with the status of each of its leaks.
struct JudgedReport {
  const LoadedReport* loaded = nullptr;
  std::vector<LeakStatus> leaks;  // parallel to loaded->report.leaks
  int fresh = 0;
  int known = 0;
  int suppressed = 0;
  // procleak could not look everywhere or could not finish cleaning: fails,
  // and no baseline can excuse what nobody saw.
  bool incomplete = false;
  // The report that speaks for its test (its worst, the first of equals):
  // a test is one JUnit testcase, however many reports it has.
  bool worst_of_test = false;
  [[nodiscard]] bool fails() const noexcept { return fresh > 0 || incomplete; }
};

// Counts are per test (TestIdentity), over all its reports: a test run several times
// (--gtest_repeat, shards, reruns), or checked by both the listener in the
// binary and the launcher in front of it, counts once, by its worst report.
struct Judgement {
  std::vector<JudgedReport> reports;  // in the collection's order
  int tests = 0;                      // distinct tests (TestIdentity)
  int clean = 0;                      // tests without leaks
  int failing = 0;                    // tests with a leak the baseline does not know, or incomplete
  int incomplete = 0;                 // of those, tests with an incomplete report
  int known_only = 0;                 // tests whose unsuppressed leaks are all in the baseline
  int suppressed_only = 0;            // tests whose leaks were all suppressed
  int failing_reports = 0;            // reports with a leak the baseline does not know
  bool with_baseline = false;         // a baseline was given: "new" leaks are those it does not list
  std::map<std::string, int> leaks_by_kind;  // leaked processes (not tests) by kind
  std::vector<std::pair<std::string, int>> top_commands;  // most leaked first, at most 5
  // Leaks by where they were started (report_text.hpp: spawn_site), most
  // first, at most 5; only leaks that have a spawn site (the listener's).
  std::vector<std::pair<std::string, int>> top_spawn_sites;
};

// baseline may be null: every unsuppressed leak is then new.
[[nodiscard]] Judgement judge(const ReportCollection& input, const Baseline* baseline);

// 2 when some input could not be read (whatever else happened), 1 when a
// test leaked what the baseline does not list, else 0.
[[nodiscard]] int gate_exit_code(const ReportCollection& input, const Judgement& j) noexcept;

}  // namespace procleak::gate
