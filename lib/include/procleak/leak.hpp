// One leaked process as procleak reports it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "procleak/lineage.hpp"
#include "procleak/proc_stat.hpp"

namespace procleak {

// One frame of the stack that started a process: innermost first.
struct SpawnFrame {
  std::string function;  // demangled; empty when unknown
  std::string file;      // empty when the binary has no debug info for it
  int line = 0;          // 0 when unknown
};

// A process can carry several kinds; escaped is a flag next to the others.
enum class Kind : std::uint8_t {
  orphan = 1 << 0,                // running, its parent has exited (re-parented to the owner)
  zombie = 1 << 1,                // exited, never reaped by its parent
  stray = 1 << 2,                 // running, its parent is alive too
  parent_kill_survivor = 1 << 3,  // running after its parent was killed by a signal
  escaped = 1 << 4,               // left the test's session or process group
};

class Kinds {
 public:
  constexpr Kinds() = default;
  constexpr void add(Kind k) noexcept { bits_ |= static_cast<std::uint8_t>(k); }
  [[nodiscard]] constexpr bool has(Kind k) const noexcept {
    return (bits_ & static_cast<std::uint8_t>(k)) != 0;
  }
  [[nodiscard]] constexpr bool empty() const noexcept { return bits_ == 0; }
  // In report order: orphan, zombie, stray, parent_kill_survivor, escaped.
  [[nodiscard]] std::vector<std::string_view> names() const;

 private:
  std::uint8_t bits_ = 0;
};

// cgroup: it left the test's cgroup (containment by cgroup, cgroup.hpp).
enum class EscapedVia : std::uint8_t { none, session, group, cgroup };

// What cleanup did to the process.
enum class Fate : std::uint8_t {
  pending,     // not acted on yet
  terminated,  // died after SIGTERM
  killed,      // needed SIGKILL
  reaped,      // a zombie, collected
  exited,      // gone before procleak acted
  unkillable,  // still there at the deadline, or procleak may not signal it (cleanup_error)
};

[[nodiscard]] std::string_view to_string(Kind k) noexcept;
[[nodiscard]] std::string_view to_string(EscapedVia v) noexcept;
[[nodiscard]] std::string_view to_string(Fate f) noexcept;
// The inverses, for reading reports back; nullopt for an unknown name.
[[nodiscard]] std::optional<Kind> parse_kind(std::string_view name) noexcept;
[[nodiscard]] std::optional<EscapedVia> parse_escaped_via(std::string_view name) noexcept;
[[nodiscard]] std::optional<Fate> parse_fate(std::string_view name) noexcept;

struct Leak {
  pid_t pid = 0;
  pid_t ppid = 0;
  pid_t pgid = 0;
  pid_t sid = 0;
  char state = '?';
  std::uint64_t start_time = 0;
  std::string comm;
  std::vector<std::string> cmdline;
  std::string exe;  // path of the executable; empty when unknown (zombies)
  Kinds kinds;
  EscapedVia escaped_via = EscapedVia::none;
  std::optional<pid_t> original_parent;
  // Started with clone(CLONE_PARENT): beside the process that made it, so
  // its parent is that process's parent.
  bool clone_parent = false;
  std::string original_parent_comm;  // when known: names the parent in the cause
  double age_ms = 0;
  // Has the test's stdin, stdout or stderr open; nullopt when that cannot be
  // known (kcmp refused and no exact fallback, /proc/<pid>/fd unreadable).
  std::optional<bool> holds_test_output;
  Fate cleanup = Fate::pending;
  std::optional<std::string> suppressed_by;
  // Why the process could not be read (an errno name such as "EACCES"): it
  // is there, and only pid, ppid and what the walk saw are known. Empty when
  // it was read.
  std::string read_error;
  // Why a signal to it was refused (an errno name such as "EPERM"), empty
  // when none was.
  std::string cleanup_error;
  // Its ancestors, oldest first, from the test's main process down to its
  // parent, exited ones included (lineage.hpp); nullopt when not known.
  std::optional<std::vector<Ancestor>> lineage;
  // Older ancestors left out of lineage (it lists the nearest
  // LineageBook::kMaxLineage), 0 when it lists them all.
  std::size_t lineage_omitted = 0;
  // The sockets it listens on ("tcp 127.0.0.1:8080", "unix /tmp/app.sock";
  // listening_sockets.hpp); nullopt when its descriptors could not be read.
  std::optional<std::vector<std::string>> listening;
  // Where in the test binary it (or the top-most ancestor the binary
  // started) was started, innermost frame first (the listener); nullopt
  // when not known.
  std::optional<std::vector<SpawnFrame>> spawned_at;
};

// A leak with what its stat says (PID, parent, group, session, state, start
// time, name); the rest is the describer's to fill.
[[nodiscard]] Leak leak_from_stat(const ProcStat& p);

}  // namespace procleak
