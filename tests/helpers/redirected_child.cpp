// Leaves a child whose stdout and stderr go to /dev/null: a leak that does
// not hold the test's output (holds_test_output false).
#include <fcntl.h>
#include <unistd.h>

#include "bounded.hpp"

int main() {
  const pid_t child = fork();
  if (child < 0) return 2;
  if (child == 0) {
    const int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, STDOUT_FILENO);
    dup2(devnull, STDERR_FILENO);
    procleak_examples::linger();
  }
  return 0;
}
