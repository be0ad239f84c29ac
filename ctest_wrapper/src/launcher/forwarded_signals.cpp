#include "forwarded_signals.hpp"

#include "inherited_state.hpp"

#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>

namespace procleak::launcher {

sigset_t forwarded_signal_set() noexcept {
  sigset_t set;
  sigemptyset(&set);
  // A blocked signal is queued even when ignored, so an ignored one is left
  // out: it stays ignored (and never arrives), as without the launcher.
  for (const int sig : kForwardedSignals) {
    if (!was_ignored(sig)) sigaddset(&set, sig);
  }
  return set;
}

std::error_code ForwardedSignals::install(ForwardedSignals& out, const sigset_t& original_mask) {
  const sigset_t forwarded = forwarded_signal_set();
  if (::sigprocmask(SIG_BLOCK, &forwarded, nullptr) != 0) return {errno, std::generic_category()};
  out.original_mask_ = original_mask;
  out.fd_.reset(::signalfd(-1, &forwarded, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!out.fd_.valid()) return {errno, std::generic_category()};
  return {};
}

int ForwardedSignals::take() const {
  signalfd_siginfo info{};
  const ssize_t n = ::read(fd_.get(), &info, sizeof info);
  return n == static_cast<ssize_t>(sizeof info) ? static_cast<int>(info.ssi_signo) : 0;
}

void die_of_signal(int sig) {
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  ::signal(sig, SIG_DFL);
  sigset_t just_this;
  sigemptyset(&just_this);
  sigaddset(&just_this, sig);
  ::sigprocmask(SIG_UNBLOCK, &just_this, nullptr);
  ::raise(sig);
  ::_exit(128 + sig);
}

}  // namespace procleak::launcher
