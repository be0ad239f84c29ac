// The main of a framework scenario binary whose test cases live in a static
// library (with the listener, linked privately to it): only the anchor
// (-Wl,--undefined) keeps the listener's object on the link.
#if defined(SCENARIOS_DOCTEST)
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#elif defined(SCENARIOS_CATCH2)
#if __has_include(<catch2/catch_session.hpp>)
#include <catch2/catch_session.hpp>
#else
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#endif
#endif

void link_scenarios();  // pulls the test cases' object out of the library

int main(int argc, char** argv) {
  link_scenarios();
#if defined(SCENARIOS_DOCTEST)
  return doctest::Context(argc, argv).run();
#else
  return Catch::Session().run(argc, argv);
#endif
}
