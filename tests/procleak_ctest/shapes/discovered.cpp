// Discovered tests of every shape GoogleTest names: plain, fixture, typed,
// value-parameterized; one of them leaks a process.
#include <gtest/gtest.h>

#include <cstdlib>

TEST(Plain, Passes) {}
TEST(Plain, Skips) { GTEST_SKIP() << "not here"; }
TEST(Plain, Fails) { FAIL() << "on purpose"; }
TEST(Plain, Leaks) { ASSERT_EQ(std::system("sleep 60 </dev/null >/dev/null 2>&1 &"), 0); }

class Fixture : public ::testing::Test {};
TEST_F(Fixture, Passes) {}

template <typename T>
class Typed : public ::testing::Test {};
using Types = ::testing::Types<int, char>;
TYPED_TEST_SUITE(Typed, Types);
TYPED_TEST(Typed, Passes) {}

class Param : public ::testing::TestWithParam<int> {};
TEST_P(Param, Passes) { EXPECT_GE(GetParam(), 0); }
INSTANTIATE_TEST_SUITE_P(Some, Param, ::testing::Values(0, 1));

#ifdef SHAPES_EXTRA
// Added by a rebuild (check_shapes.py): procleak-ctest must list it at once.
TEST(Extra, Added) {}
#endif
