#include "procleak/report_text.hpp"

#include <fmt/format.h>

#include <utility>

namespace procleak {
namespace {

// The code point of the UTF-8 sequence at text[i] and its length, or length
// 0 when the bytes there are not valid UTF-8 (overlong, surrogate, cut short).
std::pair<char32_t, std::size_t> decode_utf8(std::string_view text, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char c = b(0);
  if (c < 0x80) return {c, 1};
  std::size_t n = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return {0, 0};
  }
  if (i + n > text.size()) return {0, 0};
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return {0, 0};
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {0, 0};
  return {cp, n};
}

// Characters that change how a line reads or where it ends: C0 and C1
// controls, DEL, the Unicode line and paragraph separators, the bidi
// embedding, override and isolate controls ("Trojan source"), and the two
// non-characters XML cannot hold.
bool disguises(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
         (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFFFE || cp == 0xFFFF;
}

}  // namespace

std::string escape_untrusted(std::string_view s, bool keep_newlines) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto [cp, n] = decode_utf8(s, i);
    if (n == 0) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(s[i]));
      ++i;
      continue;
    }
    if (keep_newlines && (cp == '\n' || cp == '\t')) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x80 && disguises(cp)) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned>(cp));
    } else if (disguises(cp)) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(cp));
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string printable(std::string_view s) { return escape_untrusted(s, false); }

namespace {

std::string parent_name(const Leak& l) {
  if (!l.original_parent) return {};
  if (l.original_parent_comm.empty()) return fmt::format("PID {}", *l.original_parent);
  return fmt::format("PID {} ({})", *l.original_parent, printable(l.original_parent_comm));
}

// "exited with 4", "was killed by SIGKILL", "exited" (how unknown).
std::string how_it_ended(const std::optional<ExitStatus>& exit) {
  if (exit && exit->signal) return "was killed by " + signal_name(*exit->signal);
  if (exit && exit->code) return fmt::format("exited with {}", *exit->code);
  return "exited";
}

// The orphan's own parent, from its lineage when that is known.
const Ancestor* own_parent(const Leak& l) {
  if (!l.lineage || l.lineage->empty() || !l.original_parent) return nullptr;
  return l.lineage->back().pid == *l.original_parent ? &l.lineage->back() : nullptr;
}

// A command line for one line of text: at most max bytes, then "...".
std::string capped(const std::vector<std::string>& cmdline, const std::string& comm, std::size_t max) {
  std::string out;
  for (const auto& arg : cmdline) {
    if (!out.empty()) out.push_back(' ');
    out += printable(arg);
  }
  if (out.empty()) out = comm.empty() ? "[unknown]" : '[' + printable(comm) + ']';
  if (out.size() > max) {
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
    out = out.substr(0, cut) + "...";
  }
  return out;
}

}  // namespace

namespace {

std::string frame_text(const SpawnFrame& f) {
  const std::string function = f.function.empty() ? "??" : printable(f.function);
  if (f.file.empty()) return function;
  return fmt::format("{} ({}:{})", function, printable(f.file), f.line);
}

// Code of the program's own, not of a system library or its headers: where
// a fix would go.
bool is_own_code(const SpawnFrame& f) {
  return !f.file.empty() && !f.file.starts_with("/usr/") && !f.file.starts_with("../") && !f.file.starts_with("./");
}

}  // namespace

std::string spawn_site(const Leak& l) {
  if (!l.spawned_at || l.spawned_at->empty()) return {};
  for (const auto& f : *l.spawned_at) {
    if (is_own_code(f)) return frame_text(f);
  }
  return frame_text(l.spawned_at->front());
}

std::string describe_spawn_site(const Leak& l) {
  if (!l.spawned_at || l.spawned_at->empty()) return {};
  // From the program's own frame that made the call, up to two callers.
  std::size_t first = 0;
  while (first < l.spawned_at->size() && !is_own_code((*l.spawned_at)[first])) ++first;
  if (first == l.spawned_at->size()) first = 0;
  std::string out;
  for (std::size_t i = first; i < l.spawned_at->size() && i < first + 3; ++i) {
    if (!out.empty()) out += " < ";
    out += frame_text((*l.spawned_at)[i]);
  }
  return out;
}

