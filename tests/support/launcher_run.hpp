// Running procleak-run with a report in the test's scratch folder, for the
// integration suites that drive the launcher.
#pragma once

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "process_test.hpp"
#include "run_command.hpp"
#include "report_archive.hpp"

namespace procleak_test {

class LauncherRun : public ProcessTest {
 protected:
  explicit LauncherRun(std::string launcher) : launcher_(std::move(launcher)) {}

  std::string report_path() const { return dir_ + "/report.json"; }

  // procleak-run --report <scratch>/report.json [flags] -- command...
  RunResult run(std::vector<std::string> command, std::vector<std::string> flags = {},
                const RunOptions& options = {}) {
    std::vector<std::string> argv{launcher_, "--report", report_path()};
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.emplace_back("--");
    argv.insert(argv.end(), command.begin(), command.end());
    return run_command(argv, options);
  }

  // A JSON file, or null when it does not exist.
  static nlohmann::json read_json(const std::string& path) {
    return read_report(path);
  }
  nlohmann::json report() const { return read_json(report_path()); }

 private:
  std::string launcher_;
};

}  // namespace procleak_test
