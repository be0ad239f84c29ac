#include "libc_originals.hpp"

#include <dlfcn.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

extern "C" {
// Public aliases in every glibc (GLIBC_2.2.5), not declared in its headers.
// Strong references: in a static link they pull glibc's fork and popen (and
// with popen, __posix_spawn) into the binary, beside the wrappers.
pid_t __fork();
FILE* _IO_popen(const char*, const char*);
int __clone(int (*)(void*), void*, int, void*, ...);
// glibc's own names, not exported by libc.so: weak, null where the link
// does not hold them (a dynamic link, or a static one that brought no
// member defining them).
int __posix_spawn(pid_t*, const char*, const posix_spawn_file_actions_t*, const posix_spawnattr_t*, char* const*,
                  char* const*) __attribute__((weak));
int __posix_spawnp(pid_t*, const char*, const posix_spawn_file_actions_t*, const posix_spawnattr_t*, char* const*,
                   char* const*) __attribute__((weak));
int __libc_system(const char*) __attribute__((weak));
}

extern char** environ;

namespace procleak::spawn_sites {
namespace {

template <typename F>
F next_symbol(const char* name) {
  return reinterpret_cast<F>(::dlsym(RTLD_NEXT, name));
}

// posix_spawnp through __posix_spawn (a static binary without glibc's own):
// a file with a '/' as it is, else each PATH entry in turn, on as execvp
// goes on (the file not there, not allowed, not a folder in the way).
int spawnp_through_spawn(pid_t* pid, const char* file, const posix_spawn_file_actions_t* actions,
                         const posix_spawnattr_t* attr, char* const argv[], char* const envp[]) {
  if (std::strchr(file, '/') != nullptr) return __posix_spawn(pid, file, actions, attr, argv, envp);
  const char* path = std::getenv("PATH");
  const std::string dirs = path != nullptr ? path : "/bin:/usr/bin";
  int last = ENOENT;
  for (std::size_t start = 0; start <= dirs.size();) {
    auto end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::string dir = end == start ? "." : dirs.substr(start, end - start);
    start = end + 1;
    const std::string candidate = dir + '/' + file;
    const int err = __posix_spawn(pid, candidate.c_str(), actions, attr, argv, envp);
    if (err != ENOENT && err != EACCES && err != ENOTDIR) return err;
    if (err == EACCES || last == ENOENT) last = err;
  }
  return last;
}

// system() as POSIX describes it, through __posix_spawn: sh -c COMMAND,
// SIGINT and SIGQUIT ignored and SIGCHLD blocked in the caller meanwhile,
// the child with the caller's mask and those two at their default.
int system_through_spawn(const char* command) {
  if (command == nullptr) return 1;  // a shell is there
  struct sigaction ignore{}, old_int{}, old_quit{};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  ::sigaction(SIGINT, &ignore, &old_int);
  ::sigaction(SIGQUIT, &ignore, &old_quit);
  sigset_t chld, old_mask;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  ::sigprocmask(SIG_BLOCK, &chld, &old_mask);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  if (old_int.sa_handler != SIG_IGN) sigaddset(&defaults, SIGINT);
  if (old_quit.sa_handler != SIG_IGN) sigaddset(&defaults, SIGQUIT);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setsigmask(&attr, &old_mask);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  char sh[] = "sh";
  char dash_c[] = "-c";
  char* const argv[] = {sh, dash_c, const_cast<char*>(command), nullptr};
  pid_t pid = 0;
  int status = -1;
  const int err = __posix_spawn(&pid, "/bin/sh", nullptr, &attr, argv, environ);
  posix_spawnattr_destroy(&attr);
  if (err == 0) {
    while (::waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR) {
        status = -1;
        break;
      }
    }
  } else {
    status = 127 << 8;  // as if the shell could not run the command
  }
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGQUIT, &old_quit, nullptr);
  ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  return status;
}

LibcOriginals resolve() {
  LibcOriginals r;
  r.fork = next_symbol<pid_t (*)()>("fork");
  r.posix_spawn = next_symbol<LibcOriginals::Spawn>("posix_spawn");
  r.posix_spawnp = next_symbol<LibcOriginals::Spawn>("posix_spawnp");
  r.system = next_symbol<int (*)(const char*)>("system");
  r.popen = next_symbol<FILE* (*)(const char*, const char*)>("popen");
  r.clone = next_symbol<int (*)(int (*)(void*), void*, int, void*, ...)>("clone");
  // A static binary: no next object.
  r.shared_libc = r.fork != nullptr;
  if (r.fork == nullptr) r.fork = &__fork;
  if (r.popen == nullptr) r.popen = &_IO_popen;
  if (r.clone == nullptr) r.clone = &__clone;
  if (r.posix_spawn == nullptr) r.posix_spawn = __posix_spawn;
  if (r.posix_spawnp == nullptr) r.posix_spawnp = __posix_spawnp != nullptr ? __posix_spawnp : &spawnp_through_spawn;
  if (r.system == nullptr) r.system = __libc_system != nullptr ? __libc_system : &system_through_spawn;
  return r;
}

}  // namespace

const LibcOriginals& libc_originals() {
  static const LibcOriginals r = resolve();
  return r;
}

}  // namespace procleak::spawn_sites
