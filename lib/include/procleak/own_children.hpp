// The children of every thread of this process, read cheaply enough to run
// before and after every test of a GoogleTest binary.
#pragma once

#include <sys/types.h>

#include <string>
#include <system_error>
#include <vector>

#include "procleak/cached_fd.hpp"

namespace procleak {

// Keeps /proc/self/task and each thread's children file open between reads.
// On procfs the task folder's link count is 2 + the number of threads, so a
// single-threaded process (the common GoogleTest binary) is read with an
// fstat, a gettid, an fcntl (the descriptor still ours) and one pread; with more threads, a getdents64 lists them
// and each gets a pread. A child forked by any thread is seen; a child of a
// thread that has exited was re-parented to another thread of the process
// by the kernel, and is seen there.
class OwnChildren {
 public:
  // proc_root is the /proc mount (for tests: a fixture tree).
  explicit OwnChildren(std::string proc_root = "/proc");

  // Replaces out with the PIDs of this process's children (unordered).
  std::error_code read(std::vector<pid_t>& out);

 private:
  std::error_code list_threads();  // into tids_
  struct Thread {
    pid_t tid;
    CachedFd children;
    bool main;  // opened for the main thread (TID = PID): its TID is never another thread's
  };
  std::string root_;
  CachedFd task_dir_;
  bool on_procfs_ = false;  // link counts mean threads (not on a fixture tree)
  std::vector<Thread> threads_;
  std::vector<pid_t> tids_;
};

}  // namespace procleak
