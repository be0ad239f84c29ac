/* The test program of the procleak-ctest project. Every process it leaks
   ends by itself within a minute (alarm), whatever happens. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void leak_a_child(void) {
  if (fork() == 0) {
    alarm(60);
    for (;;) pause();
  }
}

int main(int argc, char** argv) {
  const char* what = argc > 1 ? argv[1] : "clean";
  if (strcmp(what, "leak") == 0) leak_a_child();
  if (strcmp(what, "hang") == 0) {
    leak_a_child();
    sleep(30);
  }
  if (strcmp(what, "fail") == 0) return 1;
  if (strcmp(what, "skip") == 0) return 77;
  if (strcmp(what, "check-env") == 0) {
    char cwd[4096];
    const char* knows = getenv("KNOWS");
    const char* semi = getenv("WITH_SEMICOLON");
    if (getcwd(cwd, sizeof cwd) == NULL || access("marker", F_OK) != 0) {
      fprintf(stderr, "wrong working directory\n");
      return 1;
    }
    if (knows == NULL || strcmp(knows, "nothing") != 0 || semi == NULL || strcmp(semi, "a;b") != 0) {
      fprintf(stderr, "wrong environment\n");
      return 1;
    }
  }
  return 0;
}
