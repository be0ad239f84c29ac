#include "procleak/classify.hpp"

namespace procleak {

Classification classify(const ProcStat& p, const ClassifyContext& ctx, const Ancestor* lineage_parent,
                        bool clone_parent) noexcept {
  Classification c;
  if (p.is_zombie()) {
    // Its parent is still the one that should have reaped it.
    c.kinds.add(Kind::zombie);
    c.original_parent = p.ppid;
  } else if (clone_parent) {
    c.kinds.add(Kind::stray);
    c.original_parent = p.ppid;
  } else if (p.ppid == ctx.owner) {
    if (lineage_parent != nullptr && lineage_parent->exit) {
      // Re-parented to the owner when its own parent exited: what happened
      // to that parent decides, not the owner's view.
      c.kinds.add(Kind::orphan);
      c.original_parent = lineage_parent->pid;
      if (lineage_parent->exit->signal) c.kinds.add(Kind::parent_kill_survivor);
    } else if (ctx.owner_children_are_orphans) {
      c.kinds.add(Kind::orphan);
      if (ctx.test_killed_by_signal) c.kinds.add(Kind::parent_kill_survivor);
      if (ctx.known_parents != nullptr) {
        if (const auto it = ctx.known_parents->find(p.pid);
            it != ctx.known_parents->end() && it->second != ctx.owner) {
          c.original_parent = it->second;
        }
      }
    } else {
      c.kinds.add(Kind::stray);
      c.original_parent = p.ppid;
    }
  } else {
    c.kinds.add(Kind::stray);
    c.original_parent = p.ppid;
  }

  if (ctx.test_sid != kUnknownId && p.session != ctx.test_sid) {
    c.kinds.add(Kind::escaped);
    c.escaped_via = EscapedVia::session;
  } else if (ctx.test_pgid != kUnknownId && p.pgrp != ctx.test_pgid) {
    c.kinds.add(Kind::escaped);
    c.escaped_via = EscapedVia::group;
  }
  return c;
}

}  // namespace procleak
