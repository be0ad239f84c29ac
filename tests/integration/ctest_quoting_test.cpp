// The generated test file's quoting as a property: random strings of the
// characters CMake treats specially (brackets of any depth, a trailing ']',
// ';', '$', '\', '"', '#', newlines, bytes that are not UTF-8, empty ones)
// are written as procleak-ctest writes them and read back by CMake itself.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "generated_tests.hpp"
#include "process_test.hpp"
#include "run_command.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using procleak::ctest_runner::cmake_argument;
using procleak_test::run_command;

const std::string kCmakeBin = CMAKE_BIN_DIR;

std::string random_string(std::mt19937& rng, bool utf8_only) {
  static const std::vector<std::string> pieces = {
      "[", "]", "[[", "]]", "]=]", "[==[", "]==]", "=", ";", "$", "${x}", "\\", "\"", "#", "\n", "\r", "\t", " ",
      "(", ")", "a", "Z", "0", "@", "é", "日本", "\\;", "$<CONFIG>", "[=[", "]=", "\xff", "\xfe\xfd", "\x01"};
  std::uniform_int_distribution<std::size_t> length(0, 12);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
  std::string out;
  for (std::size_t n = length(rng); n > 0; --n) {
    const auto& p = pieces[pick(rng)];
    if (utf8_only && (p[0] == '\xff' || p[0] == '\xfe' || p[0] == '\x01' || p[0] == '\r')) continue;
    out += p;
  }
  return out;
}

class CtestQuoting : public procleak_test::ProcessTest {};

// Any bytes but NUL: set(v <bracket>) then file(WRITE) gives back the bytes.
TEST_F(CtestQuoting, EveryStringRoundTripsThroughCmake) {
  std::mt19937 rng(20261207);
  std::vector<std::string> strings = {"", "a]", "]", "]]", "\\[  SKIPPED \\]", "\nlead", "\n\n", "x]=", "]=]]=="};
  for (int i = 0; i < 300; ++i) strings.push_back(random_string(rng, false));
  std::string script;
  for (std::size_t i = 0; i < strings.size(); ++i) {
    script += "set(v " + cmake_argument(strings[i]) + ")\nfile(WRITE \"" + dir_ + "/out" + std::to_string(i) +
              "\" \"${v}\")\n";
  }
  std::ofstream(dir_ + "/read_back.cmake", std::ios::binary) << script;
  const auto r = run_command({kCmakeBin + "/cmake", "-P", dir_ + "/read_back.cmake"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (std::size_t i = 0; i < strings.size(); ++i) {
    std::ifstream in(dir_ + "/out" + std::to_string(i), std::ios::binary);
    std::stringstream back;
    back << in.rdbuf();
    EXPECT_EQ(back.str(), strings[i]) << "string " << i << " written as " << cmake_argument(strings[i]);
  }
}

// Names, arguments and property values through the whole path: a listing,
// the generated file, ctest's listing of it, compared as procleak-ctest
// compares them before any test runs.
TEST_F(CtestQuoting, GeneratedTestsListBackAsTheyWere) {
  std::mt19937 rng(7);
  json tests = json::array();
  for (int i = 0; i < 100; ++i) {
    const std::string name = "t" + std::to_string(i) + random_string(rng, true);
    json command = json::array({"/bin/true"});
    for (int a = 0; a < 3; ++a) command.push_back(random_string(rng, true));
    tests.push_back({{"name", name},
                     {"command", command},
                     {"properties", json::array({{{"name", "LABELS"}, {"value", json::array({"l" + random_string(rng, true)})}},
                                                 {{"name", "WORKING_DIRECTORY"}, {"value", "/w" + random_string(rng, true)}}})}});
  }
  const json listing = {{"kind", "ctestInfo"}, {"tests", tests}};
  procleak::ctest_runner::LauncherSetup setup;
  setup.procleak_run = "/bin/sh";  // a program that is there: ctest lists no command for one that is not
  const auto generated = procleak::ctest_runner::generate_tests(listing.dump(), setup);
  ASSERT_EQ(generated.error, "");
  std::ofstream(dir_ + "/CTestTestfile.cmake", std::ios::binary) << generated.cmake;
  const auto r = run_command({kCmakeBin + "/ctest", "--show-only=json-v1", "--test-dir", dir_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(procleak::ctest_runner::compare_listings(listing.dump(), r.out, setup, generated.left_out), "");
}

}  // namespace
