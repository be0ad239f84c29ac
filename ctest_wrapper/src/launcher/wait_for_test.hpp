// Waiting for the test's main process, forwarding signals, enforcing --timeout.
#pragma once

#include <optional>

#include "forwarded_signals.hpp"
#include "procleak/process_events.hpp"
#include "procleak/duration.hpp"
#include "procleak/process_handle.hpp"
#include "procleak/signal_guard.hpp"
#include "spawn_test.hpp"

namespace procleak::launcher {

struct TestOutcome {
  std::optional<int> exit_code;  // set when the test exited
  std::optional<int> signal;     // set when it died of a signal
  bool timed_out = false;
  bool launcher_killed = false;  // the front process died: the test was SIGKILLed at once
  int forwarded_signal = 0;      // the last signal passed on, 0 for none
  std::optional<SignalPath> signals_via;  // how signals to the main process went out
};

// Waits until the test's main process exits and reaps it. A forwarded
// signal goes to the test's process group (as a terminal would send it to
// the foreground job); if the test is still alive `grace` later, it gets
// SIGKILL. With a timeout the test gets SIGTERM at the deadline and SIGKILL
// `grace` after it. When front_gone (a descriptor, -1 for none) becomes
// readable, the launcher's front was killed: the test's group and main process
// get SIGKILL at once. Everything else the test left is the caller's to check.
[[nodiscard]] TestOutcome wait_for_test(const SpawnedTest& test, const ForwardedSignals& signals,
                                        const SignalGuard& guard, std::optional<Duration> timeout,
                                        Duration grace, int front_gone, ProcessEvents& events);

}  // namespace procleak::launcher
