// The set of processes a scope owns: the descendants of the owner.
#pragma once

#include <sys/types.h>

#include <system_error>
#include <vector>

#include "procleak/proc_fs.hpp"

namespace procleak {

// Walks /proc/<pid>/task/<tid>/children from root downwards and returns the
// stat of every descendant (root itself excluded), parents before children,
// each pid once. Cost grows with the size of the subtree, not with the
// number of processes on the machine. A process that disappears during the
// walk is skipped (it is gone, not an error); only a failure to read the
// root's own children is returned as an error.
//
// Assumes root is a child subreaper, or that the caller accepts that orphans
// of its descendants are re-parented away and so are not seen.
std::error_code walk_descendants(const ProcFs& proc, pid_t root, std::vector<ProcStat>& out);

// The same walk when the root's children are already known (OwnChildren
// reads them for this process without touching the root's stat).
void walk_below(const ProcFs& proc, pid_t root, std::vector<pid_t> children, std::vector<ProcStat>& out);

}  // namespace procleak
