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
  // Signal bitmaps of the thread-group leader (fields 32 and 33; bit n-1 is
  // signal n), when the line has them (a fixture line may stop earlier).
  bool signal_masks_known = false;
  std::uint64_t blocked = 0;
  std::uint64_t ignored = 0;

  // Exited, waiting to be reaped. A thread-group leader whose main thread
  // exited while other threads run (pthread_exit in main: `ps` shows Zl)
  // also reads Z, but its num_threads counts the live ones: it is running.
  [[nodiscard]] bool is_zombie() const noexcept { return (state == 'Z' || state == 'X') && num_threads <= 1; }
  // Whether sig sent now would be dropped on arrival: ignored and not blocked
  // (a blocked signal stays pending, and the process may handle it later).
  [[nodiscard]] bool drops(int sig) const noexcept {
    if (!signal_masks_known || sig < 1 || sig > 64) return false;
    const std::uint64_t bit = std::uint64_t{1} << (sig - 1);
    return (ignored & bit) != 0 && (blocked & bit) == 0;
  }
};

// Parses the content of /proc/<pid>/stat. comm may hold spaces, parentheses
// and newlines, so it is taken between the first '(' and the *last* ')'; the
// numbered fields follow that ')'. Returns nullopt for anything malformed
// (truncated, missing fields, non-numeric fields). Pure.
[[nodiscard]] std::optional<ProcStat> parse_proc_stat(std::string_view content) noexcept;

}  // namespace procleak
