// The C library's own fork, posix_spawn, posix_spawnp, system, popen and clone,
// which the spawn-site wrappers (spawn_sites.cpp) replace in the test binary
// and call through.
//
// In a dynamically linked binary they are the next definitions after the
// binary's own (dlsym(RTLD_NEXT)). In a statically linked one there is no
// next object (dlsym answers null) and the wrappers took the public names,
// so glibc's own names are used instead: __fork, _IO_popen and __clone (public
// aliases, whose references also bring glibc's implementations into the
// link, __posix_spawn with popen's), __posix_spawnp and __libc_system where
// the link has them, else the same done through __posix_spawn.
#pragma once

#include <spawn.h>
#include <sys/types.h>

#include <cstdio>

namespace procleak::spawn_sites {

struct LibcOriginals {
  using Spawn = int (*)(pid_t*, const char*, const posix_spawn_file_actions_t*, const posix_spawnattr_t*, char* const*,
                        char* const*);
  pid_t (*fork)() = nullptr;
  Spawn posix_spawn = nullptr;
  Spawn posix_spawnp = nullptr;
  int (*system)(const char*) = nullptr;
  FILE* (*popen)(const char*, const char*) = nullptr;
  int (*clone)(int (*)(void*), void*, int, void*, ...) = nullptr;
  // Whether the C library is a shared object beside the binary (false: a
  // static binary, where dlopen would load a second C library).
  bool shared_libc = true;
};

// Resolved once (dlsym is not safe in a forking child or a signal handler);
// every member is non-null.
const LibcOriginals& libc_originals();

}  // namespace procleak::spawn_sites
