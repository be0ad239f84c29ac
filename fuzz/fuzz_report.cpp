// libFuzzer target: JSON reports as the gate reads them (forged or cut
// short). Parsing must never crash or throw; an error is one line; a parsed
// report must write back to JSON that parses to the same verdict, and its
// text must hold no control character but the newlines procleak puts there.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "procleak/report_json.hpp"
#include "procleak/report_text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = procleak::parse_report(text);
  if (parsed.status != procleak::ParsedReport::Status::ok) {
    if (parsed.error.empty() || parsed.error.find('\n') != std::string::npos) std::abort();
    return 0;
  }
  const auto again = procleak::parse_report(procleak::to_json(parsed.report));
  if (again.status != procleak::ParsedReport::Status::ok) std::abort();
  if (procleak::verdict_of(again.report) != procleak::verdict_of(parsed.report)) std::abort();
  for (const char c : procleak::format_text(parsed.report)) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n') std::abort();
  }
  return 0;
}
