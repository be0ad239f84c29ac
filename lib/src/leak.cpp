#include "procleak/leak.hpp"

namespace procleak {

std::string_view to_string(Kind k) noexcept {
  switch (k) {
    case Kind::orphan: return "orphan";
    case Kind::zombie: return "zombie";
    case Kind::stray: return "stray";
    case Kind::parent_kill_survivor: return "parent_kill_survivor";
    case Kind::escaped: return "escaped";
  }
  return "?";
}

std::vector<std::string_view> Kinds::names() const {
  std::vector<std::string_view> out;
  for (const Kind k : {Kind::orphan, Kind::zombie, Kind::stray, Kind::parent_kill_survivor, Kind::escaped}) {
    if (has(k)) out.push_back(to_string(k));
  }
  return out;
}

std::string_view to_string(EscapedVia v) noexcept {
  switch (v) {
    case EscapedVia::none: return "none";
    case EscapedVia::session: return "session";
    case EscapedVia::group: return "group";
    case EscapedVia::cgroup: return "cgroup";
  }
  return "?";
}

std::string_view to_string(Fate f) noexcept {
  switch (f) {
    case Fate::pending: return "pending";
    case Fate::terminated: return "terminated";
    case Fate::killed: return "killed";
    case Fate::reaped: return "reaped";
    case Fate::exited: return "exited";
    case Fate::unkillable: return "unkillable";
  }
  return "?";
}

namespace {

template <typename E, std::size_t N>
std::optional<E> by_name(std::string_view name, const E (&all)[N]) noexcept {
  for (const E e : all) {
    if (to_string(e) == name) return e;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Kind> parse_kind(std::string_view name) noexcept {
  static constexpr Kind all[] = {Kind::orphan, Kind::zombie, Kind::stray, Kind::parent_kill_survivor,
                                 Kind::escaped};
  return by_name(name, all);
}

std::optional<EscapedVia> parse_escaped_via(std::string_view name) noexcept {
  static constexpr EscapedVia all[] = {EscapedVia::session, EscapedVia::group, EscapedVia::cgroup};
  return by_name(name, all);
}

std::optional<Fate> parse_fate(std::string_view name) noexcept {
  static constexpr Fate all[] = {Fate::pending, Fate::terminated, Fate::killed,
                                 Fate::reaped,  Fate::exited,     Fate::unkillable};
  return by_name(name, all);
}

Leak leak_from_stat(const ProcStat& p) {
  Leak leak;
  leak.pid = p.pid;
  leak.ppid = p.ppid;
  leak.pgid = p.pgrp;
  leak.sid = p.session;
  leak.state = p.state;
  leak.start_time = p.start_time;
  leak.comm = p.comm;
  return leak;
}

}  // namespace procleak
