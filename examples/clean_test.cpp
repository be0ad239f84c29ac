// A well-behaved test: it starts a helper process and waits for it.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

int main() {
  const pid_t child = fork();
  if (child < 0) return 2;
  if (child == 0) _exit(0);
  int status = 0;
  if (waitpid(child, &status, 0) != child || !WIFEXITED(status)) return 1;
  std::puts("clean_test: helper finished and was waited for");
  return 0;
}
