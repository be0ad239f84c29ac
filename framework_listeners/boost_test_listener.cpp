// procleak's Boost.Test listener (Boost 1.81): every test case, every
// top-level test suite and the whole program is checked for leaked
// processes. Compiled in the project that links procleak::boost_test,
// against that project's own Boost.Test (the library, shared or static, or
// the header-only variant); registers itself as a global configuration (an
// observer the framework installs before the first test).
//
//   program  opened at test_start (before the global fixtures' set-up),
//            checked at test_finish (after their tear-down); Boost.Test has
//            no place for a failure there, so it is printed and the process
//            ends with status 1 (LeakChecker::fail_process_at_exit).
//   suite    each suite directly below the master suite: a fixture of
//            procleak's is put first among the suite's fixtures, so it opens
//            before the suite's own set-up and is checked after its
//            tear-down; a nested suite's set-up counts toward the top-level
//            suite around it. The failure is the suite's own (BOOST_ERROR in
//            the fixture: the suite fails, and with it the exit status).
//   test     each test case, the same way: before its fixtures' set-up,
//            after their tear-down; the failure is the test case's own, with
//            the report as its message, in every log format (HRF, XML,
//            JUnit).
#include <boost/test/framework.hpp>
#include <boost/test/results_collector.hpp>
#include <boost/test/test_tools.hpp>
#include <boost/test/tree/fixture.hpp>
#include <boost/test/tree/global_fixture.hpp>
#include <boost/test/tree/test_unit.hpp>
#include <boost/test/tree/traverse.hpp>
#include <boost/test/tree/visitor.hpp>
#include <boost/test/unit_test_suite.hpp>

#include <cstdio>
#include <string>

#include "procleak/leak_checker.hpp"

// The linker keeps this file's object (and so the listener's registration)
// from a static library of tests: procleak::boost_test links with
// -Wl,--undefined=procleak_boost_test_listener_anchor.
extern "C" {
extern const int procleak_boost_test_listener_anchor;
const int procleak_boost_test_listener_anchor = 1;
}

namespace {

namespace utf = boost::unit_test;
using procleak::CheckLevel;
using procleak::LeakChecker;

// The process's checker; nullptr until the tests start, or when checks are off.
LeakChecker* checker = nullptr;

bool passed_so_far(utf::test_unit_id id) { return utf::results_collector.results(id).passed(); }

// Opens the level at the test unit's set-up (before its own fixtures'),
// checks it at its tear-down (after theirs).
class LevelFixture : public utf::test_unit_fixture {
 public:
  LevelFixture(CheckLevel level, utf::test_unit_id id) : level_(level), id_(id) {}

  void setup() override {
    if (checker != nullptr) checker->open(level_);
  }

  void teardown() override {
    if (checker == nullptr || !checker->is_open(level_)) return;
    bool clean = false;
    const auto failure = checker->finish(
        level_, [&] { return utf::framework::get(id_, utf::TUT_ANY).full_name(); },
        [&] { return passed_so_far(id_); }, clean);
    // The current test unit is this one: the error is its own.
    if (!failure.empty()) BOOST_ERROR(failure);
  }

 private:
  CheckLevel level_;
  utf::test_unit_id id_;
};

// Puts a LevelFixture first among the fixtures of every test case and of
// every suite directly below the master suite.
class AddLevels : public utf::test_tree_visitor {
 public:
  explicit AddLevels(utf::test_unit_id master) : master_(master) {}

  void visit(utf::test_case const& tc) override { add(CheckLevel::test, tc.p_id); }
  bool test_suite_start(utf::test_suite const& ts) override {
    if (ts.p_parent_id == master_) add(CheckLevel::suite, ts.p_id);
    return true;
  }

 private:
  static void add(CheckLevel level, utf::test_unit_id id) {
    auto& fixtures = utf::framework::get(id, utf::TUT_ANY).p_fixtures.value;
    fixtures.insert(fixtures.begin(), utf::test_unit_fixture_ptr(new LevelFixture(level, id)));
  }
  utf::test_unit_id master_;
};

class ProcleakObserver : public utf::global_configuration {
 public:
  void test_start(utf::counter_t, utf::test_unit_id root) override {
    if (checker == nullptr) {
      checker = LeakChecker::for_this_process("boost_test");
      if (checker == nullptr) return;
      AddLevels levels(utf::framework::master_test_suite().p_id);
      utf::traverse_test_tree(root, levels, true);
    }
    checker->open(CheckLevel::program);
  }

  void test_finish() override {
    if (checker == nullptr || !checker->is_open(CheckLevel::program)) return;
    bool clean = false;
    const auto master = utf::framework::master_test_suite().p_id;
    const auto failure = checker->finish(
        CheckLevel::program, [] { return std::string("*"); }, [&] { return passed_so_far(master); }, clean,
        !checker->launcher_reports());
    if (!failure.empty()) {
      std::fputs(failure.c_str(), stderr);
      LeakChecker::fail_process_at_exit();
    }
  }
};

// Registered with the framework by its constructor, as
// BOOST_TEST_GLOBAL_CONFIGURATION does.
ProcleakObserver observer;

}  // namespace
