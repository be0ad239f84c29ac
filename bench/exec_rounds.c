/* Times whole processes side by side, interleaved: round r starts every
 * command once (posix_spawn, then waitpid), in an order rotated by r, so a
 * shared machine's drift lands on all of them alike. Cheaper and steadier
 * than a Python driver for commands that take about a millisecond.
 *
 *   exec_rounds ROUNDS WARMUP NAME=COMMAND...
 *
 * COMMAND is split at spaces (no quoting) and run without a shell, stdout
 * and stderr to /dev/null. Prints, per command, "NAME median q1 q3" in
 * microseconds; exits 1 if a command fails (a failing command measures
 * nothing) or an argument is malformed. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char** environ;

enum { kMaxCommands = 16, kMaxArgs = 32 };

struct command {
  const char* name;
  char* argv[kMaxArgs + 1];
  double* times;
};

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int by_value(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

static double quantile(const double* sorted, int n, double q) {
  const double at = q * (n - 1);
  const int i = (int)at;
  return i + 1 < n ? sorted[i] + (at - i) * (sorted[i + 1] - sorted[i]) : sorted[i];
}

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: exec_rounds ROUNDS WARMUP NAME=COMMAND...\n");
    return 1;
  }
  const int rounds = atoi(argv[1]), warmup = atoi(argv[2]);
  const int n = argc - 3;
  if (rounds < 1 || warmup < 0 || n > kMaxCommands) {
    fprintf(stderr, "exec_rounds: bad ROUNDS, WARMUP or too many commands (at most %d)\n", kMaxCommands);
    return 1;
  }
  struct command cmds[kMaxCommands];
  for (int c = 0; c < n; ++c) {
    char* spec = argv[3 + c];
    char* eq = strchr(spec, '=');
    if (eq == NULL || eq == spec || eq[1] == '\0') {
      fprintf(stderr, "exec_rounds: expected NAME=COMMAND, got '%s'\n", spec);
      return 1;
    }
    *eq = '\0';
    cmds[c].name = spec;
    int k = 0;
    for (char* word = strtok(eq + 1, " "); word != NULL; word = strtok(NULL, " ")) {
      if (k == kMaxArgs) {
        fprintf(stderr, "exec_rounds: %s: more than %d arguments\n", spec, kMaxArgs);
        return 1;
      }
      cmds[c].argv[k++] = word;
    }
    cmds[c].argv[k] = NULL;
    cmds[c].times = calloc((size_t)rounds, sizeof(double));
    if (cmds[c].times == NULL) return 1;
  }
  posix_spawn_file_actions_t quiet;
  posix_spawn_file_actions_init(&quiet);
  posix_spawn_file_actions_addopen(&quiet, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&quiet, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  for (int r = 0; r < warmup + rounds; ++r) {
    for (int i = 0; i < n; ++i) {
      struct command* c = &cmds[(i + r) % n];
      const double t0 = now_us();
      pid_t pid;
      if (posix_spawn(&pid, c->argv[0], &quiet, NULL, c->argv, environ) != 0) {
        fprintf(stderr, "exec_rounds: cannot start %s\n", c->argv[0]);
        return 1;
      }
      int status = 0;
      if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "exec_rounds: %s failed (status %d)\n", c->name, status);
        return 1;
      }
      if (r >= warmup) c->times[r - warmup] = now_us() - t0;
    }
  }
  for (int c = 0; c < n; ++c) {
    qsort(cmds[c].times, (size_t)rounds, sizeof(double), by_value);
    printf("%s %.1f %.1f %.1f\n", cmds[c].name, quantile(cmds[c].times, rounds, 0.5),
           quantile(cmds[c].times, rounds, 0.25), quantile(cmds[c].times, rounds, 0.75));
  }
  return 0;
}
