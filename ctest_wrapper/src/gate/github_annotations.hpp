// GitHub Actions workflow commands: an ::error per test run that leaked
// something new, a ::warning per run that leaked only known processes, an
// ::error per unreadable input. Printed on stdout, where the runner reads them.
#pragma once

#include <string>

#include "judgement.hpp"

namespace procleak::gate {

[[nodiscard]] std::string format_github_annotations(const ReportCollection& input, const Judgement& j);

// Untrusted text (the summary, made of report strings) printed where the
// runner reads workflow commands: between ::stop-commands::TOKEN and
// ::TOKEN::, so no line of it is taken as a command, whatever it holds. The
// token must be unguessable (random_token()), or a report could end the
// pause itself.
[[nodiscard]] std::string without_workflow_commands(std::string_view untrusted, std::string_view token);
// 32 hex digits from getrandom(2).
[[nodiscard]] std::string random_token();

// Escaping of workflow-command data (%, CR, LF) and properties (also : and ,),
// as GitHub documents it. Report strings are made printable() before.
[[nodiscard]] std::string escape_annotation_data(std::string_view text);
[[nodiscard]] std::string escape_annotation_property(std::string_view text);

}  // namespace procleak::gate
