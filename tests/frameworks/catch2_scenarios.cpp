// Catch2 test cases (v2 or v3) for procleak's Catch2 listener
// (procleak::catch2): the clean one passes; each other one leaves a process
// (a sleep whose argument names the case) and must fail, with one report
// under its name.
#if __has_include(<catch2/catch_test_macros.hpp>)
#include <catch2/catch_test_macros.hpp>
#else
#ifndef SCENARIOS_IN_A_LIBRARY
#define CATCH_CONFIG_MAIN
#endif
#include <catch2/catch.hpp>
#endif

#include "leaks.hpp"

using framework_scenarios::leave_sleep;
using framework_scenarios::leave_zombie;
using framework_scenarios::run_true;

TEST_CASE("clean") { CHECK(run_true()); }

TEST_CASE("leaves a sleep") { CHECK(leave_sleep("491") > 0); }

TEST_CASE("leaves a zombie") { CHECK(leave_zombie() > 0); }

struct Fixture {
  Fixture() { leave_sleep("492"); }
};
TEST_CASE_METHOD(Fixture, "fixture leaves a sleep") { CHECK(run_true()); }

TEST_CASE("section leaves a sleep") {
  SECTION("first") { CHECK(run_true()); }
  SECTION("second") {
    SECTION("inner") { CHECK(leave_sleep("493") > 0); }
  }
}

// For static_lib_main.cpp.
void link_scenarios() {}
