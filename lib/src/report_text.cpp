#include "procleak/report_text.hpp"

#include <fmt/format.h>

namespace procleak {
std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c);
  return out;
}

namespace {

std::string parent_name(const Leak& l) {
  if (!l.original_parent) return {};
  if (l.original_parent_comm.empty()) return fmt::format("PID {}", *l.original_parent);
  return fmt::format("PID {} ({})", *l.original_parent, printable(l.original_parent_comm));
}

}  // namespace

std::string display_command(const Leak& l) {
  if (l.cmdline.empty() && l.comm.empty()) return "[unknown]";
  if (l.cmdline.empty()) return '[' + printable(l.comm) + ']';
  std::string out;
  for (const auto& arg : l.cmdline) {
    if (!out.empty()) out.push_back(' ');
    out += printable(arg);
  }
  return out;
}

std::string describe_cause(const Leak& l) {
  std::vector<std::string> parts;
  if (l.kinds.has(Kind::zombie)) {
    parts.push_back("exited but never reaped by " + (l.original_parent ? parent_name(l) : "its parent"));
  }
  if (l.kinds.has(Kind::orphan)) {
    parts.push_back(l.original_parent ? "parent " + parent_name(l) + " exited" : "parent exited");
  }
  if (l.kinds.has(Kind::stray)) parts.push_back("parent " + parent_name(l) + " is still running");
  if (l.kinds.has(Kind::parent_kill_survivor)) parts.push_back("survived its parent's kill");
  if (l.escaped_via == EscapedVia::session) parts.push_back("left the session via setsid");
  if (l.escaped_via == EscapedVia::group) parts.push_back("left the process group via setpgid");
  if (!l.read_error.empty()) parts.push_back("could not be read (" + l.read_error + "): details unknown");
  if (l.holds_test_output == true) parts.push_back("holds the test's output open");
  if (!l.cleanup_error.empty()) {
    parts.push_back("procleak may not signal it (" + l.cleanup_error + ")" +
                    (l.cleanup_error == "EPERM" ? ": it runs as another user (setuid?)" : ""));
  }
  if (l.suppressed_by) parts.push_back("suppressed by '" + *l.suppressed_by + "'");
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += "; ";
    out += p;
  }
  return out;
}

std::string kinds_text(const Kinds& kinds) {
  std::string out;
  for (const auto name : kinds.names()) {
    if (!out.empty()) out.push_back(',');
    out += name;
  }
  return out;
}

std::string format_leak(const Leak& l, std::string_view indent) {
  return fmt::format("{}PID {:<7} {:<28} {}\n{}{:<11} {} -> {}\n", indent, l.pid, kinds_text(l.kinds),
                     display_command(l), indent, "", describe_cause(l), to_string(l.cleanup));
}

std::string format_text(const Report& r) {
  const auto verdict = verdict_of(r);
  if (verdict == Verdict::clean) return {};
  const std::string_view what = r.source == "gtest" ? "scope" : "test";
  const std::string_view warn = r.mode == Mode::warn ? " (mode warn: not failing)" : "";
  std::string out;
  if (!r.leaks.empty()) {
    out = fmt::format("procleak: {} '{}' leaked {} process{}{}\n", what, printable(r.test), r.leaks.size(),
                      r.leaks.size() == 1 ? "" : "es", verdict == Verdict::suppressed ? " (all suppressed)" : warn);
  }
  if (verdict == Verdict::incomplete) {
    out += fmt::format("procleak: {} '{}': check incomplete, so it cannot pass: {}{}\n", what, printable(r.test),
                       printable(r.incomplete_reason), r.leaks.empty() ? warn : "");
  }
  for (const auto& l : r.leaks) out += format_leak(l);
  if (r.leaks.empty()) return out;
  const auto& c = r.cleanup;
  out += fmt::format("  cleanup: {} terminated, {} killed, {} reaped, {} exited, {} unkillable in {:.1f} ms\n",
                     c.terminated, c.killed, c.reaped, c.exited, c.unkillable, c.duration_ms);
  return out;
}

}  // namespace procleak
