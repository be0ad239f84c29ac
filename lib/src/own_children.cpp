#include "procleak/own_children.hpp"

#include "procleak/proc_fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstring>

namespace procleak {
namespace {

std::error_code errno_code() { return {errno, std::generic_category()}; }

// The fixed part of a getdents64 record; the NUL-terminated name follows it.
struct linux_dirent64_head {
  ino64_t d_ino;
  off64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
};
constexpr std::size_t kNameOffset = offsetof(linux_dirent64_head, d_type) + 1;

}  // namespace

OwnChildren::OwnChildren(std::string proc_root) : root_(std::move(proc_root)) {}

std::error_code OwnChildren::list_threads() {
  if (::lseek(task_dir_.get(), 0, SEEK_SET) < 0) return errno_code();
  alignas(8) char buf[4096];
  for (;;) {
    const long n = ::syscall(SYS_getdents64, task_dir_.get(), buf, sizeof buf);
    if (n < 0) return errno_code();
    if (n == 0) break;
    for (long off = 0; off < n;) {
      linux_dirent64_head d{};
      std::memcpy(&d, buf + off, sizeof d);
      pid_t tid = 0;
      const std::string_view name(buf + off + kNameOffset);
      if (std::from_chars(name.data(), name.data() + name.size(), tid).ec == std::errc{} && tid > 0) {
        tids_.push_back(tid);
      }
      off += d.d_reclen;
    }
    // procfs fills the buffer while entries fit: with room left over for
    // several more, the listing is complete and a second call would only
    // return 0 (this saves a system call on every check).
    if (static_cast<std::size_t>(n) + 512 < sizeof buf) break;
  }
  return {};
}

std::error_code OwnChildren::read(std::vector<pid_t>& out) {
  out.clear();
  // Our PID is needed only to open a file or to tell another thread from
  // the main one: asked for then, not on the clean path (a system call).
  pid_t self_cache = 0;
  const auto self = [&] {
    if (self_cache == 0) self_cache = ::getpid();
    return self_cache;
  };
  // The test may have closed our descriptors (close_range) and reused their
  // numbers: one fstat tells, and then every cached file is opened afresh
  // (and none closed that is not ours, cached_fd.hpp).
  // The folder's stat (its link count) is all the single-threaded path
  // reads: one fstat. Listing it (below) reads through the descriptor, so
  // that first checks the descriptor is ours.
  struct stat st{};
  if (task_dir_.valid() && !task_dir_.names_same_file(st)) {
    task_dir_ = CachedFd();
    threads_.clear();
  }
  if (!task_dir_.valid()) {
    const std::string path = root_ + '/' + std::to_string(self()) + "/task";
    task_dir_ = CachedFd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC), st);
    if (!task_dir_.valid()) return errno_code();
    struct statfs fs{};
    on_procfs_ = ::fstatfs(task_dir_.get(), &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC;
  }

  // The current threads. One thread: the caller, no listing needed (a
  // listing makes procfs build an entry per thread, several times the cost).
  tids_.clear();
  if (on_procfs_ && st.st_nlink == 3) {
    // One thread listed, and a main thread that has exited stays listed
    // (a zombie) while others run: the one thread is the main thread, the
    // caller. Its file kept from before needs no gettid to be found.
    if (threads_.size() == 1 && threads_.front().main) {
      tids_.push_back(threads_.front().tid);
    } else {
      tids_.push_back(static_cast<pid_t>(::syscall(SYS_gettid)));
    }
  } else {
    if (!task_dir_.still_ours()) {  // the same folder, but the test's descriptor of it: ours anew
      const std::string path = root_ + '/' + std::to_string(self()) + "/task";
      task_dir_ = CachedFd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!task_dir_.valid()) return errno_code();
    }
    if (auto ec = list_threads()) return ec;
  }

  // Drop the files of threads that have gone; open the new ones.
  std::erase_if(threads_, [&](const Thread& t) { return std::find(tids_.begin(), tids_.end(), t.tid) == tids_.end(); });
  char children[4096];
  for (const pid_t tid : tids_) {
    auto it = std::find_if(threads_.begin(), threads_.end(), [&](const Thread& t) { return t.tid == tid; });
    // A children file whose descriptor is no longer ours would be read as
    // someone else's file: garbage PIDs. Verified on every read (one fstat).
    if (it != threads_.end() && !it->children.still_ours()) {
      threads_.erase(it);
      it = threads_.end();
    }
    const auto path = [&] {
      return root_ + '/' + std::to_string(self()) + "/task/" + std::to_string(tid) + "/children";
    };
    // A file kept for a thread that has exited reads as "no children", also
    // when a new thread got its TID since (the kernel reuses IDs): the path
    // then names another file (procfs makes a new inode for the new task).
    // The main thread's TID is the process's own and never reused while it
    // runs (a file kept for it says so: main), so only other threads pay for
    // the look (one stat).
    if (it != threads_.end() && !it->main) {
      struct stat now{};
      if (::stat(path().c_str(), &now) != 0 || !it->children.same_file(now)) {
        threads_.erase(it);
        it = threads_.end();
      }
    }
    if (it == threads_.end()) {
      CachedFd fd(::open(path().c_str(), O_RDONLY | O_CLOEXEC));
      if (!fd.valid()) {
        // The thread exited since the listing; anything else means we cannot look.
        if (errno == ENOENT || errno == ESRCH) continue;
        return errno_code();
      }
      threads_.push_back({tid, std::move(fd), tid == self()});
      it = threads_.end() - 1;
    }
    // pread from offset 0 makes the kernel list the children afresh.
    const ssize_t n = ::pread(it->children.get(), children, sizeof children, 0);
    if (n < 0) continue;  // the thread is exiting: its children move to another
    if (static_cast<std::size_t>(n) < sizeof children) {
      parse_pid_list(std::string_view(children, static_cast<std::size_t>(n)), out);
      continue;
    }
    // Hundreds of children: the list is longer than the buffer, read it whole.
    std::string all;
    for (off_t offset = 0;;) {
      const ssize_t r = ::pread(it->children.get(), children, sizeof children, offset);
      if (r <= 0) break;
      all.append(children, static_cast<std::size_t>(r));
      offset += r;
    }
    parse_pid_list(all, out);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return {};
}

}  // namespace procleak
