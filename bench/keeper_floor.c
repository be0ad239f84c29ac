/* The floor for a launcher that survives its own SIGKILL: a front that starts
 * a keeper with clone(CLONE_VM) and waits for it; the keeper is a subreaper
 * that forks the test, which setsids and execs; the keeper waits for it and
 * reads its children file once (the least a leak check can read), then exits
 * as the test did, and the front mirrors the keeper. No leak report, no
 * cleanup, no signal forwarding. bench/ctest_200.sh and bench/run.sh compare
 * procleak-run to it; it is linked statically, as procleak-run is. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static char** test_argv;

static int keeper(void* arg) {
  (void)arg;
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) return 125;
  const pid_t pid = fork();
  if (pid < 0) return 125;
  if (pid == 0) {
    setsid();
    execvp(test_argv[0], test_argv);
    _exit(127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return 125;
  char path[64];
  snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)gettid());
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    char buf[4096];
    (void)!read(fd, buf, sizeof buf);
    close(fd);
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

int main(int argc, char** argv) {
  if (argc < 2) return 125;
  test_argv = argv + 1;
  const size_t stack_size = 1 << 20;
  char* stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return 125;
  const pid_t pid = clone(keeper, stack + stack_size, CLONE_VM | SIGCHLD, NULL);
  if (pid < 0) return 125;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return 125;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 125;
}
