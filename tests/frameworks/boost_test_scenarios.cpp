// Boost.Test test cases for procleak's Boost.Test listener
// (procleak::boost_test): the clean one passes; each other one leaves a
// process (a sleep whose argument names the case) and must fail, with one
// report under its name; the suite whose fixture leaves a sleep fails as a
// suite.
#define BOOST_TEST_MODULE scenarios
#ifdef PROCLEAK_BOOST_TEST_HEADER_ONLY
#include <boost/test/included/unit_test.hpp>
#else
#include <boost/test/unit_test.hpp>
#endif

#include "leaks.hpp"

#include <cstdlib>

namespace utf = boost::unit_test;
using framework_scenarios::leave_sleep;
using framework_scenarios::leave_zombie;
using framework_scenarios::run_true;

// With SCENARIOS_GLOBAL_FIXTURE_LEAKS set, the global set-up leaves a
// process: the program level's leak.
struct GlobalSetUp {
  GlobalSetUp() {
    if (std::getenv("SCENARIOS_GLOBAL_FIXTURE_LEAKS") != nullptr) leave_sleep("504");
  }
};
BOOST_TEST_GLOBAL_FIXTURE(GlobalSetUp);

BOOST_AUTO_TEST_SUITE(scenarios)

BOOST_AUTO_TEST_CASE(clean) { BOOST_CHECK(run_true()); }

BOOST_AUTO_TEST_CASE(leaves_a_sleep) { BOOST_CHECK(leave_sleep("501") > 0); }

BOOST_AUTO_TEST_CASE(leaves_a_zombie) { BOOST_CHECK(leave_zombie() > 0); }

struct Fixture {
  Fixture() { leave_sleep("502"); }
};
BOOST_FIXTURE_TEST_CASE(fixture_leaves_a_sleep, Fixture) { BOOST_CHECK(run_true()); }

BOOST_AUTO_TEST_SUITE_END()

// A suite set-up that leaves a process: the suite fails, its test passes.
struct SuiteSetUp {
  void setup() { leave_sleep("503"); }
  void teardown() {}
};
BOOST_AUTO_TEST_SUITE(suite_set_up_leaves_a_sleep, *utf::fixture<SuiteSetUp>())
BOOST_AUTO_TEST_CASE(clean_in_a_leaky_suite) { BOOST_CHECK(run_true()); }
BOOST_AUTO_TEST_SUITE_END()
