// Leaked processes in the examples and test helpers end by themselves: each
// arms an alarm first, so even if procleak failed to clean up, nothing they
// start outlives a minute.
#pragma once

#include <signal.h>
#include <unistd.h>

namespace procleak_examples {

inline constexpr unsigned kMaxLifetimeSeconds = 60;

// Sleeps until killed or until the alarm ends the process.
[[noreturn]] inline void linger() {
  signal(SIGALRM, SIG_DFL);
  alarm(kMaxLifetimeSeconds);
  for (;;) pause();
}

}  // namespace procleak_examples
