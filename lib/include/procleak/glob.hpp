// Shell-style globs for suppression rules: '*' any run of characters
// (including '/' and spaces), '?' one character, '\' makes the next character
// literal. No classes, no regular expressions: matching is O(len(text) *
// len(pattern)) at worst, so no pattern can make it slow.
#pragma once

#include <string_view>

namespace procleak {

[[nodiscard]] bool glob_match(std::string_view pattern, std::string_view text) noexcept;

}  // namespace procleak
