// The suppressions file (README: "Suppressions"): leaks that do not fail a
// test. A suppressed leak is still killed and still reported.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "procleak/leak.hpp"

namespace procleak {

struct SuppressionRule {
  enum class Field { comm, exe, cmdline };
  Field field = Field::comm;
  std::string pattern;       // a glob
  std::string test_pattern;  // a glob over the test name; empty: every test
  std::string text;          // the rule as written, for suppressed_by
  int line = 0;
};

class Suppressions {
 public:
  // Parses the content of a suppressions file. On a malformed line returns
  // nullopt and sets error to "<origin>:<line>: <what is wrong>". Pure.
  static std::optional<Suppressions> parse(std::string_view content, std::string_view origin, std::string& error);

  // Reads and parses a file; errors name the file (and line).
  static std::optional<Suppressions> load(const std::string& path, std::string& error);

  // The first rule that matches the leak in the named test, as written.
  [[nodiscard]] std::optional<std::string> match(const Leak& leak, std::string_view test) const;

  // Sets suppressed_by on every leak a rule matches.
  void apply(std::vector<Leak>& leaks, std::string_view test) const;

  [[nodiscard]] const std::vector<SuppressionRule>& rules() const noexcept { return rules_; }

 private:
  std::vector<SuppressionRule> rules_;
};

}  // namespace procleak
