// The human report: a few lines on stderr naming every leak and its cause.
#pragma once

#include <string>

#include "procleak/report.hpp"

namespace procleak {

// The cause in plain words: "parent exited", "left the session via setsid",
// "never reaped by PID 123 (helper)", "parent PID 7 (sh) is still running".
[[nodiscard]] std::string describe_cause(const Leak& leak);

// The command line for people: argv joined by spaces, or "[comm]" when the
// process has no argv (zombies, kernel threads), made printable().
[[nodiscard]] std::string display_command(const Leak& leak);

// "orphan,escaped": the kinds in report order.
[[nodiscard]] std::string kinds_text(const Kinds& kinds);
// Text from a process or a report, made safe to print: every string a
// report holds is untrusted (a process names itself; a report file may be
// forged). Control characters (C0, DEL, C1), the Unicode line separators and
// bidi controls, and bytes that are not UTF-8 are shown escaped (\x1b,
// \u202e), so a hostile name can neither forge report lines nor disguise
// them, and the result is valid UTF-8 that XML can hold. keep_newlines keeps
// '\n' and '\t' (multi-line text procleak composed itself).
[[nodiscard]] std::string escape_untrusted(std::string_view text, bool keep_newlines);
// escape_untrusted on one line of text: nothing in it can end the line.
[[nodiscard]] std::string printable(std::string_view text);
// Where the leak came from, one line: its ancestors oldest first, each with
// its command (capped at 60 bytes), PID and how it ended. Empty without
// lineage.
[[nodiscard]] std::string describe_lineage(const Leak& leak);
// Where the leak was started, one line: the program's own frame that made
// the call ("TestBody() (math_test.cpp:42)") and up to two callers. Empty
// without spawned_at.
[[nodiscard]] std::string describe_spawn_site(const Leak& leak);
// The line of code to fix: the innermost frame of the program's own code
// (not of a library under /usr), "function (file:line)"; empty without
// spawned_at. The gate groups leaks by it.
[[nodiscard]] std::string spawn_site(const Leak& leak);
// One leak in two lines, each starting with indent: PID, kinds and command;
// then the cause and what cleanup did; with_lineage, "from: ..."
// (describe_lineage) and "spawned at: ..." (describe_spawn_site) when known.
[[nodiscard]] std::string format_leak(const Leak& leak, std::string_view indent = "  ", bool with_lineage = true);
// Empty when the report has no leaks. A leak whose parent leaked too is
// drawn under it.
[[nodiscard]] std::string format_text(const Report& report);

}  // namespace procleak
