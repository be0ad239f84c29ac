#include "report_collection.hpp"

#include <algorithm>
#include <filesystem>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "procleak/report_json.hpp"

namespace procleak::gate {
namespace fs = std::filesystem;
namespace {

bool is_candidate(const fs::path& p) {
  const auto name = p.filename().string();
  return p.extension() == ".json" && !name.empty() && name.front() != '.';
}

void read_one(const fs::path& path, ReportCollection& out) {
  std::string text;
  if (const auto problem = read_bounded(path.string(), text); !problem.empty()) {
    out.problems.push_back({path.string(), problem});
    return;
  }
  if (text.empty()) {
    out.problems.push_back({path.string(), "empty file (a truncated or partly written report?)"});
    return;
  }
  auto parsed = parse_report(text);
  using Status = ParsedReport::Status;
  switch (parsed.status) {
    case Status::ok: out.reports.push_back({path.string(), std::move(parsed.report)}); break;
    case Status::not_a_report: out.ignored.push_back(path.string()); break;
    case Status::not_json:
    case Status::newer_schema:
    case Status::malformed: out.problems.push_back({path.string(), parsed.error}); break;
  }
}

}  // namespace

std::string read_bounded(const std::string& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::string("cannot be read: ") + std::strerror(errno);
  // In chunks, stopping one chunk past the limit: memory stays bounded
  // whatever the file's size, and a small report costs a small buffer.
  text.clear();
  char chunk[65536];
  while (text.size() <= kMaxJsonBytes && in.read(chunk, sizeof chunk).gcount() > 0) {
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) return std::string("cannot be read: ") + std::strerror(errno);
  if (text.size() > kMaxJsonBytes) {
    text.clear();
    return "larger than " + std::to_string(kMaxJsonBytes >> 20) + " MiB: not a file procleak wrote";
  }
  return {};
}

ReportCollection collect_reports(const std::vector<std::string>& paths) {
  ReportCollection out;
  for (const auto& given : paths) {
    std::error_code ec;
    const auto status = fs::status(given, ec);
    if (ec || !fs::exists(status)) {
      out.problems.push_back({given, "no such file or folder: no test wrote a report here (the tests did not run "
                                     "under procleak-run, or its --report-dir / PROCLEAK_REPORT_DIR named another "
                                     "folder; procleak-run creates the folder with its first report)"});
      continue;
    }
    if (!fs::is_directory(status)) {
      read_one(given, out);
      continue;
    }
    std::vector<fs::path> files;
    fs::recursive_directory_iterator it(given, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec) && is_candidate(it->path())) files.push_back(it->path());
    }
    if (ec) out.problems.push_back({given, "cannot be listed: " + ec.message()});
    std::sort(files.begin(), files.end());
    const auto before = out.reports.size() + out.problems.size();
    for (const auto& f : files) read_one(f, out);
    if (!ec && out.reports.size() + out.problems.size() == before) {
      out.problems.push_back({given, "no procleak reports in this folder (did the tests run under procleak-run "
                                     "--report-dir or with PROCLEAK_REPORT_DIR set?)"});
    }
  }
  std::sort(out.reports.begin(), out.reports.end(),
            [](const LoadedReport& a, const LoadedReport& b) { return a.path < b.path; });
  return out;
}

}  // namespace procleak::gate
