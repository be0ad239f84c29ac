// doctest test cases for procleak's doctest listener (procleak::doctest):
// the clean one passes; each other one leaves a process (a sleep whose
// argument names the case) and must fail, with one report under its name.
#ifndef SCENARIOS_IN_A_LIBRARY
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#endif
#include <doctest/doctest.h>

#include <cstdlib>

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

// With SCENARIOS_PROGRAM_LEAKS set, a listener of the program's own leaves a
// sleep when the run ends: after every test case, before procleak's check of
// the whole program (doctest calls listeners in descending priority:
// this one's 2 before procleak's 1). A leak of the program, not of a test case.
struct LeavesASleepAtTheEnd : doctest::IReporter {
  explicit LeavesASleepAtTheEnd(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats&) override {
    if (std::getenv("SCENARIOS_PROGRAM_LEAKS") != nullptr) leave_sleep("484");
  }
  void test_case_start(const doctest::TestCaseData&) override {}
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};
REGISTER_LISTENER("scenarios_program_leak", 2, LeavesASleepAtTheEnd);

// For static_lib_main.cpp.
void link_scenarios() {}
