// Leaves a child that ignores SIGTERM: only SIGKILL ends it (fate "killed").
#include <signal.h>
#include <unistd.h>

#include "bounded.hpp"

int main() {
  const pid_t child = fork();
  if (child < 0) return 2;
  if (child == 0) {
    signal(SIGTERM, SIG_IGN);
    procleak_examples::linger();
  }
  return 0;
}
