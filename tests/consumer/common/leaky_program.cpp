// A plain test program (no GoogleTest) that passes but leaves a child running.
#include <unistd.h>

int main() {
  if (fork() == 0) {
    execlp("sleep", "sleep", "120", static_cast<char*>(nullptr));
    _exit(127);
  }
  return 0;
}
