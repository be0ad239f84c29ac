// The baseline: leaks a project already knows about, which do not fail the gate.
#pragma once

#include <optional>
#include <compare>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "report_collection.hpp"

namespace procleak::gate {

struct TestIdentity;

// A known leak is a test (its name and program) and the comm of a process
// it leaks. PIDs and arguments change from run to run; which test leaves
// which program behind does not. A known leaker that starts leaking another
// program fails again, and so does another test of the same name.
class Baseline {
 public:
  // File format (procleak.baseline/1), written by --write-baseline:
  //   {"schema": "procleak.baseline/1",
  //    "known_leaks": [{"test": "Suite.Name", "program": "unit_tests", "comm": "sleep"}, ...]}
  // An entry without "program" (written before it was recorded) matches the
  // test of that name in any program. nullopt with a one-line error (without
  // the path) when the file cannot be read or is not one.
  [[nodiscard]] static std::optional<Baseline> load(const std::string& path, std::string& error);
  // The same from the file's text (bounded: kMaxJsonBytes, kMaxJsonDepth).
  [[nodiscard]] static std::optional<Baseline> parse(std::string_view text, std::string& error);

  // The unsuppressed leaks of these reports, as a baseline.
  [[nodiscard]] static Baseline of(const std::vector<LoadedReport>& reports);

  [[nodiscard]] bool knows(const TestIdentity& test, const std::string& comm) const;
  [[nodiscard]] std::size_t size() const noexcept { return known_.size(); }
  [[nodiscard]] std::string to_json() const;

 private:
  struct Entry {
    std::string test;
    std::string program;  // empty: any program
    std::string comm;
    auto operator<=>(const Entry&) const = default;
  };
  std::set<Entry> known_;
};

}  // namespace procleak::gate
