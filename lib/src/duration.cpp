#include "procleak/duration.hpp"

#include <charconv>
#include <cmath>
#include <string>

namespace procleak {

std::optional<Duration> parse_duration(std::string_view text) noexcept {
  // The number: digits with at most one '.', no sign, no exponent. from_chars
  // alone would accept "1e3" and "inf", which are not durations people write.
  std::size_t digits_end = 0;
  bool seen_dot = false;
  bool seen_digit = false;
  for (; digits_end < text.size(); ++digits_end) {
    const char c = text[digits_end];
    if (c >= '0' && c <= '9') {
      seen_digit = true;
    } else if (c == '.' && !seen_dot) {
      seen_dot = true;
    } else {
      break;
    }
  }
  if (!seen_digit) return std::nullopt;
  const std::string_view number = text.substr(0, digits_end);
  const std::string_view unit = text.substr(digits_end);

  double value = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc{} || end != number.data() + number.size() || !std::isfinite(value)) {
    return std::nullopt;
  }

  double scale_ns = 0;
  if (unit == "ms") {
    scale_ns = 1e6;
  } else if (unit == "s") {
    scale_ns = 1e9;
  } else if (unit == "m") {
    scale_ns = 60e9;
  } else {
    return std::nullopt;
  }
  const double ns = value * scale_ns;
  constexpr double kMaxNs = 24.0 * 3600 * 1e9;
  if (ns > kMaxNs) return std::nullopt;
  return Duration(static_cast<Duration::rep>(std::llround(ns)));
}

std::string format_duration(Duration d) {
  // Exact: every value prints as a text that parses back to the same count
  // of nanoseconds (the launcher hands its settings to the test this way).
  const long long ns = d.count();
  const auto fraction = [](long long part, int width) {
    std::string digits = std::to_string(part);
    digits.insert(0, static_cast<std::size_t>(width) - digits.size(), '0');
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    return digits;
  };
  if (ns % 1'000'000'000 == 0) return std::to_string(ns / 1'000'000'000) + "s";
  if (ns % 1'000'000 == 0) {
    if (ns < 1'000'000'000) return std::to_string(ns / 1'000'000) + "ms";
    return std::to_string(ns / 1'000'000'000) + "." + fraction((ns / 1'000'000) % 1000, 3) + "s";
  }
  return std::to_string(ns / 1'000'000) + "." + fraction(ns % 1'000'000, 6) + "ms";
}

}  // namespace procleak
