// Finding and reading the JSON reports under the folders given to the gate.
#pragma once

#include <string>
#include <vector>

#include "procleak/report.hpp"

namespace procleak::gate {

struct LoadedReport {
  std::string path;
  Report report;
};

// A file or folder the gate could not use; message is one line.
struct InputProblem {
  std::string path;
  std::string message;
};

struct ReportCollection {
  std::vector<LoadedReport> reports;   // sorted by path: the output does not depend on readdir order
  std::vector<InputProblem> problems;  // unreadable input: the gate exits 2
  std::vector<std::string> ignored;    // JSON files that are not procleak reports
};

// Every *.json under each path (recursively; a path may also be one report
// file). Hidden files are skipped: they are the writer's temporary files. A
// folder with no report at all is a problem, since a gate that reads nothing
// would pass a CI job whose tests never ran under procleak.
[[nodiscard]] ReportCollection collect_reports(const std::vector<std::string>& paths);

// Reads a report or baseline file whole into text, refusing more than
// kMaxJsonBytes without reading further. Empty on success, else the
// one-line reason.
[[nodiscard]] std::string read_bounded(const std::string& path, std::string& text);

}  // namespace procleak::gate
