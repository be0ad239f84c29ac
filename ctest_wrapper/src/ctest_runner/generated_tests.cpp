#include "generated_tests.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

namespace procleak::ctest_runner {
namespace {

using nlohmann::json;

// One CMake list from json-v1 values, with ';' inside an element escaped.
std::string cmake_list(const json& array) {
  std::string out;
  for (const auto& e : array) {
    if (!out.empty()) out.push_back(';');
    std::string text = e.is_string() ? e.get<std::string>() : e.dump();
    std::string escaped;
    for (const char c : text) {
      if (c == ';') escaped.push_back('\\');
      escaped.push_back(c);
    }
    out += escaped;
  }
  return out;
}

// A property's value as set_tests_properties takes it; nullopt for a shape
// this version does not know (left out, with a warning).
std::optional<std::string> property_value(const std::string& name, const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return std::string(v.get<bool>() ? "ON" : "OFF");
  if (v.is_number()) return v.dump();
  if (name == "RESOURCE_GROUPS" && v.is_array()) {
    // [{"requirements": [{".type": "gpus", "slots": 2}, ...]}, ...] -> "gpus:2,...;..."
    std::string out;
    for (const auto& group : v) {
      if (!group.is_object() || !group.contains("requirements") || !group["requirements"].is_array()) return {};
      if (!out.empty()) out.push_back(';');
      std::string one;
      for (const auto& r : group["requirements"]) {
        if (!r.is_object() || !r.contains(".type") || !r.contains("slots")) return {};
        if (!one.empty()) one.push_back(',');
        one += fmt::format("{}:{}", r[".type"].get<std::string>(), r["slots"].dump());
      }
      out += one;
    }
    return out;
  }
  if (name == "MEASUREMENT" && v.is_object()) {
    json pairs = json::array();
    for (const auto& [k, value] : v.items()) pairs.push_back(k + "=" + (value.is_string() ? value.get<std::string>() : value.dump()));
    return cmake_list(pairs);
  }
  if (name == "TIMEOUT_AFTER_MATCH" && v.is_object() && v.contains("timeout") && v.contains("regex")) {
    json list = json::array({v["timeout"]});
    for (const auto& r : v["regex"]) list.push_back(r);
    return cmake_list(list);
  }
  if (v.is_array() && std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_primitive(); })) {
    return cmake_list(v);
  }
  return std::nullopt;
}

// ctest's JSON writer puts U+FFFD where a string had bytes that are not
// UTF-8: the listing no longer says what the test runs.
bool holds_replaced_bytes(const json& value) {
  constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  if (value.is_string()) return value.get_ref<const std::string&>().find(kReplacement) != std::string::npos;
  if (value.is_array() || value.is_object()) {
    return std::any_of(value.begin(), value.end(), [](const json& e) { return holds_replaced_bytes(e); });
  }
  return false;
}

}  // namespace

std::string cmake_argument(std::string_view text) {
  // CMake reads a CR LF in a file as LF, also inside a bracket argument: a
  // text with a CR is a quoted argument with escapes instead.
  if (text.find('\r') != std::string_view::npos) {
    std::string out = "\"";
    for (const char c : text) {
      switch (c) {
        case '\\': out += "\\\\"; break;
        case '"': out += "\\\""; break;
        case '$': out += "\\$"; break;
        case '\r': out += "\\r"; break;
        case '\n': out += "\\n"; break;
        default: out.push_back(c);
      }
    }
    return out + '"';
  }
  // The closing "]=*]" must not appear in the text, nor be completed by the
  // closing bracket itself: a text that ends in "]" followed by as many "="
  // as the closing has ("a]" in "[[a]]]") would close the argument early.
  std::string eq;
  while (text.find("]" + eq + "]") != std::string_view::npos || text.ends_with("]" + eq)) eq.push_back('=');
  // A leading newline would be dropped by the bracket syntax: keep it.
  const std::string_view lead = !text.empty() && text.front() == '\n' ? "\n" : "";
  return fmt::format("[{0}[{1}{2}]{0}]", eq, lead, text);
}

LauncherDeadline launcher_deadline(double ctest_timeout_s, double grace_s, double settle_s) {
  const long timeout_ms = std::lround(ctest_timeout_s * 1000);
  const long grace_ms = std::lround(grace_s * 1000);
  const long settle_ms = std::lround(settle_s * 1000);
  const long margin_ms = std::min(timeout_ms / 3, 2 * grace_ms + settle_ms + 1000);
  return {timeout_ms - margin_ms, std::max(1L, std::min(grace_ms, (margin_ms - settle_ms) / 4))};
}

