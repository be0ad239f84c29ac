// The children of every thread of this process, read cheaply enough to run
// before and after every test of a GoogleTest binary.
#pragma once

#include <sys/types.h>

#include <string>
#include <system_error>
#include <vector>

#include "procleak/unique_fd.hpp"

namespace procleak {

// Keeps /proc/self/task and each thread's children file open between reads:
// a read is one getdents64 on the task folder plus one pread per thread
// (a process with no threads of its own: 3 system calls). A child forked by
// any thread is seen; a child of a thread that has exited was re-parented to
// another thread of the process by the kernel, and is seen there.
class OwnChildren {
 public:
  // proc_root is the /proc mount (for tests: a fixture tree).
  explicit OwnChildren(std::string proc_root = "/proc");

  // Replaces out with the PIDs of this process's children (unordered).
  std::error_code read(std::vector<pid_t>& out);

 private:
  struct Thread {
    pid_t tid;
    UniqueFd children;
  };
  std::string root_;
  UniqueFd task_dir_;
  std::vector<Thread> threads_;
  std::vector<pid_t> tids_;
};

}  // namespace procleak
