// Function, file and line of an address in the test binary, for the spawn
// sites of leaks (spawn_sites.cpp). Through elfutils' libdw where the
// binary can load it (dlopen of libdw.so.1, at the first leak, not before):
// it reads the debug info of the one module the address is in, and of it
// only the compile unit that holds it. Elsewhere (a static binary, no
// libdw.so.1, procleak built without elfutils' headers) through
// Boost.Stacktrace over GCC's libbacktrace, which on its first use reads
// the debug info of every module loaded (libc's own too, where its debug
// package is installed): about 100 ms here against a few with libdw
// (bench/listener.sh, the leak rows).
#pragma once

#include <cstdint>

#include "procleak/leak.hpp"

namespace procleak::spawn_sites {

// pc: an address inside the instruction (a return address minus one).
// Fields stay empty (line 0) where nothing is known.
[[nodiscard]] SpawnFrame symbolize_address(std::uintptr_t pc);

// Which of the two answers symbolize_address: "libdw" or "libbacktrace".
[[nodiscard]] const char* symbolizer_in_use();

}  // namespace procleak::spawn_sites
