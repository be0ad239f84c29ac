/* Unrelated background work for bench/lineage.sh: RATE forks per second
 * (each child exits at once and is reaped) for SECONDS, then exits. Bounded
 * in count and time by its arguments (at most 100,000 per second, 600 s).
 *   fork_load RATE SECONDS */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: fork_load RATE SECONDS\n");
    return 2;
  }
  const long rate = atol(argv[1]), seconds = atol(argv[2]);
  if (rate < 1 || rate > 100000 || seconds < 1 || seconds > 600) {
    fprintf(stderr, "fork_load: RATE 1..100000, SECONDS 1..600\n");
    return 2;
  }
  const long total = rate * seconds;
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (long i = 0; i < total; ++i) {
    const pid_t pid = fork();
    if (pid == 0) _exit(0);
    if (pid > 0) waitpid(pid, NULL, 0);
    /* Paced: the i-th fork is due at start + i / rate. */
    const long long due_ns = (long long)start.tv_sec * 1000000000LL + start.tv_nsec + i * 1000000000LL / rate;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    const long long now_ns = (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
    if (due_ns > now_ns) {
      const struct timespec pause = {(time_t)((due_ns - now_ns) / 1000000000LL), (long)((due_ns - now_ns) % 1000000000LL)};
      nanosleep(&pause, NULL);
    }
  }
  return 0;
}
