// Where a test binary starts its processes. The listener library defines
// fork, posix_spawn, posix_spawnp, system and popen: each records the raw
// return addresses of its caller (backtrace(3), no symbols) with the
// calling thread, the time and the child's PID where the call returns one,
// then calls the C library's own. Only for processes that turn out to leak
// are the addresses turned into function, file and line (Boost.Stacktrace
// over libbacktrace: the binary's debug info when it has some, function
// names when it has not). clone is wrapped too (as fork, and a
// CLONE_PARENT child kept by PID and start time: the binary's sibling);
// vfork and the raw clone system call are not (a vfork child runs on its
// caller's stack, which a wrapper would corrupt).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "procleak/leak.hpp"
#include "procleak/lineage.hpp"
#include "procleak/scope.hpp"

namespace procleak::spawn_sites {

// Recording is off until the listener turns it on (an active listener in
// a binary that is not a death-test child); benchmarks turn it on and off.
void set_recording(bool on) noexcept;
[[nodiscard]] bool recording() noexcept;

// The frames of the recorded call that started origin (by its PID, or by
// its thread and the fork's time for system and popen, which do not return
// one), innermost first, from the caller of the call up to the test body,
// and for system and popen what they run ("sh", "-c", COMMAND, for a
// COMMAND of up to 200 bytes); nullopt when no recorded call matches.
[[nodiscard]] std::optional<Scope::SpawnSite> find(const LineageBook::Origin& origin);

// How many clone(CLONE_PARENT) calls were recorded so far (one atomic load:
// the check's clean path asks only this), and the children of those
// recorded that started at or after since_ns (CLOCK_MONOTONIC), by PID and
// start time: the processes a scope opened then owns outside its tree.
[[nodiscard]] std::size_t clone_parent_calls() noexcept;
[[nodiscard]] std::vector<OutsideRoot> started_with_clone_parent(std::uint64_t since_ns);

}  // namespace procleak::spawn_sites
