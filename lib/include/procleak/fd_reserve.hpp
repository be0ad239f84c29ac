// Descriptors a check keeps in reserve, in a process whose test code may take
// every descriptor it is allowed (RLIMIT_NOFILE lowered, then open until
// EMFILE). They are given back just before the check needs descriptors of
// its own (a walk of /proc opens one file at a time) and taken again after
// it, so a test that exhausted its descriptors is still checked whole.
#pragma once

#include <fcntl.h>

#include <array>

#include "procleak/cached_fd.hpp"

namespace procleak {

class FdReserve {
 public:
  // Takes the descriptors again (those the test closed or reused are opened
  // afresh); best effort: a test that took the freed slots meanwhile leaves
  // the reserve short until the next fill.
  void fill() noexcept {
    if (!released_) return;
    // /dev/null opened for reading: a description that can carry the
    // CachedFd mark (an O_PATH one cannot), so a test's own descriptor of the
    // same file is never taken for one of the reserve.
    for (auto& fd : fds_) {
      if (!fd.still_ours()) fd = CachedFd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    }
    released_ = false;
  }
  // Gives the slots back for the check (only descriptors still ours are closed).
  void release() noexcept {
    if (released_) return;
    for (auto& fd : fds_) fd.reset();
    released_ = true;
  }

 private:
  std::array<CachedFd, 2> fds_;
  bool released_ = true;  // empty until the first fill
};

}  // namespace procleak
