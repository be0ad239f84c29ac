// The set of processes a scope owns: the descendants of the owner.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include "procleak/proc_fs.hpp"

namespace procleak {

// A descendant the walk could not see whole: its stat could not be read
// (the process is there, details unknown), or only its children file could
// not (what runs below it is unknown).
struct Unseen {
  pid_t pid = 0;
  pid_t listed_by = 0;          // the process whose children file lists it
  std::error_code error;        // why (never no_such_process: gone is not unseen)
  bool children_only = false;   // its stat was read: it is in the walk's output too
};

// "could not read the children of PID 42 (EACCES)": the words an Unseen with
// children_only adds to an incomplete_reason.
[[nodiscard]] std::string children_problem(const Unseen& u);

// Walks /proc/<pid>/task/<tid>/children from root downwards and returns the
// stat of every descendant (root itself excluded), parents before children,
// each pid once. Cost grows with the size of the subtree, not with the
// number of processes on the machine. A process is skipped as gone only when
// the kernel says so (ESRCH; an ENOENT stat confirmed by kill(pid, 0) or by
// its parent no longer listing it); any other failure to read it (EMFILE,
// EACCES under hidepid=2, ...) is an Unseen, appended to *unseen when given.
// A failure to read the root's own children is returned as an error.
//
// Assumes root is a child subreaper, or that the caller accepts that orphans
// of its descendants are re-parented away and so are not seen.
std::error_code walk_descendants(const ProcFs& proc, pid_t root, std::vector<ProcStat>& out,
                                 std::vector<Unseen>* unseen = nullptr);

// The same walk when the root's children are already known (OwnChildren
// reads them for this process without touching the root's stat).
void walk_below(const ProcFs& proc, pid_t root, std::vector<pid_t> children, std::vector<ProcStat>& out,
                std::vector<Unseen>* unseen = nullptr);

// A process the scope owns that is not below its root: started by the
// owner with clone(CLONE_PARENT), so the owner's own parent is its parent.
struct OutsideRoot {
  pid_t pid = 0;
  std::uint64_t start_time = 0;  // as /proc/<pid>/stat has it: another value means the PID was reused
  friend bool operator==(const OutsideRoot&, const OutsideRoot&) = default;
};

// Appends each root that still runs (its PID and start time), then its
// descendants, as walk_below finds them. A root that has exited is skipped:
// its corpse is its parent's to reap, not the scope's. Gone only on the
// kernel's word, as in walk_below; an unreadable root is an Unseen.
void walk_outside(const ProcFs& proc, const std::vector<OutsideRoot>& roots, std::vector<ProcStat>& out,
                  std::vector<Unseen>* unseen = nullptr);

}  // namespace procleak
