// A test that starts a daemon the classic way: fork, setsid, fork again,
// chdir /, close its descriptors. It has left the test's session and process
// group, so killing the test's group would miss it.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "bounded.hpp"

int main() {
  const pid_t first = fork();
  if (first < 0) return 2;
  if (first == 0) {
    setsid();
    if (fork() != 0) _exit(0);  // the daemon is the grandchild
    if (chdir("/") != 0) _exit(3);
    const int devnull = open("/dev/null", O_RDWR);
    for (int fd = 0; fd <= 2; ++fd) dup2(devnull, fd);
    procleak_examples::linger();
  }
  waitpid(first, nullptr, 0);
  std::puts("setsid_daemon_test: daemon started, test passes");
  return 0;
}
