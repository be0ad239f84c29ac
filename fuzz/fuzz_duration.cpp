// libFuzzer target: DURATION arguments ("250ms", "1.5s"). Whatever parses must
// print back to a text that parses to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "procleak/duration.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto d = procleak::parse_duration(text);
  if (d) {
    if (d->count() < 0) std::abort();
    const auto again = procleak::parse_duration(procleak::format_duration(*d));
    if (!again || *again != *d) std::abort();
  }
  return 0;
}
