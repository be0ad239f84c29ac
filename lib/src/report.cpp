#include "procleak/report.hpp"

#include <signal.h>
#include <string.h>

#include <map>

namespace procleak {

std::string_view to_string(Mode m) noexcept {
  switch (m) {
    case Mode::fail: return "fail";
    case Mode::warn: return "warn";
    case Mode::off: return "off";
  }
  return "?";
}

std::optional<Mode> parse_mode(std::string_view text) noexcept {
  if (text == "fail") return Mode::fail;
  if (text == "warn") return Mode::warn;
  if (text == "off") return Mode::off;
  return std::nullopt;
}

std::string_view to_string(Verdict v) noexcept {
  switch (v) {
    case Verdict::clean: return "clean";
    case Verdict::leaked: return "leaked";
    case Verdict::suppressed: return "suppressed";
    case Verdict::incomplete: return "incomplete";
  }
  return "?";
}

CleanupSummary count_fates(const std::vector<Leak>& leaks) {
  CleanupSummary s;
  for (const auto& leak : leaks) {
    switch (leak.cleanup) {
      case Fate::terminated: ++s.terminated; break;
      case Fate::killed: ++s.killed; break;
      case Fate::reaped: ++s.reaped; break;
      case Fate::exited: ++s.exited; break;
      case Fate::unkillable: ++s.unkillable; break;
      case Fate::pending: break;
    }
  }
  return s;
}

Verdict verdict_of(const std::vector<Leak>& leaks, std::string_view incomplete_reason) noexcept {
  if (!incomplete_reason.empty()) return Verdict::incomplete;
  if (leaks.empty()) return Verdict::clean;
  for (const auto& leak : leaks) {
    if (!leak.suppressed_by) return Verdict::leaked;
  }
  return Verdict::suppressed;
}

std::string errno_name(int err) {
  if (const char* name = ::strerrorname_np(err)) return name;
  return "E" + std::to_string(err);
}

std::string incomplete_reason_of(const std::vector<Leak>& leaks, const std::vector<std::string>& problems) {
  std::map<std::string, int> unread;
  std::map<std::string, int> unkilled;
  for (const auto& leak : leaks) {
    if (!leak.read_error.empty()) ++unread[leak.read_error];
    if (leak.cleanup != Fate::unkillable) continue;
    const char* why = leak.kinds.has(Kind::zombie) ? "a zombie whose parent did not reap it" : "still there after SIGKILL";
    ++unkilled[leak.cleanup_error.empty() ? why : leak.cleanup_error];
  }
  std::string out;
  const auto add = [&out](const std::string& part) {
    if (!out.empty()) out += "; ";
    out += part;
  };
  const auto counted = [](int n, std::string_view what, const std::string& why) {
    return std::to_string(n) + (n == 1 ? " process " : " processes ") + std::string(what) + " (" + why + ")";
  };
  for (const auto& [why, n] : unread) add(counted(n, "could not be read", why));
  for (const auto& [why, n] : unkilled) add(counted(n, "could not be killed", why));
  for (const auto& p : problems) add(p);
  return out;
}

std::string signal_name(int sig) {
  if (const char* abbrev = ::sigabbrev_np(sig)) return std::string("SIG") + abbrev;
  return "SIG" + std::to_string(sig);
}

std::optional<int> signal_number(std::string_view name) {
  for (int sig = 1; sig < NSIG; ++sig) {
    if (signal_name(sig) == name) return sig;
  }
  return std::nullopt;
}

}  // namespace procleak
