/* The test shapes that made lineage grow without bound (bench/lineage_bounds.sh):
 *
 *   bench_lineage_load forks N   20,000 at most: N children that exit at once,
 *                                each inheriting this process's long argv
 *                                (the script passes 4 KB of it)
 *   bench_lineage_load chain N   2,000 at most: each link forks the next and
 *                                exits; the last sleeps (30 s at most): one
 *                                leak with N ancestors
 *
 * Every process it starts ends by itself (alarm), and the counts are capped
 * here, whatever is asked. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  long n = strtol(argv[2], NULL, 10);
  if (strcmp(argv[1], "forks") == 0) {
    if (n > 20000) n = 20000;
    for (long i = 0; i < n; ++i) {
      const pid_t pid = fork();
      if (pid == 0) _exit(0);
      if (pid > 0) waitpid(pid, NULL, 0);
    }
    return 0;
  }
  if (strcmp(argv[1], "chain") == 0) {
    if (n > 2000) n = 2000;
    for (long i = 0; i < n; ++i) {
      const pid_t pid = fork();
      if (pid < 0) return 1;
      if (pid > 0) {
        if (i == 0) {
          usleep(300000); /* the test's main process: the chain is built meanwhile */
          return 0;
        }
        _exit(0); /* a link: exits, its child goes on */
      }
    }
    alarm(30);
    pause();
    return 0;
  }
  return 2;
}
