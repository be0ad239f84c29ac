// libFuzzer target: suppressions files. Parsing must never crash; an error is
// one line naming the origin; a parsed file must match a leak without crashing
// (globs have no backtracking blow-up).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "procleak/suppressions.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  const auto rules = procleak::Suppressions::parse(text, "fuzz.supp", error);
  if (!rules) {
    if (error.rfind("fuzz.supp:", 0) != 0 || error.find('\n') != std::string::npos) std::abort();
    return 0;
  }
  procleak::Leak leak;
  leak.comm = "sleep";
  leak.exe = "/usr/bin/sleep";
  leak.cmdline = {"sleep", std::string(text.substr(0, 64))};
  (void)rules->match(leak, "Suite.Name");
  return 0;
}
