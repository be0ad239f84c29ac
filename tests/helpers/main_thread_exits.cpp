// A process whose main thread exits while another thread runs on
// (pthread_exit in main): /proc shows its leader as Z, `ps` as Zl, yet it
// is running. The thread ends the process after a minute at most.
//
//   helper_main_thread_exits                 the thread sleeps, then exit(0)
//   helper_main_thread_exits fork-then-kill  the thread starts `sleep 300`
//                                            (bounded), then the process is
//                                            killed by SIGKILL
//   helper_main_thread_exits fork-then-exit  ... then exit(5)
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "bounded.hpp"

namespace {
const char* mode = "";

void* linger(void*) {
  if (std::strcmp(mode, "fork-then-kill") == 0 || std::strcmp(mode, "fork-then-exit") == 0) {
    sleep(1);  // the main thread has exited by now
    const pid_t child = fork();
    if (child == 0) {
      alarm(procleak_examples::kMaxLifetimeSeconds);
      execlp("sleep", "sleep", "300", static_cast<char*>(nullptr));
      _exit(127);
    }
    if (std::strcmp(mode, "fork-then-kill") == 0) raise(SIGKILL);
    std::exit(5);
  }
  sleep(procleak_examples::kMaxLifetimeSeconds);
  std::exit(0);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) mode = argv[1];
  pthread_t thread;
  if (pthread_create(&thread, nullptr, linger, nullptr) != 0) return 2;
  pthread_exit(nullptr);
}
