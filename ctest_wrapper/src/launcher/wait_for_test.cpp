#include "wait_for_test.hpp"

#include "procleak/process_handle.hpp"

#include <poll.h>
#include <sys/wait.h>

#include <cerrno>

namespace procleak::launcher {
namespace {

using Clock = std::chrono::steady_clock;

void signal_main(const SpawnedTest& test, int sig, TestOutcome& outcome) {
  // The main process is our unreaped child: its pidfd (or PID) is still its
  // own, so kill(2) is exact too where pidfd signals are refused.
  if (test.pidfd.valid() && pidfd_signals_available() && pidfd_send_signal(test.pidfd.get(), sig) == 0) {
    note_signal(outcome.signals_via, SignalPath::pidfd);
    return;
  }
  if (::kill(test.pid, sig) == 0) note_signal(outcome.signals_via, SignalPath::kill);
}

}  // namespace

TestOutcome wait_for_test(const SpawnedTest& test, const ForwardedSignals& signals,
                          const SignalGuard& guard, std::optional<Duration> timeout, Duration grace,
                          int front_gone, ProcessEvents& events) {
  TestOutcome outcome;
  std::optional<Clock::time_point> term_at;
  if (timeout) term_at = Clock::now() + *timeout;
  std::optional<Clock::time_point> kill_at;

  // The test's fork and exec events are queued by now: read them here, so
  // the first poll does not return at once for them.
  events.drain();
  bool drained = true;  // since the last poll: the kernel queues a process's exit event before its parent can see it
  for (;;) {
    siginfo_t info{};
    // Seen without reaping first: the events of its exit are read while its
    // /proc entry is still there (its name, for the lineage), then reaped.
    if (::waitid(P_PID, static_cast<id_t>(test.pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid != 0) {
      if (!drained) events.drain();
      while (::waitid(P_PID, static_cast<id_t>(test.pid), &info, WEXITED) != 0 && errno == EINTR) {
      }
      if (info.si_code == CLD_EXITED) {
        outcome.exit_code = info.si_status;
      } else {
        outcome.signal = info.si_status;
      }
      return outcome;
    }

    const auto now = Clock::now();
    if (term_at && now >= *term_at) {
      outcome.timed_out = true;
      signal_main(test, SIGTERM, outcome);
      term_at.reset();
      kill_at = now + grace;
    }
    if (kill_at && now >= *kill_at) {
      signal_main(test, SIGKILL, outcome);
      kill_at.reset();
    }

    int timeout_ms = -1;
    for (const auto& at : {term_at, kill_at}) {
      if (!at) continue;
      const auto ms = std::chrono::ceil<std::chrono::milliseconds>(*at - now).count();
      timeout_ms = timeout_ms < 0 ? static_cast<int>(ms) : std::min(timeout_ms, static_cast<int>(ms));
    }
    // Without a pidfd (old kernel) there is no event for the exit: poll the
    // status every 10 ms.
    if (!test.pidfd.valid()) timeout_ms = timeout_ms < 0 ? 10 : std::min(timeout_ms, 10);

    // The process events are read as they come: an exec'd process's name
    // is read from /proc while it still runs.
    pollfd fds[4] = {{test.pidfd.get(), POLLIN, 0},
                     {signals.fd(), POLLIN, 0},
                     {front_gone, POLLIN, 0},
                     {events.fd(), POLLIN, 0}};
    const int n = ::poll(fds, 4, timeout_ms);
    drained = n > 0 && fds[3].revents != 0;
    if (drained) events.drain();
    if (n < 0 && errno != EINTR) {
      // poll itself failed (out of memory): fall back to a plain blocking wait.
      siginfo_t blocking{};
      while (::waitid(P_PID, static_cast<id_t>(test.pid), &blocking, WEXITED) != 0 && errno == EINTR) {
      }
      if (blocking.si_code == CLD_EXITED) outcome.exit_code = blocking.si_status;
      else outcome.signal = blocking.si_status;
      return outcome;
    }
    // The front's pidfd readable, or the pipe that stands for a front gone
    // before it was watched hung up; POLLNVAL says nothing of the front.
    if (n > 0 && (fds[2].revents & (POLLIN | POLLHUP)) != 0 && !outcome.launcher_killed) {
      // Nobody waits for a gentle end any more: stop the test now.
      outcome.launcher_killed = true;
      (void)guard.send_to_group(test.pid, SIGKILL);
      signal_main(test, SIGKILL, outcome);
      term_at.reset();
      kill_at.reset();
    }
    if (n > 0 && (fds[1].revents & POLLIN) != 0) {
      while (const int sig = signals.take()) {
        outcome.forwarded_signal = sig;
        // To the test's group while its leader is our unreaped child: the
        // group id cannot belong to anyone else then.
        if (guard.send_to_group(test.pid, sig)) signal_main(test, sig, outcome);
        if (!kill_at) kill_at = Clock::now() + grace;
      }
    }
  }
}

}  // namespace procleak::launcher
