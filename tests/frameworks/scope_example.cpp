// docs/reference.md's example of procleak::Scope under a framework procleak
// has no listener for (here Catch2 v2 without procleak::catch2): a test that
// stops its server passes; one that leaves it running fails, is told why, and
// the server is killed.
#define CATCH_CONFIG_RUNNER  // a main of its own, below
#include <catch2/catch.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procleak/report_text.hpp"
#include "procleak/scope.hpp"

namespace {

pid_t start_server() {
  const pid_t server = fork();
  if (server == 0) {
    execlp("sleep", "sleep", "457", static_cast<char*>(nullptr));  // bounded: ends by itself
    _exit(127);
  }
  return server;
}

void run_server_and_stop_it() {
  const pid_t server = start_server();
  kill(server, SIGTERM);
  waitpid(server, nullptr, 0);
}

void run_server_and_forget_it() { start_server(); }

void check_no_leak(void (*body)(), const char* name) {
  procleak::Scope scope;
  REQUIRE_FALSE(procleak::Scope::open({}, scope));  // role in_process: the default

  body();

  auto result = procleak::verify_none(scope, name);
  procleak::Report report;
  report.test = name;
  report.leaks = result.leaks;
  report.cleanup = result.cleanup;
  report.incomplete_reason = result.incomplete_reason;
  INFO(procleak::format_text(report));               // names each leak and its cause
  CHECK_FALSE(procleak::fails(result.verdict()));      // leaked, or incomplete
}

}  // namespace

TEST_CASE("server shuts down cleanly") { check_no_leak(run_server_and_stop_it, "server shuts down cleanly"); }

// The same check must fail when the server is left running ([!shouldfail]:
// Catch2 passes this test case only if it fails).
TEST_CASE("server left running", "[!shouldfail]") {
  check_no_leak(run_server_and_forget_it, "server left running");
}

int main(int argc, char** argv) {
  procleak::become_subreaper();  // once, before any test starts a process
  return Catch::Session().run(argc, argv);
}
