#include "procleak/glob.hpp"

namespace procleak {

bool glob_match(std::string_view pattern, std::string_view text) noexcept {
  // The classic two-pointer matcher: on a mismatch, retry from the last '*'
  // with one more character swallowed. Only the last star is ever revisited,
  // which bounds the work by len(pattern) * len(text).
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;
  std::size_t star_text = 0;
  while (t < text.size()) {
    if (p < pattern.size()) {
      const char c = pattern[p];
      if (c == '*') {
        star = p++;
        star_text = t;
        continue;
      }
      const bool escaped = c == '\\' && p + 1 < pattern.size();
      const char literal = escaped ? pattern[p + 1] : c;
      if ((!escaped && c == '?') || literal == text[t]) {
        p += escaped ? 2 : 1;
        ++t;
        continue;
      }
    }
    if (star == std::string_view::npos) return false;
    p = star + 1;
    t = ++star_text;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace procleak
