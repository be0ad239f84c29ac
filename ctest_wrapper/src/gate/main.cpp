// procleak-report: the CI gate over the JSON reports of procleak-run and the
// GoogleTest listener. Exit 0: no new leak; 1: a test leaked what the baseline
// does not list; 2: unreadable input or bad usage (named on stderr).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "baseline.hpp"
#include "github_annotations.hpp"
#include "judgement.hpp"
#include "junit.hpp"
#include "procleak/report_json.hpp"
#include "procleak/version.hpp"
#include "report_collection.hpp"
#include "summary.hpp"

namespace {

constexpr int kBadInput = 2;

bool github_actions_env() {
  const char* v = std::getenv("GITHUB_ACTIONS");
  return v != nullptr && std::string_view(v) == "true";
}

bool write_output(const std::string& flag, const std::string& path, const std::string& content) {
  if (const auto ec = procleak::write_file_atomically(path, content)) {
    std::cerr << "procleak-report: " << flag << ' ' << path << ": cannot write: " << ec.message() << '\n';
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"procleak-report - the CI gate over procleak's leak reports (procleak-run's and the\n"
               "listeners': GoogleTest, Catch2, doctest, Boost.Test).\n"
               "Exit 0: no test leaked (or only what the baseline lists); 1: a test leaked a process\n"
               "the baseline does not list; 2: unreadable input or bad usage.",
               "procleak-report"};
  app.footer(
      "Examples:\n"
      "  procleak-report leak-reports --junit procleak-junit.xml\n"
      "\n"
      "  procleak-report build/procleak-reports --baseline .procleak-baseline.json --github\n");
  std::vector<std::string> paths;
  std::string junit;
  std::string baseline_path;
  std::string write_baseline;
  bool github = false;
  app.add_option("DIR", paths, "folders of reports (searched recursively for *.json), or report files")
      ->required()
      ->type_name("DIR");
  app.add_option("--junit", junit, "write JUnit XML: one testcase per report, a failure per new leak")
      ->type_name("FILE");
  app.add_flag("--github", github, "print GitHub Actions ::error annotations (on when GITHUB_ACTIONS=true)");
  app.add_option("--baseline", baseline_path, "leaks listed in FILE (the same test, program and process name) do not fail the gate")
      ->type_name("FILE");
  app.add_option("--write-baseline", write_baseline,
                 "write every current unsuppressed leak to FILE as the baseline, then pass")
      ->type_name("FILE");
  app.set_version_flag("--version", std::string("procleak-report ") + procleak::kVersion);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForVersion&) {
    std::cout << "procleak-report " << procleak::kVersion << '\n';
    return 0;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    std::cerr << "procleak-report: " << e.what() << " (see --help)\n";
    return kBadInput;
  }

  auto input = procleak::gate::collect_reports(paths);
  std::optional<procleak::gate::Baseline> baseline;
  if (!write_baseline.empty()) {
    baseline = procleak::gate::Baseline::of(input.reports);
    if (!write_output("--write-baseline", write_baseline, baseline->to_json())) return kBadInput;
  } else if (!baseline_path.empty()) {
    std::string error;
    baseline = procleak::gate::Baseline::load(baseline_path, error);
    if (!baseline) input.problems.push_back({baseline_path, error});
  }

  const auto judgement = procleak::gate::judge(input, baseline ? &*baseline : nullptr);
  // The JUnit file before the summary, whose last line says how the gate
  // ends: a file that cannot be written is exit 2, and the summary says so.
  if (!junit.empty()) {
    if (const auto ec = procleak::write_file_atomically(junit, procleak::gate::format_junit(input, judgement))) {
      input.problems.push_back({junit, "--junit: cannot write: " + ec.message()});
    }
  }
  for (const auto& p : input.problems) std::cerr << procleak::gate::format_problem(p);
  std::cerr.flush();
  const auto summary = procleak::gate::format_summary(input, judgement);
  if (github || github_actions_env()) {
    // The summary holds report strings: no line of it may act as a workflow command.
    std::cout << procleak::gate::without_workflow_commands(summary, procleak::gate::random_token())
              << procleak::gate::format_github_annotations(input, judgement);
  } else {
    std::cout << summary;
  }
  std::cout.flush();
  if (!write_baseline.empty()) {
    std::cout << "procleak-report: wrote " << baseline->size() << " known leak(s) to " << write_baseline << '\n';
  }
  return procleak::gate::gate_exit_code(input, judgement);
}
