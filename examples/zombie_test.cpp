// A test that starts a helper which runs a short job and never reaps it: the
// job stays a zombie under the living helper, and the helper leaks too.
#include <sys/types.h>
#include <unistd.h>

#include <cstdio>

#include "bounded.hpp"

int main() {
  const pid_t helper = fork();
  if (helper < 0) return 2;
  if (helper == 0) {
    if (fork() == 0) _exit(0);  // the job: exits at once, never waited for
    procleak_examples::linger();
  }
  usleep(20 * 1000);  // let the job exit before the test ends
  std::printf("zombie_test: helper PID %d started a job it never reaps\n", helper);
  return 0;
}
