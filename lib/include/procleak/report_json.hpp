// The JSON report, schema procleak.report/1 (README: "The JSON report").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "procleak/report.hpp"

namespace procleak {

[[nodiscard]] std::string to_json(const Report& report);

// Reading a report back, as the CI gate does. Fields the schema marks as
// optional, and fields added later, may be missing or unknown.
struct ParsedReport {
  enum class Status : std::uint8_t {
    ok,
    not_json,      // not JSON at all, or cut short (a truncated file)
    not_a_report,  // JSON, but no "schema": "procleak.report/..."
    newer_schema,  // procleak.report/N with N newer than this build reads
    malformed,     // the right schema, a required field missing or wrong
  };
  Status status = Status::ok;
  Report report;      // filled when ok
  std::string error;  // one line saying what is wrong, when not ok
};
[[nodiscard]] ParsedReport parse_report(std::string_view text);

// Limits on JSON procleak reads (reports, baselines), which may be forged:
// parsing is bounded in memory (about 20 bytes per input byte) and depth.
// A report of N leaks takes about 400 N bytes, 4 levels.
inline constexpr std::size_t kMaxJsonBytes = 16u << 20;
inline constexpr int kMaxJsonDepth = 32;
// Empty when text is within both limits, else the one-line reason.
[[nodiscard]] std::string json_limits_problem(std::string_view text);

// Writes content to path atomically: a temporary file in the same folder,
// created exclusively and without following symlinks, then rename(2). A
// reader never sees a partial report.
std::error_code write_file_atomically(const std::string& path, const std::string& content);

// Writes the report into dir under a name no other run can take at the same
// time (test name, pid, nanosecond clock), creating dir when missing. The
// chosen path is returned in written_path.
std::error_code write_report_into_dir(const std::string& dir, const Report& report,
                                      std::string& written_path);

// Creates dir and its parents when missing (mkdir -p). EEXIST is success,
// so concurrent launchers under ctest -j can race on it.
std::error_code make_directories(const std::string& dir);

}  // namespace procleak
