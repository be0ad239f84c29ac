// Runs a command with signals inherited as ignored, as Python harnesses
// (SIGCHLD), nohup (SIGHUP) and shells for background jobs (SIGINT) hand
// them on:   helper_with_ignored SIG[,SIG...] COMMAND [ARG...]
// SIG is CHLD, HUP, INT, TERM or QUIT.
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <string>

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: helper_with_ignored SIG[,SIG...] COMMAND [ARG...]\n");
    return 2;
  }
  const std::string names = argv[1];
  for (std::size_t start = 0; start <= names.size();) {
    auto end = names.find(',', start);
    if (end == std::string::npos) end = names.size();
    const std::string name = names.substr(start, end - start);
    start = end + 1;
    const int sig = name == "CHLD" ? SIGCHLD
                    : name == "HUP" ? SIGHUP
                    : name == "INT" ? SIGINT
                    : name == "TERM" ? SIGTERM
                    : name == "QUIT" ? SIGQUIT
                                     : 0;
    if (sig == 0) {
      fprintf(stderr, "helper_with_ignored: unknown signal '%s'\n", name.c_str());
      return 2;
    }
    signal(sig, SIG_IGN);
  }
  execvp(argv[2], argv + 2);
  perror("helper_with_ignored: exec");
  return 127;
}
