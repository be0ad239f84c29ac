// libFuzzer target: baselines (--baseline FILE), which a pull request may
// change. Parsing must never crash or throw; an error is one line; a parsed
// baseline must write back to one that parses to the same size.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "baseline.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  const auto baseline = procleak::gate::Baseline::parse(text, error);
  if (!baseline) {
    if (error.empty() || error.find('\n') != std::string::npos) std::abort();
    return 0;
  }
  const auto again = procleak::gate::Baseline::parse(baseline->to_json(), error);
  if (!again || again->size() != baseline->size()) std::abort();
  return 0;
}