std::vector<std::string> names_from_show_only(std::string_view text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < text.size()) {
    auto end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    at = end + 1;
    const auto first = line.find_first_not_of(' ');
    if (first == std::string_view::npos || !line.substr(first).starts_with("Test")) continue;
    line.remove_prefix(first + 4);
    const auto hash = line.find_first_not_of(' ');
    if (hash == std::string_view::npos || hash == 0 || line[hash] != '#') continue;
    const auto colon = line.find(": ", hash);
    if (colon == std::string_view::npos) continue;
    const auto number = line.substr(hash + 1, colon - hash - 1);
    if (number.empty() || number.find_first_not_of("0123456789") != std::string_view::npos) continue;
    out.emplace_back(line.substr(colon + 2));
  }
  return out;
}

GeneratedTests generate_tests(std::string_view listing, const LauncherSetup& setup,
                              const std::vector<std::string>* every_name) {
  GeneratedTests out;
  const auto doc = json::parse(listing, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || doc.value("kind", "") != "ctestInfo" || !doc.contains("tests") ||
      !doc["tests"].is_array()) {
    out.error = "ctest --show-only=json-v1 did not give a test listing (ctest 3.14 or later needed)";
    return out;
  }
  out.cmake =
      "# Generated by procleak-ctest from `ctest --show-only=json-v1`: every test of\n"
      "# the build tree with its command under procleak-run. Written again on each run.\n";
  // The tests json-v1 leaves out (NOT_AVAILABLE in this configuration) are
  // written where `ctest -N` has them, so every test keeps its number (-I).
  std::size_t next_name = 0;
  const auto not_available = [&](const std::string& name) {
    ++out.tests;
    out.cmake += fmt::format("add_test({} NOT_AVAILABLE)\n", cmake_argument(name));
  };
  const auto unlisted_before = [&](const std::string& name) {
    if (every_name == nullptr) return;
    // `ctest -N` adds " (Disabled)" to a disabled test's name.
    const auto it = std::find_if(every_name->begin() + static_cast<std::ptrdiff_t>(next_name), every_name->end(),
                                 [&](const std::string& shown) { return shown == name || shown == name + " (Disabled)"; });
    if (it == every_name->end()) return;  // names that do not line up: json-v1 alone decides
    for (; next_name < static_cast<std::size_t>(it - every_name->begin()); ++next_name) not_available((*every_name)[next_name]);
    ++next_name;
  };
  for (const auto& t : doc["tests"]) {
    if (!t.is_object() || !t.contains("name") || !t["name"].is_string()) continue;
    const auto name = t["name"].get<std::string>();
    unlisted_before(name);
    ++out.tests;
    if (holds_replaced_bytes(t)) {
      out.error = fmt::format("test {}: its name, command or a property holds bytes that are not UTF-8, which "
                              "ctest's listing gives as U+FFFD; procleak-ctest cannot run it exactly",
                              json(name).dump());
      return out;
    }
    if (!t.contains("command") || !t["command"].is_array() || t["command"].empty()) {
      // Not available in this configuration: CTest says so itself.
      out.cmake += fmt::format("add_test({} NOT_AVAILABLE)\n", cmake_argument(name));
      continue;
    }
    std::optional<double> timeout = setup.default_timeout;
    std::string properties;
    if (t.contains("properties") && t["properties"].is_array()) {
      for (const auto& p : t["properties"]) {
        if (!p.is_object() || !p.contains("name") || !p["name"].is_string() || !p.contains("value")) continue;
        const auto pname = p["name"].get<std::string>();
        const auto value = property_value(pname, p["value"]);
        if (!value) {
          out.warnings.push_back(fmt::format("test {}: property {} has a form this procleak-ctest does not know; "
                                             "left out", name, pname));
          out.left_out.push_back(pname);
          continue;
        }
        if (pname == "TIMEOUT" && p["value"].is_number()) timeout = p["value"].get<double>();
        properties += fmt::format(" {} {}", pname, cmake_argument(*value));
      }
    }
    std::string command = cmake_argument(setup.procleak_run);
    for (const auto& f : setup.flags) command += ' ' + cmake_argument(f);
    command += " --ctest --name " + cmake_argument(name);
    if (timeout && *timeout > 0) {
      const auto d = launcher_deadline(*timeout, setup.grace_seconds, setup.settle_seconds);
      command += fmt::format(" --timeout {}ms --grace {}ms", d.timeout_ms, d.grace_ms);
    }
    command += " --";
    for (const auto& arg : t["command"]) command += ' ' + cmake_argument(arg.is_string() ? arg.get<std::string>() : arg.dump());
    out.cmake += fmt::format("add_test({} {})\n", cmake_argument(name), command);
    if (!properties.empty()) out.cmake += fmt::format("set_tests_properties({} PROPERTIES{})\n", cmake_argument(name), properties);
  }
  if (every_name != nullptr) {
    for (; next_name < every_name->size(); ++next_name) not_available((*every_name)[next_name]);
  }
  return out;
}

