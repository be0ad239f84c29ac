// /proc/<pid>/stat, parsed. Only the fields procleak uses.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace procleak {

struct ProcStat {
  pid_t pid = 0;
  std::string comm;      // as the kernel has it: up to 15 bytes, any bytes but NUL
  char state = '?';      // R, S, D, Z, T, t, X, I, ...
  pid_t ppid = 0;
  pid_t pgrp = 0;
  pid_t session = 0;
  long num_threads = 0;
  std::uint64_t start_time = 0;  // clock ticks after boot; with pid, the process's identity

  [[nodiscard]] bool is_zombie() const noexcept { return state == 'Z' || state == 'X'; }
};

// Parses the content of /proc/<pid>/stat. comm may hold spaces, parentheses
// and newlines, so it is taken between the first '(' and the *last* ')'; the
// numbered fields follow that ')'. Returns nullopt for anything malformed
// (truncated, missing fields, non-numeric fields). Pure.
[[nodiscard]] std::optional<ProcStat> parse_proc_stat(std::string_view content) noexcept;

}  // namespace procleak
