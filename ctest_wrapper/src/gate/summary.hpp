// The gate's summary for people: counts, kinds, top commands, each leaking test.
#pragma once

#include <string>

#include "judgement.hpp"

namespace procleak::gate {

// Every string from a report or a file name is untrusted and printed through
// printable(): no line of the summary can end early or start with text a
// report chose.
[[nodiscard]] std::string format_summary(const ReportCollection& input, const Judgement& j);

// One line for stderr naming an unreadable input and what is wrong with it.
[[nodiscard]] std::string format_problem(const InputProblem& problem);

}  // namespace procleak::gate
