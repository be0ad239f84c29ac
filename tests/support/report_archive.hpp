// Every report the integration tests read, also kept for the schema check:
// with PROCLEAK_TEST_REPORT_ARCHIVE set (tests/CMakeLists.txt sets it for
// every integration suite), each report read through read_report is copied
// there, and the report_schema test validates them all against
// docs/procleak.report.schema.json once the suites have run.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace procleak_test {

// Keeps text (a report as written) in the archive, if there is one.
inline void archive_report(const std::string& text) {
  const char* dir = std::getenv("PROCLEAK_TEST_REPORT_ARCHIVE");
  if (dir == nullptr || *dir == '\0') return;
  // A unique name (mkstemps): the suites run at once, some in PID
  // namespaces of their own, where PIDs repeat.
  std::string path = std::string(dir) + "/report-XXXXXX.json";
  const int fd = ::mkstemps(path.data(), 5);
  if (fd < 0) return;
  ::close(fd);
  std::ofstream(path) << text;
}

// The report at path, parsed (null when there is none), and archived.
inline nlohmann::json read_report(const std::string& path) {
  std::ifstream in(path);
  if (!in) return nlohmann::json();
  std::stringstream ss;
  ss << in.rdbuf();
  archive_report(ss.str());
  return nlohmann::json::parse(ss.str());
}

}  // namespace procleak_test