namespace {

// The properties of a json-v1 test, by name.
std::map<std::string, json> properties_of(const json& test) {
  std::map<std::string, json> out;
  if (!test.contains("properties") || !test["properties"].is_array()) return out;
  for (const auto& p : test["properties"]) {
    if (p.is_object() && p.contains("name") && p["name"].is_string() && p.contains("value")) {
      out[p["name"].get<std::string>()] = p["value"];
    }
  }
  return out;
}

std::vector<const json*> named_tests(const json& doc) {
  std::vector<const json*> out;
  if (!doc.is_object() || !doc.contains("tests") || !doc["tests"].is_array()) return out;
  for (const auto& t : doc["tests"]) {
    if (t.is_object() && t.contains("name") && t["name"].is_string()) out.push_back(&t);
  }
  return out;
}

}  // namespace

std::string compare_listings(std::string_view original, std::string_view generated, const LauncherSetup& setup,
                             const std::vector<std::string>& left_out) {
  const auto before = json::parse(original, nullptr, false);
  const auto after = json::parse(generated, nullptr, false);
  if (after.is_discarded()) return "ctest's listing of the generated tests is not JSON";
  // Tests without a command (not available, or ctest found no executable)
  // are NOT_AVAILABLE in the generated file, which json-v1 does not list.
  auto want = named_tests(before);
  std::erase_if(want, [](const json* t) {
    return !t->contains("command") || !(*t)["command"].is_array() || (*t)["command"].empty();
  });
  const auto got = named_tests(after);
  for (std::size_t i = 0; i < want.size(); ++i) {
    const auto& w = *want[i];
    const std::string name = w["name"].get<std::string>();
    const auto differs = [&](const std::string& what) { return fmt::format("test {}: {}", json(name).dump(), what); };
    if (i >= got.size()) return differs("missing from the generated tests");
    const auto& g = *got[i];
    if (g["name"] != w["name"]) return differs(fmt::format("listed as {} in the generated tests", g["name"].dump()));
    const bool has_command = w.contains("command") && w["command"].is_array() && !w["command"].empty();
    if (!has_command) {
      if (g.contains("command")) return differs("runs a command in the generated tests, none in the build tree");
    } else {
      // procleak-run FLAGS... --name NAME [...] -- COMMAND...
      if (!g.contains("command") || !g["command"].is_array()) return differs("has no command in the generated tests");
      const auto& cmd = g["command"];
      const auto sep = std::find(cmd.begin(), cmd.end(), json("--"));
      const auto name_flag = std::find(cmd.begin(), sep, json("--name"));
      if (cmd.empty() || cmd.front() != json(setup.procleak_run) || sep == cmd.end() || name_flag == sep ||
          std::next(name_flag) == sep || *std::next(name_flag) != w["name"] ||
          !std::equal(std::next(sep), cmd.end(), w["command"].begin(), w["command"].end())) {
        return differs(fmt::format("the generated command {} does not run {} under procleak-run", cmd.dump(),
                                   w["command"].dump()));
      }
    }
    const auto want_props = properties_of(w);
    const auto got_props = properties_of(g);
    for (const auto& [pname, value] : want_props) {
      if (std::find(left_out.begin(), left_out.end(), pname) != left_out.end()) continue;
      const auto it = got_props.find(pname);
      if (it == got_props.end() || it->second != value) {
        return differs(fmt::format("property {} is {} in the build tree, {} in the generated tests", pname,
                                   value.dump(), it == got_props.end() ? "missing" : it->second.dump()));
      }
    }
  }
  if (got.size() > want.size()) {
    return fmt::format("test {}: in the generated tests, not in the build tree", (*got[want.size()])["name"].dump());
  }
  return {};
}

}  // namespace procleak::ctest_runner
