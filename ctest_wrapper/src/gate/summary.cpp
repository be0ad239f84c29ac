#include "summary.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "procleak/report_text.hpp"

namespace procleak::gate {
namespace {

std::string plural(int n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string_view label(const JudgedReport& r) {
  if (r.incomplete) return "INCOMPLETE";
  if (r.fresh > 0) return "LEAKED";
  if (r.known > 0) return "known";
  return "suppressed";
}

}  // namespace

std::string format_summary(const ReportCollection& input, const Judgement& j) {
  std::string out = fmt::format("procleak-report: {} checked ({}): {} clean, {} leaked",
                                plural(j.tests, "test", "tests"),
                                plural(static_cast<int>(j.reports.size()), "report", "reports"), j.clean, j.failing);
  if (j.incomplete > 0) out += fmt::format(" ({} incomplete)", j.incomplete);
  if (j.known_only > 0) out += fmt::format(", {} leaked only what the baseline lists", j.known_only);
  if (j.suppressed_only > 0) out += fmt::format(", {} suppressed", j.suppressed_only);
  if (!input.problems.empty()) {
    out += fmt::format(", {} not read or written", plural(static_cast<int>(input.problems.size()), "file", "files"));
  }
  out += '\n';

  if (!j.leaks_by_kind.empty()) {
    out += "leaked processes by kind:";
    for (const auto& [kind, n] : j.leaks_by_kind) out += fmt::format(" {} {},", kind, n);
    out.back() = '\n';
    out += "most leaked commands (processes):\n";
    for (const auto& [command, n] : j.top_commands) out += fmt::format("  {:>5}  {}\n", n, command);
    if (!j.top_spawn_sites.empty()) out += "most leaking spawn sites (the line that started them):\n";
    for (const auto& [site, n] : j.top_spawn_sites) out += fmt::format("  {:>5}  {}\n", n, site);
  }

  // Where tests ran in cgroups of their own: the CPU time of each test's
  // whole tree (every process it started, escaped or not), most first.
  std::vector<std::pair<std::uint64_t, const Report*>> by_cpu;
  for (const auto& loaded : input.reports) {
    if (loaded.report.resources && loaded.report.resources->cpu_usec) {
      by_cpu.emplace_back(*loaded.report.resources->cpu_usec, &loaded.report);
    }
  }
  if (!by_cpu.empty()) {
    std::stable_sort(by_cpu.begin(), by_cpu.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    if (by_cpu.size() > 5) by_cpu.resize(5);
    out += "most CPU time (each test's whole tree, from its cgroup):\n";
    for (const auto& [usec, report] : by_cpu) {
      std::string peaks;
      if (const auto bytes = report->resources->memory_peak_bytes) {
        peaks += fmt::format(", memory peak {:.1f} MiB", static_cast<double>(*bytes) / 1048576.0);
      }
      if (report->resources->pids_peak) peaks += fmt::format(", {} processes at most", *report->resources->pids_peak);
      out += fmt::format("  {:>9.3f} s  {}{}\n", static_cast<double>(usec) / 1e6, printable(report->test), peaks);
    }
  }

  bool heading = false;
  for (const auto& r : j.reports) {
    if (r.leaks.empty() && !r.incomplete) continue;
    if (!heading) out += "tests that leaked:\n";
    heading = true;
    const auto& report = r.loaded->report;
    const auto program = program_of(report);
    out += fmt::format("  {:<10} {}  ({}, {}{})\n", label(r), printable(report.test), printable(report.source),
                       program.empty() ? "" : printable(program) + ", ", printable(r.loaded->path));
    if (r.incomplete) out += fmt::format("             check incomplete: {}\n", printable(report.incomplete_reason));
    for (std::size_t i = 0; i < report.leaks.size(); ++i) {
      auto lines = format_leak(report.leaks[i], "           ");
      if (r.leaks[i] == LeakStatus::known) lines.replace(0, 11, "    known  ");
      out += lines;
    }
  }
  for (const auto& path : input.ignored) out += fmt::format("ignored (not a procleak report): {}\n", printable(path));

  if (!input.problems.empty()) {
    // Each is named once, on stderr (format_problem).
    out += fmt::format("procleak-report: FAIL: {} could not be read or written (named on stderr; exit 2)\n",
                       plural(static_cast<int>(input.problems.size()), "file", "files"));
  } else if (j.failing > 0) {
    out += fmt::format("procleak-report: FAIL: {} leaked processes{}{} (exit 1)\n", plural(j.failing, "test", "tests"),
                       j.with_baseline ? " the baseline does not list" : "",
                       j.incomplete > 0 ? fmt::format(" or could not be checked whole ({})", j.incomplete) : "");
  } else {
    out += "procleak-report: PASS\n";
  }
  return out;
}

std::string format_problem(const InputProblem& p) {
  return fmt::format("procleak-report: {}: {}\n", printable(p.path), printable(p.message));
}

}  // namespace procleak::gate
