// A fork loop that fights cleanup: every process keeps forking while the
// total stays under a cap (CI runs as root, so RLIMIT_NPROC would not stop
// it) and under a global birth rate, so it is still growing when procleak
// acts. The test's main process starts the loop and exits 0 at once.
//   helper_fork_loop [CAP] [BIRTHS_PER_MS]   (defaults 2000 and 4; CAP at most 20,000)
// Every process arms alarm(60) first: nothing outlives a minute.
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "bounded.hpp"

namespace {

struct Shared {
  std::atomic<long> births{0};
  long cap = 0;
  long per_ms = 0;
  timespec start{};
};

long elapsed_ms(const Shared& s) {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (now.tv_sec - s.start.tv_sec) * 1000 + (now.tv_nsec - s.start.tv_nsec) / 1'000'000;
}

[[noreturn]] void forker(Shared& s) {
  signal(SIGALRM, SIG_DFL);
  alarm(procleak_examples::kMaxLifetimeSeconds);
  for (;;) {
    const long allowed = std::min(s.cap, (elapsed_ms(s) + 1) * s.per_ms);
    long n = s.births.load();
    if (n < allowed && s.births.compare_exchange_strong(n, n + 1)) {
      const pid_t child = fork();
      if (child == 0) forker(s);
      if (child < 0) s.births.fetch_sub(1);
    }
    if (s.births.load() >= s.cap) procleak_examples::linger();
    usleep(1000);
  }
}

}  // namespace

int main(int argc, char** argv) {
  void* mem = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return 2;
  auto* s = new (mem) Shared;
  s->cap = argc > 1 ? std::atol(argv[1]) : 2000;
  s->per_ms = argc > 2 ? std::atol(argv[2]) : 4;
  if (s->cap <= 0 || s->cap > 20000 || s->per_ms <= 0) return 2;  // the cap: CI runs as root
  clock_gettime(CLOCK_MONOTONIC, &s->start);
  s->births = 1;
  const pid_t root = fork();
  if (root == 0) forker(*s);
  return root > 0 ? 0 : 1;
}
