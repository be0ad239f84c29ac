// procleak-ctest: ctest on an existing build tree with every test under
// procleak-run, whatever form its add_test took (README: "Adopt in one line").
//
//   procleak-ctest [PROCLEAK-RUN FLAGS --] [CTEST OPTIONS]
//
// Lists the tree's tests with `ctest --show-only=json-v1`, writes a test file
// into <build>/procleak-ctest/ that runs each command under procleak-run
// (named by its CTest name, its properties kept, a --timeout a margin before
// its TIMEOUT), then execs ctest on it: the exit status is ctest's. 125: the
// command line, procleak-run or the listing is unusable (one line on stderr).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ctest_arguments.hpp"
#include "generated_tests.hpp"
#include "launcher_options.hpp"
#include "procleak/report_json.hpp"
#include "procleak/version.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using procleak::ctest_runner::CtestArguments;

constexpr int kCannotWork = 125;

int fail(const std::string& why) {
  std::fprintf(stderr, "procleak-ctest: %s\n", why.c_str());
  return kCannotWork;
}

std::vector<char*> c_argv(std::vector<std::string>& args) {
  std::vector<char*> out;
  for (auto& a : args) out.push_back(a.data());
  out.push_back(nullptr);
  return out;
}

// Runs argv, its stdout captured; its stderr is ours. The exit status, or -1.
int run_capturing(std::vector<std::string> argv, std::string& out) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return -1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  pid_t pid = 0;
  auto args = c_argv(argv);
  const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    errno = rc;
    return -1;
  }
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n > 0) {
      out.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string procleak_run_next_to_us() {
  std::error_code ec;
  const auto self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return (self.parent_path() / "procleak-run").string();
}

// -T / -D dashboards read DartConfiguration.tcl from the test folder; its
// BuildDirectory would send ctest back to the tree without procleak.
void copy_dashboard_configuration(const fs::path& build, const fs::path& generated) {
  std::ifstream in(build / "DartConfiguration.tcl");
  if (!in) return;
  std::string text;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("BuildDirectory:")) line = "BuildDirectory: " + generated.string();
    text += line + '\n';
  }
  (void)procleak::write_file_atomically((generated / "DartConfiguration.tcl").string(), text);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && (args[0] == "--version")) {
    std::printf("procleak-ctest %s\n", procleak::kVersion);
    return 0;
  }
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::printf(
        "usage: procleak-ctest [PROCLEAK-RUN FLAGS --] [CTEST OPTIONS]\n"
        "Runs ctest on a build tree with every test under procleak-run, named by its CTest name.\n"
        "procleak-run flags (--mode, --report-dir, --suppressions, ...) and PROCLEAK_* variables apply\n"
        "to every test; ctest options (--test-dir, -j, -R, -L, --output-on-failure, --output-junit,\n"
        "--rerun-failed, -T Test, ...) pass through. Exit status: ctest's; 125: procleak-ctest could not work.\n"
        "PROCLEAK_CTEST names the ctest to run (default: ctest on PATH).\n");
    return 0;
  }
  const CtestArguments parsed = procleak::ctest_runner::parse_ctest_arguments(args);
  if (!parsed.error.empty()) return fail(parsed.error);

  // The flags procleak-run would get, checked as procleak-run checks them.
  std::vector<std::string> probe = parsed.launcher_flags;
  probe.insert(probe.end(), {"--", "true"});
  const auto launcher = procleak::launcher::parse_options(probe, ::getenv);
  if (launcher.outcome != procleak::launcher::ParseOutcome::run) {
    return fail(launcher.error.empty() ? "procleak-run flags go before \"--\": only flags that set up a run" : launcher.error);
  }
  for (const auto& flag : parsed.launcher_flags) {
    if (flag == "--name" || flag.starts_with("--name=") || flag == "--report" || flag.starts_with("--report=")) {
      return fail(flag + ": every test is named by its CTest name and gets its own report (use --report-dir)");
    }
  }

  procleak::ctest_runner::LauncherSetup setup;
  setup.procleak_run = procleak_run_next_to_us();
  if (setup.procleak_run.empty() || ::access(setup.procleak_run.c_str(), X_OK) != 0) {
    return fail("procleak-run not found next to procleak-ctest (" + setup.procleak_run + ")");
  }
  setup.flags = parsed.launcher_flags;
  setup.grace_seconds = std::chrono::duration<double>(launcher.options.grace).count();
  setup.settle_seconds = std::chrono::duration<double>(launcher.options.settle).count();
  setup.default_timeout = parsed.default_timeout;

  const char* ctest_env = std::getenv("PROCLEAK_CTEST");
  const std::string ctest = ctest_env != nullptr && *ctest_env != '\0' ? ctest_env : "ctest";
  std::error_code ec;
  const fs::path build = fs::absolute(parsed.test_dir, ec).lexically_normal();
  if (ec || !fs::is_directory(build)) return fail("--test-dir " + parsed.test_dir + ": no such folder");
  if (!fs::exists(build / "CTestTestfile.cmake")) {
    return fail(build.string() + " has no CTestTestfile.cmake: not a build tree with tests (use --test-dir)");
  }

  std::vector<std::string> list{ctest, "--show-only=json-v1", "--test-dir", build.string()};
  if (!parsed.config.empty()) list.insert(list.end(), {"-C", parsed.config});
  std::string listing;
  const int listed = run_capturing(list, listing);
  if (listed != 0) {
    return fail(listed < 0 ? "cannot run " + ctest + ": " + std::strerror(errno)
                           : ctest + " --show-only=json-v1 failed (exit " + std::to_string(listed) + ")");
  }
  const auto generated = procleak::ctest_runner::generate_tests(listing, setup);
  if (!generated.error.empty()) return fail(generated.error);
  for (const auto& w : generated.warnings) std::fprintf(stderr, "procleak-ctest: %s\n", w.c_str());

  const fs::path folder = build / "procleak-ctest";
  if (auto e = procleak::make_directories(folder.string())) return fail(folder.string() + ": " + e.message());
  if (auto e = procleak::write_file_atomically((folder / "CTestTestfile.cmake").string(), generated.cmake)) {
    return fail((folder / "CTestTestfile.cmake").string() + ": cannot write: " + e.message());
  }
  copy_dashboard_configuration(build, folder);
  std::fprintf(stderr, "procleak-ctest: %zu test%s under procleak-run (%s)\n", generated.tests,
               generated.tests == 1 ? "" : "s", folder.c_str());
  std::fflush(stderr);

  std::vector<std::string> run{ctest, "--test-dir", folder.string()};
  run.insert(run.end(), parsed.ctest_args.begin(), parsed.ctest_args.end());
  auto run_argv = c_argv(run);
  ::execvp(run_argv[0], run_argv.data());
  return fail("cannot run " + ctest + ": " + std::strerror(errno));
}
