#include "github_annotations.hpp"

#include <fmt/format.h>
#include <sys/random.h>

#include <array>
#include <cerrno>
#include <chrono>

#include "procleak/report_text.hpp"

namespace procleak::gate {

std::string without_workflow_commands(std::string_view untrusted, std::string_view token) {
  std::string out = fmt::format("::stop-commands::{}\n", token);
  out += untrusted;
  if (!out.empty() && out.back() != '\n') out.push_back('\n');
  out += fmt::format("::{}::\n", token);
  return out;
}

std::string random_token() {
  std::array<unsigned char, 16> bytes{};
  std::size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = ::getrandom(bytes.data() + got, bytes.size() - got, 0);
    if (n > 0) {
      got += static_cast<std::size_t>(n);
    } else if (n < 0 && errno != EINTR) {
      break;
    }
  }
  if (got < bytes.size()) {
    // No getrandom (seccomp): the clock is not secret, but still unknown to
    // whoever wrote the reports before this run.
    const auto t = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] ^= static_cast<unsigned char>(t >> (8 * (i % 8)));
  }
  std::string out;
  for (const unsigned char b : bytes) out += fmt::format("{:02x}", b);
  return out;
}

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
                       escape_annotation_data(printable(p.path) + ": " + printable(p.message)));
  }
  return out;
}

}  // namespace procleak::gate
