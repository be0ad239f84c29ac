// Runs a command in a process group of its own (setpgid(0, 0)), the way a
// test helper that "cleans up by kill(-pgid)" puts its workers out of reach.
//   helper_own_group COMMAND [ARG...]
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 2 || setpgid(0, 0) != 0) return 2;
  execvp(argv[1], argv + 1);
  return 127;
}
