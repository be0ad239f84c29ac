// The report model: one test run, its leaks and what cleanup did.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "procleak/cgroup.hpp"
#include "procleak/leak.hpp"
#include "procleak/process_handle.hpp"

namespace procleak {

inline constexpr std::string_view kSchema = "procleak.report/1";

enum class Mode : std::uint8_t { fail, warn, off };
enum class Verdict : std::uint8_t { clean, leaked, suppressed, incomplete };

[[nodiscard]] std::string_view to_string(Mode m) noexcept;
[[nodiscard]] std::optional<Mode> parse_mode(std::string_view text) noexcept;
[[nodiscard]] std::string_view to_string(Verdict v) noexcept;

struct CleanupSummary {
  int terminated = 0;
  int killed = 0;
  int reaped = 0;
  int exited = 0;
  int unkillable = 0;
  double duration_ms = 0;
  // How the run's signals went out: pidfd only, or kill(2) (with the
  // PID-reuse race, README "Limits") for at least one; nullopt when none was
  // sent.
  std::optional<SignalPath> signals_via;
  // What cleanup could not look at (children files it could not read): each
  // makes the verdict incomplete. Not written to the report by itself; it
  // becomes part of incomplete_reason.
  std::vector<std::string> problems;
};


// Counts each leak's fate; the counts add up to leaks.size() once every fate is set.
[[nodiscard]] CleanupSummary count_fates(const std::vector<Leak>& leaks);

struct Report {
  std::string source = "launcher";  // "launcher" or "gtest"
  std::string test;
  std::vector<std::string> command;
  std::chrono::system_clock::time_point started_at;
  double duration_ms = 0;
  Mode mode = Mode::fail;
  std::optional<int> exit_code;    // null when the test died of a signal
  std::optional<int> exit_signal;  // signal number; written as its name
  bool timed_out = false;          // stopped by the launcher's --timeout
  std::vector<Leak> leaks;
  CleanupSummary cleanup;
  // Set when procleak could not look everywhere or could not finish
  // cleaning: what it could not do. Makes the verdict incomplete.
  std::string incomplete_reason;
  // Why the leaks' lineage is not known (process_events.hpp); empty when it is.
  std::string lineage_unavailable;
  // How the test was contained: "cgroup" (a cgroup of its own, cgroup.hpp)
  // or "session" (its own session, under procleak's subreaper); empty where
  // the report does not say (the listener, older reports).
  std::string containment;
  // Why not a cgroup, when containment is "session"; empty otherwise.
  std::string containment_reason;
  // What the test's whole tree used, from its cgroup's files; nullopt
  // without a cgroup.
  std::optional<CgroupResources> resources;
};

// incomplete: incomplete_reason is set (whatever the leaks); else clean: no
// leaks; leaked: at least one unsuppressed; suppressed: all suppressed.
[[nodiscard]] Verdict verdict_of(const std::vector<Leak>& leaks, std::string_view incomplete_reason = {}) noexcept;
[[nodiscard]] inline Verdict verdict_of(const Report& r) noexcept { return verdict_of(r.leaks, r.incomplete_reason); }
// Whether a verdict fails the test in mode fail.
[[nodiscard]] inline bool fails(Verdict v) noexcept { return v == Verdict::leaked || v == Verdict::incomplete; }

// The incomplete_reason that leaks and cleanup problems add up to: processes
// that could not be read, processes that could not be killed, the problems'
// own words. Empty when there is nothing to say.
[[nodiscard]] std::string incomplete_reason_of(const std::vector<Leak>& leaks,
                                               const std::vector<std::string>& problems);

// "EPERM" for EPERM (strerrorname_np), "E<n>" for numbers without a name.
[[nodiscard]] std::string errno_name(int err);

// "SIGTERM" for SIGTERM; "SIG<n>" for numbers without a name.
[[nodiscard]] std::string signal_name(int sig);
// The inverse: "SIGTERM" or "SIG15" -> 15; nullopt for anything else.
[[nodiscard]] std::optional<int> signal_number(std::string_view name);

}  // namespace procleak
