// procleak::gtest_main: GTest::gtest_main with procleak's listener installed.
#include <gtest/gtest.h>

#include "procleak/gtest_listener.hpp"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // A bad PROCLEAK_* variable is a usage error, as for procleak-run.
  if (!procleak::install_gtest_listener()) return 125;
  return RUN_ALL_TESTS();
}
