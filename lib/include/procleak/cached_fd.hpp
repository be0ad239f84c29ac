// A descriptor the listener keeps open across tests, in a process whose test
// code may close or reuse descriptors it does not own (a test that
// "sanitises" its fd table with close_range(3, ~0U, 0), then opens files of
// its own, which get the same numbers, even the same files: "/", this
// process's /proc entries). Its identity is its open file description, not
// only the file: at open it is marked with this process as its F_SETOWN
// owner, which a description the test opens itself does not have (0). It is
// trusted only while the number still holds that marked description of the
// same file, and it is closed only then, so procleak never closes, reads or
// moves a descriptor of the test's. Where the mark cannot be set (an O_PATH
// descriptor), the file's device and inode alone decide.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

namespace procleak {

class CachedFd {
 public:
  CachedFd() noexcept = default;
  // Takes fd (may be -1) and records which file it is open on.
  explicit CachedFd(int fd) noexcept {
    struct stat st{};
    adopt(fd, st);
  }
  // The same, and st receives the file's stat (what still_ours would give).
  CachedFd(int fd, struct stat& st) noexcept { adopt(fd, st); }
  CachedFd(CachedFd&& other) noexcept
      : fd_(std::exchange(other.fd_, -1)), dev_(other.dev_), ino_(other.ino_), owner_(other.owner_) {}
  CachedFd& operator=(CachedFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
      dev_ = other.dev_;
      ino_ = other.ino_;
      owner_ = other.owner_;
    }
    return *this;
  }
  CachedFd(const CachedFd&) = delete;
  CachedFd& operator=(const CachedFd&) = delete;
  ~CachedFd() { reset(); }

  [[nodiscard]] int get() const noexcept { return fd_; }
  [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }

  // One fstat: whether the descriptor still refers to the file it was opened
  // on. st receives the fresh stat when it does.
  [[nodiscard]] bool still_ours(struct stat& st) const noexcept {
    return fd_ >= 0 && marked_ours() && ::fstat(fd_, &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_;
  }
  // Without a stat wanted: the mark alone says it is the description we
  // opened (one fcntl); unmarked, the file's identity (one fstat).
  [[nodiscard]] bool still_ours() const noexcept {
    if (fd_ < 0) return false;
    if (owner_ != 0) return ::fcntl(fd_, F_GETOWN) == owner_;
    struct stat st{};
    return still_ours(st);
  }

  // One fstat, no mark: whether the number refers to the file this was
  // opened on (st receives its stat). Enough for reading the stat itself (a
  // test's descriptor of the same file gives the same answer); not for
  // reading through it or closing it: still_ours.
  [[nodiscard]] bool names_same_file(struct stat& st) const noexcept {
    return fd_ >= 0 && ::fstat(fd_, &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_;
  }

  // Whether st (a stat of a path) is the file this descriptor was opened on.
  [[nodiscard]] bool same_file(const struct stat& st) const noexcept {
    return fd_ >= 0 && st.st_dev == dev_ && st.st_ino == ino_;
  }

  // Closes the descriptor if it is still ours, and forgets it either way.
  void reset() noexcept {
    if (fd_ >= 0 && still_ours()) ::close(fd_);
    fd_ = -1;
  }

 private:
  void adopt(int fd, struct stat& st) noexcept {
    fd_ = fd;
    if (fd_ >= 0 && ::fstat(fd_, &st) == 0) {
      dev_ = st.st_dev;
      ino_ = st.st_ino;
      const pid_t self = ::getpid();
      if (::fcntl(fd_, F_SETOWN, self) == 0) owner_ = self;
    } else if (fd_ >= 0) {
      ::close(std::exchange(fd_, -1));
    }
  }
  [[nodiscard]] bool marked_ours() const noexcept { return owner_ == 0 || ::fcntl(fd_, F_GETOWN) == owner_; }

  int fd_ = -1;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  pid_t owner_ = 0;  // the F_SETOWN mark, 0 where none could be set
};

}  // namespace procleak
