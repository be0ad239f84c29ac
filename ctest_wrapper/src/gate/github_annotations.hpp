// GitHub Actions workflow commands: an ::error per test run that leaked
// something new, a ::warning per run that leaked only known processes, an
// ::error per unreadable input. Printed on stdout, where the runner reads them.
#pragma once

#include <string>

#include "judgement.hpp"

namespace procleak::gate {

[[nodiscard]] std::string format_github_annotations(const ReportCollection& input, const Judgement& j);

// Escaping of workflow-command data (%, CR, LF) and properties (also : and ,).
[[nodiscard]] std::string escape_annotation_data(std::string_view text);
[[nodiscard]] std::string escape_annotation_property(std::string_view text);

}  // namespace procleak::gate
