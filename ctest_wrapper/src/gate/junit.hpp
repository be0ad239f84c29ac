// JUnit XML: one testcase per test report, a failure per run that leaked
// something new, an error per unreadable input. Read by GitLab, Jenkins,
// GitHub test-report actions and CTest's own consumers.
#pragma once

#include <string>

#include "judgement.hpp"

namespace procleak::gate {

[[nodiscard]] std::string format_junit(const ReportCollection& input, const Judgement& j);

// Text for an XML attribute or element: & < > " ' escaped; characters XML
// 1.0 cannot hold (control characters other than tab and newline) as '?'.
[[nodiscard]] std::string xml_escape(std::string_view text);

}  // namespace procleak::gate
