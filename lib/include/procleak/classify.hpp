// Which kinds a leftover process is. Pure: the caller supplies what it knows.
#pragma once

#include <sys/types.h>

#include <optional>
#include <unordered_map>

#include "procleak/leak.hpp"
#include "procleak/proc_stat.hpp"

namespace procleak {

// A session or process group id that was not recorded (never a real id).
inline constexpr pid_t kUnknownId = -1;

struct ClassifyContext {
  pid_t owner = 0;
  // Launcher: the owner forks only the test's main process, so any other
  // child of the owner was re-parented to it: an orphan. Listener: the owner
  // is the test binary itself, alive, so its children are strays.
  bool owner_children_are_orphans = true;
  // kUnknownId: no check. 0 is a real value: inside a PID namespace, a
  // session or group whose leader lives outside it reads as 0.
  pid_t test_sid = kUnknownId;
  pid_t test_pgid = kUnknownId;
  // The test's main process died of a signal: its orphans survived a parent kill.
  bool test_killed_by_signal = false;
  // Parents seen in earlier walks, for orphans whose parent has since exited.
  const std::unordered_map<pid_t, pid_t>* known_parents = nullptr;
};

struct Classification {
  Kinds kinds;
  EscapedVia escaped_via = EscapedVia::none;
  std::optional<pid_t> original_parent;
};

// Rules (DESIGN.md, "Classify"): state Z -> zombie (its parent is the
// original one); else a parent that is the owner -> orphan (launcher) or
// stray (listener); else stray. Orphans of a test killed by a signal are
// also parent_kill_survivor. A session other than test_sid -> escaped via
// session; else a group other than test_pgid -> escaped via group.
// lineage_parent: the process's own parent from its lineage (lineage.hpp),
// when known. With it, a running process whose parent is the owner and
// whose own parent has exited is that parent's orphan (in a listener too),
// and a parent_kill_survivor only if that parent died of a signal.
// clone_parent: the process was started with clone(CLONE_PARENT), so its
// parent is its creator's parent (the owner, or the binary's own parent),
// alive: a running one is a stray of that parent, never an orphan.
[[nodiscard]] Classification classify(const ProcStat& process, const ClassifyContext& ctx,
                                      const Ancestor* lineage_parent = nullptr, bool clone_parent = false) noexcept;

}  // namespace procleak
