#include "junit.hpp"

#include <fmt/format.h>

#include "procleak/report_text.hpp"

namespace procleak::gate {

std::string xml_escape(std::string_view raw) {
  // Valid UTF-8 without the characters XML 1.0 cannot hold (escape_untrusted
  // shows them as \x01, \ufffe); then the five entities.
  const std::string text = escape_untrusted(raw, /*keep_newlines=*/true);
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string format_junit(const ReportCollection& input, const Judgement& j) {
  // One testcase per test, by its worst report (the summary's counting): a
  // GoogleTest test checked by the listener and by the launcher in front of
  // it, or run several times, is one test.
  const auto tests = static_cast<std::size_t>(j.tests) + input.problems.size();
  int skipped = 0;
  std::string cases;
  for (const auto& r : j.reports) {
    if (!r.worst_of_test) continue;
    const auto& report = r.loaded->report;
    // classname: the source and the program, so two programs' tests of one
    // name are two testcases a JUnit viewer keeps apart.
    const auto program = program_of(report);
    cases += fmt::format("    <testcase classname=\"procleak.{}{}\" name=\"{}\" time=\"{:.3f}\" file=\"{}\">\n",
                         xml_escape(report.source), program.empty() ? "" : "." + xml_escape(program),
                         xml_escape(report.test), report.duration_ms / 1000.0, xml_escape(r.loaded->path));
    std::string details;
    for (const auto& leak : report.leaks) details += format_leak(leak);
    if (r.incomplete) {
      cases += fmt::format("      <failure type=\"procleak.incomplete\" message=\"check incomplete: {}\">{}</failure>\n",
                           xml_escape(report.incomplete_reason), xml_escape(details));
    } else if (r.fails()) {
      cases += fmt::format("      <failure type=\"procleak.leak\" message=\"leaked {} process{} ({} new)\">{}</failure>\n",
                           report.leaks.size(), report.leaks.size() == 1 ? "" : "es", r.fresh,
                           xml_escape(details));
    } else if (r.known > 0) {
      ++skipped;
      cases += fmt::format("      <skipped message=\"leaks only what the baseline lists\"/>\n"
                           "      <system-out>{}</system-out>\n",
                           xml_escape(details));
    } else if (r.suppressed > 0) {
      cases += fmt::format("      <system-out>{}</system-out>\n", xml_escape(details));
    }
    cases += "    </testcase>\n";
  }
  for (const auto& p : input.problems) {
    cases += fmt::format("    <testcase classname=\"procleak.input\" name=\"{}\">\n"
                         "      <error type=\"procleak.unreadable\" message=\"{}\"/>\n"
                         "    </testcase>\n",
                         xml_escape(p.path), xml_escape(p.message));
  }
  const auto counts = fmt::format("tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\"", tests, j.failing,
                                  input.problems.size(), skipped);
  return fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<testsuites name=\"procleak\" {0}>\n"
                     "  <testsuite name=\"procleak\" {0}>\n{1}"
                     "  </testsuite>\n"
                     "</testsuites>\n",
                     counts, cases);
}

}  // namespace procleak::gate
