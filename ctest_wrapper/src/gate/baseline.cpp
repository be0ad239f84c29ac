#include "baseline.hpp"

#include <nlohmann/json.hpp>

#include "judgement.hpp"
#include "procleak/report_json.hpp"

namespace procleak::gate {

namespace {
constexpr std::string_view kBaselineSchema = "procleak.baseline/1";
}

std::optional<Baseline> Baseline::load(const std::string& path, std::string& error) {
  std::string text;
  error = read_bounded(path, text);
  if (!error.empty()) return std::nullopt;
  return parse(text, error);
}

std::optional<Baseline> Baseline::parse(std::string_view text, std::string& error) {
  error = json_limits_problem(text);
  if (!error.empty()) return std::nullopt;
  const auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    error = "not valid JSON (a truncated file?)";
    return std::nullopt;
  }
  // Field by field with its type checked: value() would throw type_error
  // (and abort the gate) for {"schema": 1}.
  const auto schema = doc.find("schema");
  if (schema == doc.end() || !schema->is_string() || schema->get<std::string>() != kBaselineSchema) {
    error = "not a procleak baseline (expected \"schema\": \"" + std::string(kBaselineSchema) + "\")";
    return std::nullopt;
  }
  const auto known = doc.find("known_leaks");
  if (known == doc.end() || !known->is_array()) {
    error = "known_leaks is missing or not an array";
    return std::nullopt;
  }
  Baseline b;
  for (std::size_t i = 0; i < known->size(); ++i) {
    const auto& e = (*known)[i];
    if (!e.is_object() || !e.contains("test") || !e["test"].is_string() || !e.contains("comm") ||
        !e["comm"].is_string()) {
      error = "known_leaks[" + std::to_string(i) + "] needs string fields test and comm";
      return std::nullopt;
    }
    std::string program;
    if (const auto p = e.find("program"); p != e.end() && !p->is_null()) {
      if (!p->is_string()) {
        error = "known_leaks[" + std::to_string(i) + "].program is not a string";
        return std::nullopt;
      }
      program = p->get<std::string>();
    }
    b.known_.insert({e["test"].get<std::string>(), std::move(program), e["comm"].get<std::string>()});
  }
  return b;
}

bool Baseline::knows(const TestIdentity& test, const std::string& comm) const {
  return known_.contains({test.test, test.program, comm}) || known_.contains({test.test, "", comm});
}

Baseline Baseline::of(const std::vector<LoadedReport>& reports) {
  Baseline b;
  for (const auto& r : reports) {
    for (const auto& leak : r.report.leaks) {
      if (!leak.suppressed_by) b.known_.insert({r.report.test, program_of(r.report), leak.comm});
    }
  }
  return b;
}

std::string Baseline::to_json() const {
  nlohmann::ordered_json known = nlohmann::ordered_json::array();
  for (const auto& e : known_) {
    nlohmann::ordered_json entry{{"test", e.test}};
    if (!e.program.empty()) entry["program"] = e.program;
    entry["comm"] = e.comm;
    known.push_back(std::move(entry));
  }
  const nlohmann::ordered_json doc{{"schema", kBaselineSchema}, {"known_leaks", std::move(known)}};
  return doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + '\n';
}

}  // namespace procleak::gate
