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

// "orphan,escaped": the kinds in report order.
[[nodiscard]] std::string kinds_text(const Kinds& kinds);
// Control characters shown as '?', so a hostile name cannot forge report lines.
[[nodiscard]] std::string printable(std::string_view text);
// One leak in two lines, each starting with indent: PID, kinds and command;
// then the cause and what cleanup did.
[[nodiscard]] std::string format_leak(const Leak& leak, std::string_view indent = "  ");
// Empty when the report has no leaks.
[[nodiscard]] std::string format_text(const Report& report);

}  // namespace procleak
