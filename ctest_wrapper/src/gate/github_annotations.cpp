#include "github_annotations.hpp"

#include <fmt/format.h>

#include "procleak/report_text.hpp"

namespace procleak::gate {

std::string escape_annotation_data(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '%': out += "%25"; break;
      case '\r': out += "%0D"; break;
      case '\n': out += "%0A"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string escape_annotation_property(std::string_view text) {
  std::string out;
  for (const char c : escape_annotation_data(text)) {
    switch (c) {
      case ':': out += "%3A"; break;
      case ',': out += "%2C"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string format_github_annotations(const ReportCollection& input, const Judgement& j) {
  std::string out;
  for (const auto& r : j.reports) {
    if (r.fresh == 0 && r.known == 0 && !r.incomplete) continue;
    const auto& report = r.loaded->report;
    std::string details;
    if (r.incomplete) details = "check incomplete: " + printable(report.incomplete_reason) + "\n";
    for (const auto& leak : report.leaks) details += format_leak(leak, "");
    if (!details.empty() && details.back() == '\n') details.pop_back();
    const auto title = fmt::format("procleak: {} leaked {} process{}{}", printable(report.test),
                                   report.leaks.size(), report.leaks.size() == 1 ? "" : "es",
                                   r.fails() ? "" : " (known from the baseline)");
    out += fmt::format("::{} title={}::{}\n", r.fails() ? "error" : "warning", escape_annotation_property(title),
                       escape_annotation_data(details));
  }
  for (const auto& p : input.problems) {
    out += fmt::format("::error title={}::{}\n", escape_annotation_property("procleak-report: unreadable input"),
                       escape_annotation_data(p.path + ": " + p.message));
  }
  return out;
}

}  // namespace procleak::gate
