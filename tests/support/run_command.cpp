#include "run_command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace procleak_test {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

std::string temp_file(const char* tag) {
  std::string path = std::string("/tmp/procleak-run-") + tag + "-XXXXXX";
  const int fd = mkstemp(path.data());
  if (fd >= 0) close(fd);
  return path;
}

}  // namespace

std::vector<std::string> environment_wrapper(const std::string& program) {
  const char* wrap = std::getenv("PROCLEAK_TEST_WRAP");
  if (wrap == nullptr || *wrap == '\0') return {};
  const auto slash = program.find_last_of('/');
  const std::string base = slash == std::string::npos ? program : program.substr(slash + 1);
  const bool framework_scenarios = base.rfind("doctest_scenarios", 0) == 0 || base.rfind("catch2_scenarios", 0) == 0 ||
                                   base.rfind("boost_test_scenarios", 0) == 0;
  if (base != "procleak-run" && base != "listener_scenarios" && !framework_scenarios) return {};
  std::vector<std::string> words;
  std::istringstream in(wrap);
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

RunResult run_command(const std::vector<std::string>& argv, const RunOptions& options) {
  RunResult result;
  const std::string in_path = temp_file("in"), out_path = temp_file("out"), err_path = temp_file("err");
  {
    std::ofstream in(in_path);
    in << options.stdin_text;
  }
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    const int in = open(in_path.c_str(), O_RDONLY);
    const int out = open(out_path.c_str(), O_WRONLY | O_TRUNC);
    const int err = open(err_path.c_str(), O_WRONLY | O_TRUNC);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    // Close the originals: an inherited copy of the output file in a leaked
    // process would (rightly) count as holding the test's output.
    close(in);
    close(out);
    close(err);
    for (const auto& [k, v] : options.env) setenv(k.c_str(), v.c_str(), 1);
    for (const auto& k : options.unset_env) unsetenv(k.c_str());
    // A test that crashes on purpose must not leave core files around.
    const rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    std::vector<char*> args;
    for (const auto& word : environment_wrapper(argv.front())) args.push_back(strdup(word.c_str()));
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(99);
  }
  result.pid = pid;
  if (options.while_running) options.while_running(pid);
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  pollfd p{pidfd, POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(options.limit.count() * 1000)) == 0) {
    std::fprintf(stderr, "run_command: %s still running after %llds: killing it\n", argv[0].c_str(),
                 static_cast<long long>(options.limit.count()));
    kill(pid, SIGKILL);
  }
  close(pidfd);
  int status = 0;
  waitpid(pid, &status, 0);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  result.out = slurp(out_path);
  result.err = slurp(err_path);
  for (const auto& path : {in_path, out_path, err_path}) unlink(path.c_str());
  return result;
}

}  // namespace procleak_test
