#include "front_and_keeper.hpp"

#include <signal.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "forwarded_signals.hpp"
#include "procleak/process_handle.hpp"

namespace procleak::launcher {
namespace {

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// The keeper's PID while it is unreaped (so it cannot be reused); 0 after.
volatile sig_atomic_t keeper_pid = 0;

extern "C" void forward_to_keeper(int sig) {
  const int saved = errno;
  if (keeper_pid > 0) ::kill(static_cast<pid_t>(keeper_pid), sig);
  errno = saved;
}

[[noreturn]] void run_front(pid_t keeper) {
  keeper_pid = keeper;
  for (const int sig : kForwarded) {
    struct sigaction old{};
    ::sigaction(sig, nullptr, &old);
    if (old.sa_handler == SIG_IGN) continue;  // ignored stays ignored, as for the test
    struct sigaction forward{};
    forward.sa_handler = forward_to_keeper;
    sigemptyset(&forward.sa_mask);
    forward.sa_flags = SA_RESTART;
    ::sigaction(sig, &forward, nullptr);
  }
  // Wait without reaping, so the keeper's PID stays its own while a handler
  // may still signal it; then stop forwarding, then reap.
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(keeper), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
  }
  sigset_t all;
  sigfillset(&all);
  ::sigprocmask(SIG_BLOCK, &all, nullptr);
  keeper_pid = 0;
  int status = 0;
  while (::waitpid(keeper, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) die_of_signal(WTERMSIG(status));
  ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 125);
}

}  // namespace

std::error_code split_into_front_and_keeper(Keeper& keeper) {
  const pid_t front = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) return {errno, std::generic_category()};
  if (child > 0) run_front(child);

  // The keeper. A pidfd of the front, taken while the front is still our
  // parent: then the PID is the front's, not a reused one.
  keeper.front_gone = UniqueFd(pidfd_open(front));
  if (!keeper.front_gone.valid()) ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != front) {
    // The front died before we watched it: the pidfd (if any) names a
    // stranger's PID or nothing. Say so by a descriptor that is readable now.
    int gone[2];
    if (::pipe2(gone, O_CLOEXEC) == 0) {
      ::close(gone[1]);
      keeper.front_gone = UniqueFd(gone[0]);
    }
  }
  return {};
}

}  // namespace procleak::launcher
