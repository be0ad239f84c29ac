// The human report: a few lines on stderr naming every leak and its cause.
#pragma once

#include <string>

#include "procleak/report.hpp"

namespace procleak {

// The cause in plain words: "parent exited", "left the session via setsid",
// "never reaped by PID 123 (helper)", "parent PID 7 (sh) is still running".
[[nodiscard]] std::string describe_cause(const Leak& leak);

// The command line for people: argv joined by spaces, or "[comm]" when the
// process has no argv (zombies, kernel threads). Control characters are shown
// as '?', so a hostile name cannot forge report lines.
[[nodiscard]] std::string display_command(const Leak& leak);

// Empty when the report has no leaks.
[[nodiscard]] std::string format_text(const Report& report);

}  // namespace procleak
