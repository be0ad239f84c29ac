#include "spawn_test.hpp"

#include "procleak/process_handle.hpp"
#include "inherited_state.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

// Boost 1.81's Process v2 with BOOST_PROCESS_USE_STD_FS (std::filesystem, so
// nothing to link) names boost::optional and type traits its config header
// does not include; these lines supply them. Only the launcher and process
// headers are used: v2.hpp would also pull environment.hpp, which does not
// compile in that configuration.
#include <boost/optional.hpp>
#include <boost/version.hpp>
#include <boost/type_traits/remove_pointer.hpp>
#include <type_traits>
// clang-format off
#include <boost/asio/io_context.hpp>
#include <boost/process/v2/posix/vfork_launcher.hpp>
#include <boost/process/v2/process.hpp>
// clang-format on
#include <cerrno>
#include <cstring>
#include <limits>
#include <optional>

namespace procleak::launcher {
namespace {

namespace bp = boost::process::v2;
using boost::system::error_code;

error_code last_error() { return {errno, boost::system::system_category()}; }

// The child-setup hook. The child is started with vfork: it borrows the
// launcher's memory until execve instead of copying its page tables, which
// is most of what starting a child costs a C++ program. So everything that
// runs in the child is a plain system call, and the child ends with _exit.
struct TestSessionSetup {
  pid_t launcher_pid;
  const sigset_t* child_mask;
  const InheritedState* inherited;
  // The test's cgroup (cgroup.procs, for writing), or -1; where the child
  // puts the errno when it cannot join (it shares our memory until exec).
  int cgroup_procs_fd;
  int* join_error;
  // The argument vector as execvp would pass it: argv[0] as the caller gave
  // it ("bash", not the "/usr/bin/bash" Boost puts there), so a program that
  // reads its own name ($0, usage lines, multi-call binaries) sees the same
  // under procleak-run.
  const char* const* argv;

  // In the parent, before fork: keep every descriptor the launcher would
  // pass on to a child itself (not close-on-exec), so procleak-run is
  // transparent (Launcher.TheTestGetsExactlyTheDescriptorsItWasHanded).
  template <typename Launcher>
  error_code on_setup(Launcher& launcher, const bp::filesystem::path&, const char* const*& argv_out) {
    argv_out = argv;
#if BOOST_VERSION == 108100
    // Boost 1.81 closes only the range above the highest listed descriptor
    // (close_handles.ipp compares each entry with itself, not the next), so
    // listing one no process can hold keeps all. Each of the launcher's own
    // descriptors is close-on-exec, so execve drops those, and the test gets
    // what the caller handed us. Listing /proc/self/fd instead cost a
    // directory read and a dentry per descriptor (README.md, "Figures").
    launcher.fd_whitelist = {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO, std::numeric_limits<int>::max() - 1};
#else
    // A Boost that closes the gaps between listed descriptors too: list them.
    DIR* dir = ::opendir("/proc/self/fd");
    if (dir == nullptr) return {};
    while (const dirent* entry = ::readdir(dir)) {
      const int fd = std::atoi(entry->d_name);
      if (fd <= STDERR_FILENO || fd == ::dirfd(dir)) continue;
      const int flags = ::fcntl(fd, F_GETFD);
      if (flags >= 0 && (flags & FD_CLOEXEC) == 0) launcher.fd_whitelist.push_back(fd);
    }
    ::closedir(dir);
#endif
    return {};
  }

  template <typename Launcher>
  error_code on_exec_setup(Launcher&, const bp::filesystem::path&, const char* const*&) {
    // Into the test's cgroup first: everything it starts is born there.
    if (cgroup_procs_fd >= 0 && ::write(cgroup_procs_fd, "0", 1) != 1) {
      const int err = errno;
      if (join_error != nullptr) *join_error = err;
      return {err, boost::system::system_category()};
    }
    // A session of its own: the test's group and session ids are its PID, so
    // anything that leaves them later can be called an escapee.
    if (::setsid() < 0) return last_error();
    // If the launcher dies, the test's main process dies with it...
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) return last_error();
    // ...unless it died before the line above: then we already have a new parent.
    if (::getppid() != launcher_pid) ::_exit(127);
    // The launcher blocks the signals it forwards; the test starts as it would
    // without the launcher.
    if (::sigprocmask(SIG_SETMASK, child_mask, nullptr) != 0) return last_error();
    // SIGCHLD, SIGPIPE and the fd limit as the caller handed them to us.
    if (const int err = restore_inherited_state(*inherited); err != 0) return {err, boost::system::system_category()};
    return {};
  }

