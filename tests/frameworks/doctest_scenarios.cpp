// doctest test cases for procleak's doctest listener (procleak::doctest):
// the clean one passes; each other one leaves a process (a sleep whose
// argument names the case) and must fail, with one report under its name.
#ifndef SCENARIOS_IN_A_LIBRARY
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#endif
#include <doctest/doctest.h>

#include "leaks.hpp"

using framework_scenarios::leave_sleep;
using framework_scenarios::leave_zombie;
using framework_scenarios::run_true;

TEST_SUITE("scenarios") {
  TEST_CASE("clean") { CHECK(run_true()); }

  TEST_CASE("leaves a sleep") { CHECK(leave_sleep("481") > 0); }

  TEST_CASE("leaves a zombie") { CHECK(leave_zombie() > 0); }

  struct Fixture {
    Fixture() { leave_sleep("482"); }
  };
  TEST_CASE_FIXTURE(Fixture, "fixture leaves a sleep") { CHECK(run_true()); }

  TEST_CASE("subcase leaves a sleep") {
    SUBCASE("first") { CHECK(run_true()); }
    SUBCASE("second") {
      SUBCASE("inner") { CHECK(leave_sleep("483") > 0); }
    }
  }
}

// For static_lib_main.cpp.
void link_scenarios() {}
