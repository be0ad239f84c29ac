#include "judgement.hpp"

#include <algorithm>

#include "procleak/report_text.hpp"

namespace procleak::gate {

Judgement judge(const ReportCollection& input, const Baseline* baseline) {
  Judgement j;
  std::map<std::string, int> commands;
  for (const auto& loaded : input.reports) {
    JudgedReport jr;
    jr.loaded = &loaded;
    for (const auto& leak : loaded.report.leaks) {
      LeakStatus status = LeakStatus::fresh;
      if (leak.suppressed_by) {
        status = LeakStatus::suppressed;
        ++jr.suppressed;
      } else if (baseline != nullptr && baseline->knows(loaded.report.test, leak.comm)) {
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
    }
    if (jr.leaks.empty()) {
      ++j.clean;
    } else if (jr.fresh > 0) {
      ++j.failing;
    } else if (jr.known > 0) {
      ++j.known_only;
    } else {
      ++j.suppressed_only;
    }
    j.reports.push_back(std::move(jr));
  }
  j.top_commands.assign(commands.begin(), commands.end());
  std::stable_sort(j.top_commands.begin(), j.top_commands.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (j.top_commands.size() > 5) j.top_commands.resize(5);
  return j;
}

int gate_exit_code(const ReportCollection& input, const Judgement& j) noexcept {
  if (!input.problems.empty()) return 2;
  return j.failing > 0 ? 1 : 0;
}

}  // namespace procleak::gate
