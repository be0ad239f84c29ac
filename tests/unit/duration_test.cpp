#include "procleak/duration.hpp"

#include <gtest/gtest.h>

namespace procleak {
namespace {

using namespace std::chrono_literals;

TEST(Duration, ParsesEachUnit) {
  EXPECT_EQ(parse_duration("250ms"), Duration(250ms));
  EXPECT_EQ(parse_duration("2s"), Duration(2s));
  EXPECT_EQ(parse_duration("1.5s"), Duration(1500ms));
  EXPECT_EQ(parse_duration("1m"), Duration(60s));
  EXPECT_EQ(parse_duration("0.5m"), Duration(30s));
  EXPECT_EQ(parse_duration("0s"), Duration(0));
  EXPECT_EQ(parse_duration(".5s"), Duration(500ms));
  EXPECT_EQ(parse_duration("0.001ms"), Duration(1us));
  EXPECT_EQ(parse_duration("1440m"), Duration(24h));
}

TEST(Duration, RejectsWhatIsNotADuration) {
  for (const char* bad : {"", "2", "s", "ms", "-1s", "+1s", "1e3s", "2x", "2 s", " 2s", "2s ", "inf", "infs",
                          "nans", "1.5.2s", "1..5s", ".s", "2sec", "2S", "2h", "1441m", "99999999999999999999s",
                          "2ms5", "0x10s"}) {
    EXPECT_FALSE(parse_duration(bad)) << '"' << bad << '"';
  }
}

TEST(Duration, FormatsSoThatItParsesBack) {
  for (const Duration d : {Duration(2s), Duration(250ms), Duration(1500ms), Duration(0), Duration(90s)}) {
    const auto text = format_duration(d);
    EXPECT_EQ(parse_duration(text), d) << text;
  }
  EXPECT_EQ(format_duration(2s), "2s");
  EXPECT_EQ(format_duration(250ms), "250ms");
  EXPECT_EQ(format_duration(1500ms), "1.5s");
}

// Found by fuzz/fuzz_duration.cpp: "%g" kept six digits, so 1.55155555s
// printed as 1.55156s and the launcher handed the test another value.
TEST(Duration, FormatIsExactForEveryNanosecond) {
  for (const char* text : {"1.55155555s", "0.000001ms", "86399.999999999s", "123.456789ms", "1.001s"}) {
    const auto d = parse_duration(text);
    ASSERT_TRUE(d) << text;
    EXPECT_EQ(parse_duration(format_duration(*d)), d) << text << " -> " << format_duration(*d);
  }
  EXPECT_EQ(format_duration(Duration(1'551'555'550)), "1551.55555ms");
  EXPECT_EQ(format_duration(1001ms), "1.001s");
}

}  // namespace
}  // namespace procleak
