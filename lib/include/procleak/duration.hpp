// DURATION values of the command line and the PROCLEAK_* variables.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace procleak {

using Duration = std::chrono::nanoseconds;

// Parses "<number><unit>" with unit ms, s or m and a decimal number that may
// have a fraction ("250ms", "2s", "1.5s", "0.5m"). Returns nullopt for a
// missing or unknown unit, a sign, an exponent, a non-finite value or a value
// above 24 hours (no test needs more; it also keeps every sum in range).
// Pure: no I/O, no locale.
[[nodiscard]] std::optional<Duration> parse_duration(std::string_view text) noexcept;

// "250ms", "2s", "1.5s": the shortest form that parse_duration reads back.
[[nodiscard]] std::string format_duration(Duration d);

[[nodiscard]] inline double to_ms(Duration d) noexcept {
  return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace procleak
