// procleak-ctest: ctest on an existing build tree with every test under
// procleak-run, whatever form its add_test took (README: "Adopt in one line").
//
//   procleak-ctest [PROCLEAK-RUN FLAGS --] [CTEST OPTIONS]
//
// Lists the tree's tests with `ctest --show-only=json-v1`, writes a test file
// into <build>/procleak-ctest/ that runs each command under procleak-run
// (named by its CTest name, its properties kept, a --timeout a margin before
// its TIMEOUT), then execs ctest on it: the exit status is ctest's (also when
// ctest cannot list the tree's tests). 125: the command line, procleak-run or
// the generated file is unusable (one line on stderr).
#include <fcntl.h>
#include <spawn.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ctest_arguments.hpp"
#include "generated_tests.hpp"
#include "listing_cache.hpp"
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

volatile sig_atomic_t running_child = 0;

void forward_to_child(int sig) {
  if (running_child > 0) ::kill(running_child, sig);
}

// Runs argv with our stdin, stdout and stderr and waits for it; returns its
// wait status, or -1 (errno set) when it could not start. With
// forward_signals, SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to us go on to
// it (as they would reach ctest if we had become ctest).
int run_passing_through(std::vector<std::string> argv, bool forward_signals = false) {
  auto args = c_argv(argv);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ);
  if (rc != 0) {
    errno = rc;
    return -1;
  }
  struct sigaction forward{}, old[4]{};
  constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
  if (forward_signals) {
    running_child = pid;
    forward.sa_handler = forward_to_child;
    sigemptyset(&forward.sa_mask);
    for (int i = 0; i < 4; ++i) ::sigaction(kForwarded[i], &forward, &old[i]);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (forward_signals) {
    for (int i = 0; i < 4; ++i) ::sigaction(kForwarded[i], &old[i], nullptr);
    running_child = 0;
  }
  return status;
}

// Runs argv, its stdout captured; its stderr is ours, or into err where given
// (read after stdout: what a listing writes on stderr is a few lines). The
// exit status, or -1.
int run_capturing(std::vector<std::string> argv, std::string& out, std::string* err = nullptr) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return -1;
  char err_path[] = "/tmp/procleak-ctest-stderr-XXXXXX";
  int err_fd = -1;
  if (err != nullptr) {
    err_fd = ::mkostemp(err_path, O_CLOEXEC);
    if (err_fd < 0) {
      ::close(fds[0]);
      ::close(fds[1]);
      return -1;
    }
    ::unlink(err_path);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  if (err_fd >= 0) posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
  pid_t pid = 0;
  auto args = c_argv(argv);
  const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    if (err_fd >= 0) ::close(err_fd);
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
  if (err_fd >= 0) {
    ssize_t n = 0;
    while ((n = ::pread(err_fd, buf, sizeof buf, static_cast<off_t>(err->size()))) > 0) {
      err->append(buf, static_cast<std::size_t>(n));
    }
    ::close(err_fd);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// The first line of text that says something, for a one-line message.
std::string first_line(const std::string& text) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find_first_not_of(" \t") != std::string::npos) return line.substr(line.find_first_not_of(" \t"));
  }
  return {};
}

// FNV-1a, 64 bits, as hex: names a generated folder by what it depends on.
std::string fnv_hex(const std::vector<std::string>& parts) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const auto& part : parts) {
    for (const char c : part + '\0') hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(hash));
  return out;
}