std::string describe_lineage(const Leak& l) {
  if (!l.lineage || l.lineage->empty()) return {};
  // A capped lineage (LineageBook::kMaxLineage) starts with what it left out.
  std::string out = l.lineage_omitted > 0 ? fmt::format("({} older ancestors)", l.lineage_omitted) : std::string();
  for (const auto& a : *l.lineage) {
    if (!out.empty()) out += " > ";
    const std::string ended = a.exit ? how_it_ended(a.exit) : "running";
    out += fmt::format("{} (PID {}, {})", capped(a.cmdline, a.comm, 60), a.pid, ended);
  }
  return out;
}

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
    const Ancestor* parent = own_parent(l);
    parts.push_back(l.original_parent ? "parent " + parent_name(l) + ' ' + how_it_ended(parent ? parent->exit : std::nullopt)
                                      : "parent exited");
  }
  if (l.clone_parent) parts.push_back("started with CLONE_PARENT, beside the process that made it");
  if (l.kinds.has(Kind::stray)) parts.push_back("parent " + parent_name(l) + " is still running");
  if (l.kinds.has(Kind::parent_kill_survivor)) parts.push_back("survived its parent's kill");
  if (l.escaped_via == EscapedVia::session) parts.push_back("left the session via setsid");
  if (l.escaped_via == EscapedVia::group) parts.push_back("left the process group via setpgid");
  if (l.escaped_via == EscapedVia::cgroup) parts.push_back("left the test's cgroup");
  if (!l.read_error.empty()) parts.push_back("could not be read (" + printable(l.read_error) + "): details unknown");
  if (l.holds_test_output == true) parts.push_back("holds the test's output open");
  if (l.listening && !l.listening->empty()) {
    std::string on;
    for (const auto& address : *l.listening) on += (on.empty() ? "" : ", ") + printable(address);
    parts.push_back("listens on " + on);
  }
  if (!l.cleanup_error.empty()) {
    parts.push_back("procleak may not signal it (" + printable(l.cleanup_error) + ")" +
                    (l.cleanup_error == "EPERM" ? ": it runs as another user (setuid?)" : ""));
  }
  if (l.suppressed_by) parts.push_back("suppressed by '" + printable(*l.suppressed_by) + "'");
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

std::string format_leak(const Leak& l, std::string_view indent, bool with_lineage) {
  std::string out = fmt::format("{}PID {:<7} {:<28} {}\n{}{:<11} {} -> {}\n", indent, l.pid, kinds_text(l.kinds),
                                display_command(l), indent, "", describe_cause(l), to_string(l.cleanup));
  if (const auto from = describe_lineage(l); with_lineage && !from.empty()) {
    out += fmt::format("{}{:<11} from: {}\n", indent, "", from);
  }
  if (const auto site = describe_spawn_site(l); with_lineage && !site.empty()) {
    out += fmt::format("{}{:<11} spawned at: {}\n", indent, "", site);
  }
  return out;
}

namespace {

// The leaks as a tree: each one under the leak that is its parent (deeper
// by two spaces), in report order otherwise. Only a tree's top leak says
// where it came from: its children came from it.
void format_tree(const std::vector<Leak>& leaks, std::string& out) {
  std::vector<bool> is_child(leaks.size(), false);
  for (std::size_t i = 0; i < leaks.size(); ++i) {
    for (const auto& other : leaks) {
      if (&other != &leaks[i] && other.pid == leaks[i].ppid) is_child[i] = true;
    }
  }
  std::vector<bool> printed(leaks.size(), false);
  const auto print = [&](auto& self, std::size_t i, std::size_t depth) -> void {
    if (printed[i]) return;
    printed[i] = true;
    out += format_leak(leaks[i], std::string(2 + 2 * std::min<std::size_t>(depth, 8), ' '), depth == 0);
    for (std::size_t j = 0; j < leaks.size(); ++j) {
      if (is_child[j] && leaks[j].ppid == leaks[i].pid) self(self, j, depth + 1);
    }
  };
  for (std::size_t i = 0; i < leaks.size(); ++i) {
    if (!is_child[i]) print(print, i, 0);
  }
  for (std::size_t i = 0; i < leaks.size(); ++i) print(print, i, 0);  // a cycle (PID reuse): still listed
}

}  // namespace

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
  format_tree(r.leaks, out);
  if (r.leaks.empty()) return out;
  const auto& c = r.cleanup;
  out += fmt::format("  cleanup: {} terminated, {} killed, {} reaped, {} exited, {} unkillable in {:.1f} ms\n",
                     c.terminated, c.killed, c.reaped, c.exited, c.unkillable, c.duration_ms);
  return out;
}

}  // namespace procleak