  // In the child when execve (or the set-up above) failed; the error is
  // already in the launcher's error code, which the parent reads. _exit, not
  // the exit() Boost would call next: atexit handlers and stdio flushes
  // belong to the launcher, whose memory this child shares. (Variadic:
  // Boost 1.81 probes this hook with a different argument list than the
  // one it calls it with.)
  template <typename... Args>
  void on_exec_error(Args&&...) {
    ::_exit(127);
  }
};

bool is_regular_file(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// execvp's lookup: a name with a slash is a path; otherwise the first PATH
// entry where it is an executable file. If it exists only without the x bit,
// that path is returned so exec fails with EACCES (126), as shells do. One
// access() per PATH entry that does not have it, as execvp's one execve.
std::string resolve(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path_env = ::getenv("PATH");
  const std::string path = path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin";
  std::string not_executable;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + '/' + name;
    if (::access(candidate.c_str(), X_OK) == 0) {
      if (is_regular_file(candidate)) return candidate;
    } else if (errno == EACCES && not_executable.empty()) {
      not_executable = candidate;
    }
    start = end + 1;
  }
  return not_executable;
}

}  // namespace

namespace {

// One launch through Boost.Process; ec says why it failed.
std::optional<bp::process> launch(boost::asio::io_context& ctx, const std::string& executable,
                                  const std::string& argv0, const std::vector<std::string>& args, const sigset_t& child_mask,
                                  const InheritedState& inherited, int cgroup_procs_fd, int* join_error,
                                  error_code& ec, pid_t& child) {
  bp::posix::vfork_launcher launcher;
  std::optional<bp::process> proc;
  // The executor overload: in Boost 1.81 the io_context overload that takes
  // an error_code drops it and throws instead.
  std::vector<const char*> argv{argv0.c_str()};
  for (const auto& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  proc.emplace(launcher(ctx.get_executor(), ec, executable, args,
                        TestSessionSetup{::getpid(), &child_mask, &inherited, cgroup_procs_fd, join_error, argv.data()}));
  child = launcher.pid;
  return proc;
}

}  // namespace

namespace {

SpawnError error_of(int err) {
  return err == ENOENT ? SpawnError::not_found
         : (err == EACCES || err == ENOEXEC || err == EISDIR || err == EPERM) ? SpawnError::not_executable
                                                                                : SpawnError::setup_failed;
}

// The test's child born in the cgroup: clone3(CLONE_INTO_CGROUP) without
// CLONE_VM, so the child returns from the call on its own copy of our
// memory, like fork's. It does what the vfork child does (TestSessionSetup),
// with system calls only, and says through a close-on-exec pipe how its exec
// went: nothing (it ran), 'S' (no "#!": running it with /bin/sh, as execvp
// does), or 'E' and the errno. nullopt: clone3 refused here.
std::optional<SpawnResult> spawn_into_cgroup(const std::string& executable, const std::vector<std::string>& command,
                                             const sigset_t& child_mask, const InheritedState& inherited,
                                             int cgroup_dir_fd) {
  std::vector<std::string> args(command.begin() + 1, command.end());
  std::vector<const char*> argv{command.front().c_str()};
  for (const auto& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  std::vector<const char*> sh_argv{"/bin/sh", executable.c_str()};
  for (const auto& a : args) sh_argv.push_back(a.c_str());
  sh_argv.push_back(nullptr);
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) return std::nullopt;
  clone_args ca{};
  ca.flags = CLONE_INTO_CGROUP;
  ca.exit_signal = SIGCHLD;
  ca.cgroup = static_cast<std::uint64_t>(cgroup_dir_fd);
  const pid_t launcher = ::getpid();
  const long pid = ::syscall(SYS_clone3, &ca, sizeof ca);
  if (pid == 0) {
    const auto fail = [&](int err) {
      char msg[1 + sizeof err];
      msg[0] = 'E';
      std::memcpy(msg + 1, &err, sizeof err);
      (void)!::write(report[1], msg, sizeof msg);
      ::_exit(127);
    };
    if (::setsid() < 0) fail(errno);
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) fail(errno);
    if (::getppid() != launcher) ::_exit(127);
    if (::sigprocmask(SIG_SETMASK, &child_mask, nullptr) != 0) fail(errno);
    if (const int err = restore_inherited_state(inherited); err != 0) fail(err);
    ::execve(executable.c_str(), const_cast<char* const*>(argv.data()), environ);
    if (errno != ENOEXEC) fail(errno);
    (void)!::write(report[1], "S", 1);
    ::execve("/bin/sh", const_cast<char* const*>(sh_argv.data()), environ);
    fail(errno);
  }
  ::close(report[1]);
  if (pid < 0) {
    ::close(report[0]);
    return std::nullopt;  // ENOSYS, EPERM (seccomp), E2BIG, EINVAL: the caller joins the other way
  }
  char buf[1 + sizeof(int)];
  std::size_t got = 0;
  bool used_sh = false;
  for (;;) {
    const ssize_t n = ::read(report[0], buf + got, sizeof buf - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
    if (got >= 1 && buf[0] == 'S') {
      used_sh = true;
      std::memmove(buf, buf + 1, got - 1);
      --got;
    }
    if (got == sizeof buf) break;
  }
  ::close(report[0]);
  SpawnResult result;
  if (got == sizeof buf && buf[0] == 'E') {
    int err = 0;
    std::memcpy(&err, buf + 1, sizeof err);
    ::waitpid(static_cast<pid_t>(pid), nullptr, 0);
    result.error = error_of(err);
    result.message = command.front() + ": " + std::strerror(err);
    return result;
  }
  result.test.pid = static_cast<pid_t>(pid);
  result.test.exec_path = used_sh ? "/bin/sh" : executable;
  result.test.argv = used_sh ? std::vector<std::string>{"/bin/sh", executable} : std::vector<std::string>{command.front()};
  result.test.argv.insert(result.test.argv.end(), args.begin(), args.end());
  result.test.pidfd.reset(procleak::pidfd_open(result.test.pid));
  return result;
}

}  // namespace

SpawnResult spawn_test(const std::vector<std::string>& command, const sigset_t& child_mask,
                       const InheritedState& inherited, const TestCgroup* cgroup, int* join_error) {
  if (join_error != nullptr) *join_error = 0;
  SpawnResult result;
  const std::string executable = resolve(command.front());
  if (executable.empty()) {
    result.error = SpawnError::not_found;
    result.message = command.front() + ": command not found";
    return result;
  }
  if (cgroup != nullptr) {
    if (auto born_inside = spawn_into_cgroup(executable, command, child_mask, inherited, cgroup->dir_fd())) {
      return std::move(*born_inside);
    }
  }
  const int cgroup_procs_fd = cgroup != nullptr ? cgroup->procs_fd() : -1;

  // Nothing may use this io_context before the launch: a reactor created
  // here would be rebuilt by the vfork child inside the launcher's memory.
  boost::asio::io_context ctx;
  error_code ec;
  std::vector<std::string> args(command.begin() + 1, command.end());
  std::optional<bp::process> proc;
  pid_t child = 0;
  bool used_sh = false;
  try {
    proc = launch(ctx, executable, command.front(), args, child_mask, inherited, cgroup_procs_fd, join_error, ec, child);
    if (ec && ec.value() == ENOEXEC) {
      // A script without "#!": execvp runs it with /bin/sh, and so do we.
      if (child > 0) ::waitpid(child, nullptr, 0);
      std::vector<std::string> sh_args{executable};
      sh_args.insert(sh_args.end(), args.begin(), args.end());
      ec = {};
      used_sh = true;
      proc = launch(ctx, "/bin/sh", "/bin/sh", sh_args, child_mask, inherited, cgroup_procs_fd, join_error, ec, child);
    }
  } catch (const std::exception& e) {  // allocation failure inside the launcher
    if (child > 0) ::waitpid(child, nullptr, 0);
    result.error = SpawnError::setup_failed;
    result.message = std::string("cannot start ") + command.front() + ": " + e.what();
    return result;
  }
  if (ec) {
    // The child that failed to exec has exited: reap it, or it would outlive
    // us as a zombie handed to our own subreaper.
    if (child > 0) ::waitpid(child, nullptr, 0);
    const int err = ec.value();
    if (join_error != nullptr && *join_error != 0) {
      result.error = SpawnError::setup_failed;
      result.message = "the test cannot join its cgroup: " + std::string(std::strerror(err));
      return result;
    }
    result.error = error_of(err);
    result.message = command.front() + ": " + std::strerror(err);
    return result;
  }
  result.test.pid = proc->id();
  if (used_sh) {
    result.test.exec_path = "/bin/sh";
    result.test.argv = {"/bin/sh", executable};
  } else {
    result.test.exec_path = executable;
    result.test.argv = {command.front()};
  }
  result.test.argv.insert(result.test.argv.end(), args.begin(), args.end());
  // Our own pidfd (Boost's is disabled, BOOST_PROCESS_V2_DISABLE_PIDFD_OPEN:
  // it threw where pidfds are refused). The child is not reaped until we
  // wait for it, so its PID is still its own here. None (ENOSYS, EPERM,
  // EMFILE): the wait polls instead. Asked directly, not after the probe
  // (pidfds_available), which would open and close one more.
  result.test.pidfd.reset(procleak::pidfd_open(result.test.pid));
  (void)proc->detach();  // we wait and reap ourselves; Boost must not terminate it
  return result;
}

}  // namespace procleak::launcher
