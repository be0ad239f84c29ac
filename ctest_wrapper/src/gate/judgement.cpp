#include "judgement.hpp"

#include <algorithm>
#include <set>

#include "procleak/report_text.hpp"

namespace procleak::gate {

std::string program_of(const Report& report) {
  if (report.command.empty()) return {};
  const auto& first = report.command.front();
  const auto slash = first.find_last_of('/');
  return slash == std::string::npos ? first : first.substr(slash + 1);
}

TestIdentity identity_of(const Report& report) { return {program_of(report), report.test}; }

Judgement judge(const ReportCollection& input, const Baseline* baseline) {
  Judgement j;
  j.with_baseline = baseline != nullptr;
  std::map<std::string, int> commands;
  std::map<std::string, int> sites;  // by spawn site: the line of code to fix
  std::map<TestIdentity, int> worst_by_test;
  std::set<TestIdentity> incomplete_tests;
  std::vector<int> levels;  // per report, as below
  for (const auto& loaded : input.reports) {
    JudgedReport jr;
    jr.loaded = &loaded;
    jr.incomplete = !loaded.report.incomplete_reason.empty();
    auto identity = identity_of(loaded.report);
    if (jr.incomplete) incomplete_tests.insert(identity);
    for (const auto& leak : loaded.report.leaks) {
      LeakStatus status = LeakStatus::fresh;
      if (leak.suppressed_by) {
        status = LeakStatus::suppressed;
        ++jr.suppressed;
      } else if (baseline != nullptr && baseline->knows(identity, leak.comm)) {
        status = LeakStatus::known;
        ++jr.known;
      } else {
        ++jr.fresh;
      }
      jr.leaks.push_back(status);
      if (status == LeakStatus::suppressed) continue;
      for (const auto name : leak.kinds.names()) ++j.leaks_by_kind[std::string(name)];
      auto command = display_command(leak);
      if (command.size() > 60) command = command.substr(0, 57) + "...";
      ++commands[command];
      if (auto site = spawn_site(leak); !site.empty()) ++sites[std::move(site)];
    }
    // 0 clean < 1 suppressed < 2 known < 3 failing
    const int worst = jr.fails() ? 3 : jr.known > 0 ? 2 : jr.suppressed > 0 ? 1 : 0;
    levels.push_back(worst);
    auto [it, added] = worst_by_test.try_emplace(identity, worst);
    if (!added) it->second = std::max(it->second, worst);
    if (jr.fails()) ++j.failing_reports;
    j.reports.push_back(std::move(jr));
  }
  std::set<TestIdentity> spoken_for;
  for (std::size_t i = 0; i < j.reports.size(); ++i) {
    auto identity = identity_of(j.reports[i].loaded->report);
    if (levels[i] == worst_by_test.at(identity) && spoken_for.insert(std::move(identity)).second) {
      j.reports[i].worst_of_test = true;
    }
  }
  j.tests = static_cast<int>(worst_by_test.size());
  for (const auto& [test, worst] : worst_by_test) {
    switch (worst) {
      case 0: ++j.clean; break;
      case 1: ++j.suppressed_only; break;
      case 2: ++j.known_only; break;
      default:
        ++j.failing;
        if (incomplete_tests.contains(test)) ++j.incomplete;
        break;
    }
  }
  const auto most_first = [](auto& list, const auto& counts) {
    list.assign(counts.begin(), counts.end());
    std::stable_sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    if (list.size() > 5) list.resize(5);
  };
  most_first(j.top_commands, commands);
  most_first(j.top_spawn_sites, sites);
  return j;
}

int gate_exit_code(const ReportCollection& input, const Judgement& j) noexcept {
  if (!input.problems.empty()) return 2;
  return j.failing > 0 ? 1 : 0;
}

}  // namespace procleak::gate
