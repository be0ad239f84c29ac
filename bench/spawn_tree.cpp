// Benchmark helper: leaves N sleeping processes behind and exits.
//   spawn_tree N [ignore-term-count]
// The first ignore-term-count of them ignore SIGTERM. Every process ends by
// itself after a minute (alarm) even if nothing cleans up. N is capped.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "bounded.hpp"

int main(int argc, char** argv) {
  constexpr long kMaxProcesses = 5000;
  const long n = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 100;
  const long ignorers = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 0;
  if (n < 1 || n > kMaxProcesses || ignorers < 0 || ignorers > n) {
    std::fprintf(stderr, "usage: spawn_tree N [IGNORERS] (1 <= N <= %ld)\n", kMaxProcesses);
    return 2;
  }
  int ready[2];
  if (pipe(ready) != 0) return 2;
  for (long i = 0; i < n; ++i) {
    const pid_t pid = fork();
    if (pid < 0) return 2;
    if (pid == 0) {
      close(ready[0]);
      if (i < ignorers) signal(SIGTERM, SIG_IGN);
      if (write(ready[1], "r", 1) != 1) _exit(3);
      close(ready[1]);
      procleak_examples::linger();
    }
  }
  close(ready[1]);
  // Exit only when all N are up, so the whole tree is there when the test ends.
  char c;
  long up = 0;
  while (up < n && read(ready[0], &c, 1) == 1) ++up;
  return up == n ? 0 : 3;
}
