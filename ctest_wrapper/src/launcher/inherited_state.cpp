#include "inherited_state.hpp"

#include <cerrno>
#include <initializer_list>

namespace procleak::launcher {
namespace {

// One call sets the new disposition and returns the one it replaced.
bool set_disposition(int sig, void (*handler)(int), bool& was_ignored) noexcept {
  struct sigaction next{};
  next.sa_handler = handler;
  sigemptyset(&next.sa_mask);
  struct sigaction before{};
  if (::sigaction(sig, &next, &before) != 0) return false;
  was_ignored = before.sa_handler == SIG_IGN;
  return true;
}

// Forwarded signals ignored at start-up, as a bit set (signals below 64).
unsigned long long ignored_at_start = 0;

}  // namespace

InheritedState take_over_inherited_state() noexcept {
  InheritedState s;
  for (const int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) {
    struct sigaction now{};
    if (::sigaction(sig, nullptr, &now) == 0 && now.sa_handler == SIG_IGN) ignored_at_start |= 1ULL << sig;
  }
  (void)set_disposition(SIGCHLD, SIG_DFL, s.sigchld_ignored);
  (void)set_disposition(SIGPIPE, SIG_IGN, s.sigpipe_ignored);
  if (::getrlimit(RLIMIT_NOFILE, &s.nofile) == 0) {
    s.nofile_known = true;
    if (s.nofile.rlim_cur < s.nofile.rlim_max) {
      rlimit raised = s.nofile;
      raised.rlim_cur = raised.rlim_max;
      (void)::setrlimit(RLIMIT_NOFILE, &raised);
    }
  }
  return s;
}

int restore_inherited_state(const InheritedState& s) noexcept {
  struct sigaction act{};
  sigemptyset(&act.sa_mask);
  act.sa_handler = s.sigchld_ignored ? SIG_IGN : SIG_DFL;
  if (::sigaction(SIGCHLD, &act, nullptr) != 0) return errno;
  act.sa_handler = s.sigpipe_ignored ? SIG_IGN : SIG_DFL;
  if (::sigaction(SIGPIPE, &act, nullptr) != 0) return errno;
  if (s.nofile_known && ::setrlimit(RLIMIT_NOFILE, &s.nofile) != 0) return errno;
  return 0;
}

bool was_ignored(int sig) noexcept { return sig > 0 && sig < 64 && (ignored_at_start & (1ULL << sig)) != 0; }

}  // namespace procleak::launcher
