// libFuzzer target: /proc/<pid>/stat lines, any bytes. The parser must never
// crash, read out of bounds or accept a line it cannot fully account for.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "procleak/proc_stat.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto stat = procleak::parse_proc_stat(text);
  if (stat) {
    // comm is what lies between the first '(' and the last ')': never longer than the input.
    if (stat->comm.size() > size) std::abort();
    if (text.find('(') == std::string_view::npos || text.rfind(')') == std::string_view::npos) std::abort();
  }
  return 0;
}
