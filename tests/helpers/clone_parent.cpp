// Starts a command with clone(CLONE_PARENT), so it becomes a sibling of this
// program (a child of its parent), then exits 0 at once.
//   helper_clone_parent COMMAND [ARG...]
#include <sched.h>
#include <unistd.h>

#include <csignal>

namespace {

char** command;
alignas(16) char stack[64 * 1024];  // copied with the rest of memory (no CLONE_VM)

int run(void*) {
  execvp(command[0], command);
  return 127;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  command = argv + 1;
  return clone(run, stack + sizeof stack, CLONE_PARENT | SIGCHLD, nullptr) > 0 ? 0 : 1;
}
