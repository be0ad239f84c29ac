// A process that renames itself (prctl PR_SET_NAME, as /proc shows it in
// comm) to argv[1], forks a lingering child under that name, and exits 0.
#include <sys/prctl.h>
#include <unistd.h>

#include "bounded.hpp"

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  if (fork() == 0) {
    prctl(PR_SET_NAME, argv[1]);
    procleak_examples::linger();
  }
  return 0;
}
