// For --probe-parent-kill: leaves a parent with two children. One notices its
// parent's death (PR_SET_PDEATHSIG) and dies with it; the other does not and
// survives the parent kill.
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>

#include "bounded.hpp"

int main() {
  int ready[2];
  if (pipe(ready) != 0) return 2;
  const pid_t parent = fork();
  if (parent < 0) return 2;
  if (parent == 0) {
    if (fork() == 0) {  // careless child: runs on when its parent is killed
      close(ready[0]);
      close(ready[1]);
      procleak_examples::linger();
    }
    if (fork() == 0) {  // careful child: dies with its parent
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (write(ready[1], "r", 1) != 1) _exit(3);
      close(ready[1]);
      procleak_examples::linger();
    }
    close(ready[1]);
    procleak_examples::linger();
  }
  close(ready[1]);
  char c = 0;
  // Wait until both children exist, so the tree is complete when the test ends.
  if (read(ready[0], &c, 1) != 1) return 3;
  return 0;
}
