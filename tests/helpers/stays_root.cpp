// Installed setuid root by the tests: takes root as its real user too (as a
// daemon started by a setuid helper does), so an unprivileged procleak may
// not signal it (EPERM). Lingers for a minute at most.
#include <unistd.h>

#include "bounded.hpp"

int main() {
  if (geteuid() == 0 && setresuid(0, 0, 0) != 0) return 2;
  procleak_examples::linger();
}
