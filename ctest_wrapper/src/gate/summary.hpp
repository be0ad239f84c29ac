// The gate's summary for people: counts, kinds, top commands, each leaking test.
#pragma once

#include <string>

#include "judgement.hpp"

namespace procleak::gate {

[[nodiscard]] std::string format_summary(const ReportCollection& input, const Judgement& j);

}  // namespace procleak::gate
