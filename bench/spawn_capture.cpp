// What recording a spawn site costs per posix_spawn: the listener's wrapper
// (listener_core/src/spawn_sites.cpp) with recording on and off, in
// alternating rounds of 200 spawns of `true` each (spawn and wait), medians
// of the per-spawn time. Prints figures; asserts nothing.
//   bench_spawn_capture [ROUNDS]
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "procleak/spawn_sites.hpp"

extern char** environ;

namespace {

double round_us(bool recording) {
  procleak::spawn_sites::set_recording(recording);
  char arg0[] = "true";
  char* argv[] = {arg0, nullptr};
  constexpr int kSpawns = 200;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kSpawns; ++i) {
    pid_t pid = 0;
    if (posix_spawn(&pid, "/bin/true", nullptr, nullptr, argv, environ) != 0) std::exit(1);
    waitpid(pid, nullptr, 0);
  }
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / kSpawns;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 20;
  std::vector<double> off, on;
  (void)round_us(false);  // warm-up
  for (int r = 0; r < rounds; ++r) {
    if (r % 2 == 0) {
      off.push_back(round_us(false));
      on.push_back(round_us(true));
    } else {
      on.push_back(round_us(true));
      off.push_back(round_us(false));
    }
  }
  const double a = median(off), b = median(on);
  std::printf("posix_spawn + wait of true, %d rounds of 200: recording off %.1f us, on %.1f us: %+.2f us per spawn (%.3fx)\n",
              rounds, a, b, b - a, b / a);
  return 0;
}
