// The signals procleak-run passes on to the test: INT, TERM, HUP, QUIT.
#pragma once

#include <signal.h>

#include <system_error>

#include "procleak/unique_fd.hpp"

namespace procleak::launcher {

inline constexpr int kForwardedSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// The forwarded signals as a set, for sigprocmask and signalfd, less those
// the caller ignored (take_over_inherited_state() records them first).
sigset_t forwarded_signal_set() noexcept;

// Blocks the forwarded signals in the launcher and receives them on a
// signalfd, so they arrive as events in the wait loop instead of interrupting
// it. A signal the launcher inherited as ignored stays ignored (and so never
// arrives), as it would for the test without the launcher.
class ForwardedSignals {
 public:
  // original_mask: the mask the launcher started with, from before the
  // forwarded signals were blocked (front_and_keeper.hpp).
  static std::error_code install(ForwardedSignals& out, const sigset_t& original_mask);

  // The mask the launcher started with: what the test must start with.
  [[nodiscard]] const sigset_t& original_mask() const noexcept { return original_mask_; }
  [[nodiscard]] int fd() const noexcept { return fd_.get(); }

  // The next pending forwarded signal, or 0 when none is pending.
  int take() const;

 private:
  sigset_t original_mask_{};
  UniqueFd fd_;
};

// Ends the launcher by the signal the test died of, as if the launcher had
// not been there: default disposition, signal unblocked, no core file of our
// own (the test's core, if any, is the one that matters). Returns only if the
// signal does not terminate (then 128 + sig, as shells report it).
[[noreturn]] void die_of_signal(int sig);

}  // namespace procleak::launcher
