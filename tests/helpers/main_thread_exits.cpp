// A process whose main thread exits while another thread runs on
// (pthread_exit in main): /proc shows its leader as Z, `ps` as Zl, yet it
// is running. The thread ends the process after a minute at most.
#include <pthread.h>
#include <unistd.h>

#include <cstdlib>

#include "bounded.hpp"

namespace {
void* linger(void*) {
  sleep(procleak_examples::kMaxLifetimeSeconds);
  std::exit(0);
}
}  // namespace

int main() {
  pthread_t thread;
  if (pthread_create(&thread, nullptr, linger, nullptr) != 0) return 2;
  pthread_exit(nullptr);
}
