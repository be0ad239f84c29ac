// A test that starts a helper which runs a short job and never reaps it: the
// job stays a zombie under the living helper, and the helper leaks too.
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "bounded.hpp"

int main() {
  int ready[2];
  if (pipe(ready) != 0) return 2;
  const pid_t helper = fork();
  if (helper < 0) return 2;
  if (helper == 0) {
    close(ready[0]);
    const pid_t job = fork();
    if (job == 0) _exit(0);  // the job: exits at once, never reaped
    siginfo_t info{};        // until the job has exited, without reaping it
    if (job > 0) waitid(P_PID, job, &info, WEXITED | WNOWAIT);
    close(ready[1]);
    procleak_examples::linger();
  }
  close(ready[1]);
  char byte;
  while (read(ready[0], &byte, 1) > 0) {
  }  // end of file: the job is a zombie now
  std::printf("zombie_test: helper PID %d started a job it never reaps\n", helper);
  return 0;
}