// A path as the user's shell meant it: relative to where procleak-ctest was
// started, not to each test's WORKING_DIRECTORY.
std::string absolute_path(const std::string& path) {
  std::error_code ec;
  const auto abs = fs::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

// procleak-run flags that name a file or folder, made absolute.
void make_paths_absolute(std::vector<std::string>& flags) {
  for (std::size_t i = 0; i < flags.size(); ++i) {
    for (const std::string flag : {"--report-dir", "--suppressions"}) {
      if (flags[i] == flag && i + 1 < flags.size()) {
        flags[i + 1] = absolute_path(flags[i + 1]);
        ++i;
      } else if (flags[i].starts_with(flag + "=")) {
        flags[i] = flag + "=" + absolute_path(flags[i].substr(flag.size() + 1));
      }
    }
  }
  for (const char* variable : {"PROCLEAK_REPORT_DIR", "PROCLEAK_SUPPRESSIONS"}) {
    const char* value = std::getenv(variable);
    if (value != nullptr && *value != '\0') ::setenv(variable, absolute_path(value).c_str(), 1);
  }
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

// Whether a test file of the tree (the top one and those its subdirs()
// name) has a test that may be NOT_AVAILABLE, which json-v1 does not list.
bool may_have_unavailable_tests(const fs::path& build) {
  std::vector<fs::path> todo{build};
  for (std::size_t seen = 0; !todo.empty() && seen < 100000; ++seen) {
    const fs::path dir = todo.back();
    todo.pop_back();
    std::ifstream in(dir / "CTestTestfile.cmake");
    for (std::string line; std::getline(in, line);) {
      if (line.find("NOT_AVAILABLE") != std::string::npos) return true;
      // subdirs("sub"), as CMake writes it.
      constexpr std::string_view kSubdirs = "subdirs(\"";
      if (line.starts_with(kSubdirs) && line.ends_with("\")")) {
        const fs::path sub = line.substr(kSubdirs.size(), line.size() - kSubdirs.size() - 2);
        todo.push_back(sub.is_absolute() ? sub : dir / sub);
      }
    }
  }
  return false;
}

// The build tree's tests as ctest lists them: json-v1, and where some may
// be NOT_AVAILABLE (which json-v1 leaves out) every name in order (-N).
struct Listing {
  std::string json;
  std::vector<std::string> every_name;
};

// Lists the tests; 0, or the exit status to end with (125 when ctest cannot
// run; ctest's own when it cannot read the tree, after saying so).
int list_tests(const std::string& ctest, const fs::path& build, const std::string& config, Listing& out) {
  std::vector<std::string> list{ctest, "--show-only=json-v1", "--test-dir", build.string()};
  if (!config.empty()) list.insert(list.end(), {"-C", config});
  const int listed = run_capturing(list, out.json);
  if (listed < 0) return fail("cannot run " + ctest + ": " + std::strerror(errno));
  if (listed != 0) {
    // ctest cannot read the tree's own test files (it said why on stderr),
    // and would run nothing without procleak either: its exit status.
    std::fprintf(stderr, "procleak-ctest: %s cannot list the tests of %s (exit %d): no test ran\n", ctest.c_str(),
                 build.c_str(), listed);
    return listed;
  }
  if (may_have_unavailable_tests(build)) {
    std::vector<std::string> show{ctest, "-N", "--test-dir", build.string()};
    if (!config.empty()) show.insert(show.end(), {"-C", config});
    std::string text;
    if (run_capturing(show, text) == 0) out.every_name = procleak::ctest_runner::names_from_show_only(text);
  }
  return 0;
}

// A listing kept beside the generated tests, under the fingerprint of the
// tree's test files it was made from (listing_cache.hpp).
bool read_cached_listing(const fs::path& file, const std::string& fingerprint, Listing& out) {
  std::ifstream in(file);
  if (!in) return false;
  const auto doc = nlohmann::json::parse(in, nullptr, false);
  if (!doc.is_object() || doc.value("fingerprint", "") != fingerprint || !doc.contains("listing") ||
      !doc["listing"].is_string() || !doc.contains("every_name") || !doc["every_name"].is_array()) {
    return false;
  }
  out.json = doc["listing"].get<std::string>();
  for (const auto& n : doc["every_name"]) {
    if (!n.is_string()) return false;
    out.every_name.push_back(n.get<std::string>());
  }
  return true;
}

void write_cached_listing(const fs::path& file, const std::string& fingerprint, const Listing& listing) {
  const nlohmann::json doc = {{"fingerprint", fingerprint}, {"listing", listing.json}, {"every_name", listing.every_name}};
  // A listing that is not valid UTF-8 cannot be kept as JSON text: listed anew next time.
  try {
    (void)procleak::write_file_atomically(file.string(), doc.dump());
  } catch (const nlohmann::json::exception&) {
  }
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
        "procleak-ctest - run ctest with every test under procleak-run\n"
        "\n"
        "Usage: procleak-ctest [PROCLEAK-RUN FLAGS --] [CTEST OPTIONS]\n"
        "\n"
        "Runs ctest on a build tree with every test under procleak-run, named by its\n"
        "CTest name. A test that leaked nothing gets exactly plain ctest's result; one\n"
        "that leaked (or whose check was incomplete) fails whatever WILL_FAIL, its\n"
        "regular expressions or SKIP_RETURN_CODE say (SIGUSR1).\n"
        "\n"
        "Options:\n"
        "  PROCLEAK-RUN FLAGS       procleak-run's flags (--mode, --report-dir,\n"
        "                           --suppressions, ...), before a \"--\": every test gets them\n"
        "  CTEST OPTIONS            passed to ctest as they are (--test-dir, -j, -R, -L,\n"
        "                           --output-on-failure, --output-junit, --rerun-failed,\n"
        "                           -T Test, ...)\n"
        "  --help, --version\n"
        "\n"
        "Environment: procleak-run's PROCLEAK_* variables apply to every test;\n"
        "PROCLEAK_CTEST names the ctest to run (default: ctest on PATH). Relative\n"
        "paths (--report-dir, --suppressions, PROCLEAK_REPORT_DIR) are the shell's.\n"
        "\n"
        "Exit status: ctest's; 125: procleak-ctest could not work.\n"
        "\n"
        "Examples:\n"
        "  procleak-ctest --test-dir build -j8 --output-on-failure\n"
        "\n"
        "  procleak-ctest --report-dir leak-reports -- --test-dir build -L unit && procleak-report leak-reports\n");
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
  make_paths_absolute(setup.flags);
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

  // One folder per launcher set-up, so two runs at once with other flags or
  // another configuration never share a file; the same set-up reuses its
  // folder (and so ctest's --rerun-failed record).
  std::vector<std::string> key{setup.procleak_run, ctest, parsed.config};
  key.insert(key.end(), setup.flags.begin(), setup.flags.end());
  const fs::path folder = build / "procleak-ctest" / fnv_hex(key);
  if (auto e = procleak::make_directories(folder.string())) return fail(folder.string() + ": " + e.message());

  Listing listed;
  const auto fingerprint = procleak::ctest_runner::test_files_fingerprint(build);
  const fs::path cache = folder / "listing.json";
  if (!(fingerprint && read_cached_listing(cache, fnv_hex({*fingerprint}), listed))) {
    if (const int code = list_tests(ctest, build, parsed.config, listed); code != 0) return code;
    // Kept only when nothing changed while ctest listed (PRE_TEST discovery
    // writes its list then): the fingerprint then stands for this listing.
    if (fingerprint && fingerprint == procleak::ctest_runner::test_files_fingerprint(build)) {
      write_cached_listing(cache, fnv_hex({*fingerprint}), listed);
    }
  }
  const auto generated = procleak::ctest_runner::generate_tests(
      listed.json, setup, listed.every_name.empty() ? nullptr : &listed.every_name);
  if (!generated.error.empty()) return fail(generated.error);
  for (const auto& w : generated.warnings) std::fprintf(stderr, "procleak-ctest: %s\n", w.c_str());

  const fs::path testfile = folder / "CTestTestfile.cmake";
  if (auto e = procleak::write_file_atomically(testfile.string(), generated.cmake)) {
    return fail(testfile.string() + ": cannot write: " + e.message());
  }
  // ctest reads the file back as it will run it: the same tests, commands and
  // properties, or no test runs. A file already checked is not checked again.
  const fs::path checked = folder / "checked";
  const std::string text_hash = fnv_hex({generated.cmake, ctest});
  std::string previous;
  if (std::ifstream in(checked); in) std::getline(in, previous);
  if (previous != text_hash) {
    std::vector<std::string> relist{ctest, "--show-only=json-v1", "--test-dir", folder.string()};
    if (!parsed.config.empty()) relist.insert(relist.end(), {"-C", parsed.config});
    std::string again;
    std::string errors;
    const int code = run_capturing(relist, again, &errors);
    if (code != 0) {
      return fail(testfile.string() + ": ctest cannot read the generated test file (exit " + std::to_string(code) +
                  "): " + first_line(errors) + " (a procleak-ctest bug: please report it with the build tree's listing)");
    }
    const auto differs = procleak::ctest_runner::compare_listings(listed.json, again, setup, generated.left_out);
    if (!differs.empty()) return fail("the generated tests differ from the build tree's: " + differs);
    (void)procleak::write_file_atomically(checked.string(), text_hash + "\n");
  }
  copy_dashboard_configuration(build, folder);
  std::fprintf(stderr, "procleak-ctest: %zu test%s under procleak-run (%s)\n", generated.tests,
               generated.tests == 1 ? "" : "s", folder.c_str());
  std::fflush(stderr);

  // What killed procleak-run processes left in their cgroups, before this
  // run and after it (a test whose launcher CTest or the OOM killer took
  // whole): killed, and reported in the test's folder.
  std::vector<std::string> sweep{setup.procleak_run};
  sweep.insert(sweep.end(), parsed.launcher_flags.begin(), parsed.launcher_flags.end());
  sweep.emplace_back("--sweep");
  (void)run_passing_through(sweep);
  std::vector<std::string> run{ctest, "--test-dir", folder.string()};
  run.insert(run.end(), parsed.ctest_args.begin(), parsed.ctest_args.end());
  const int status = run_passing_through(run, /*forward_signals=*/true);
  if (status < 0) return fail("cannot run " + ctest + ": " + std::strerror(errno));
  (void)run_passing_through(sweep);
  // ctest's own result: its exit status, or death by its signal.
  if (WIFSIGNALED(status)) {
    ::signal(WTERMSIG(status), SIG_DFL);
    ::raise(WTERMSIG(status));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
