#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "procleak/report_json.hpp"
#include "procleak/report_text.hpp"

namespace procleak {
namespace {

Leak sample_leak() {
  Leak l;
  l.pid = 4242;
  l.ppid = 4100;
  l.pgid = 4242;
  l.sid = 4242;
  l.state = 'S';
  l.comm = "sleep";
  l.cmdline = {"sleep", "300"};
  l.kinds.add(Kind::orphan);
  l.kinds.add(Kind::escaped);
  l.escaped_via = EscapedVia::session;
  l.original_parent = 4117;
  l.age_ms = 35.24;
  l.holds_test_output = false;
  l.cleanup = Fate::terminated;
  return l;
}

Report sample_report() {
  Report r;
  r.test = "MathTest.Adds";
  r.command = {"./math_tests", "--gtest_filter=MathTest.Adds"};
  r.started_at = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'795'255'200'123));
  r.duration_ms = 41.66;
  r.exit_code = 0;
  r.leaks = {sample_leak()};
  r.cleanup = count_fates(r.leaks);
  r.cleanup.duration_ms = 3.1;
  return r;
}

TEST(ReportJson, MatchesTheSchema) {
  const auto doc = nlohmann::json::parse(to_json(sample_report()));
  EXPECT_EQ(doc["schema"], "procleak.report/1");
  EXPECT_EQ(doc["tool"]["name"], "procleak");
  EXPECT_EQ(doc["source"], "launcher");
  EXPECT_EQ(doc["test"], "MathTest.Adds");
  EXPECT_EQ(doc["command"][1], "--gtest_filter=MathTest.Adds");
  EXPECT_EQ(doc["started_at"], "2026-11-21T10:00:00.123Z");
  EXPECT_DOUBLE_EQ(doc["duration_ms"].get<double>(), 41.7);
  EXPECT_EQ(doc["mode"], "fail");
  EXPECT_EQ(doc["exit"]["code"], 0);
  EXPECT_TRUE(doc["exit"]["signal"].is_null());
  EXPECT_EQ(doc["timed_out"], false);
  EXPECT_EQ(doc["verdict"], "leaked");
  const auto& leak = doc["leaks"][0];
  EXPECT_EQ(leak["pid"], 4242);
  EXPECT_EQ(leak["state"], "S");
  EXPECT_EQ(leak["cmdline"], nlohmann::json({"sleep", "300"}));
  EXPECT_EQ(leak["kinds"], nlohmann::json({"orphan", "escaped"}));
  EXPECT_EQ(leak["escaped_via"], "session");
  EXPECT_EQ(leak["original_parent"], 4117);
  EXPECT_DOUBLE_EQ(leak["age_ms"].get<double>(), 35.2);
  EXPECT_EQ(leak["holds_test_output"], false);
  EXPECT_EQ(leak["cleanup"], "terminated");
  EXPECT_TRUE(leak["suppressed_by"].is_null());
  EXPECT_EQ(doc["cleanup"]["terminated"], 1);
  EXPECT_EQ(doc["cleanup"]["killed"], 0);
}

TEST(ReportJson, SignalDeathAndVerdicts) {
  auto r = sample_report();
  r.exit_code.reset();
  r.exit_signal = SIGSEGV;
  r.leaks[0].suppressed_by = "comm:sleep";
  auto doc = nlohmann::json::parse(to_json(r));
  EXPECT_TRUE(doc["exit"]["code"].is_null());
  EXPECT_EQ(doc["exit"]["signal"], "SIGSEGV");
  EXPECT_EQ(doc["verdict"], "suppressed");
  EXPECT_EQ(doc["leaks"][0]["suppressed_by"], "comm:sleep");
  r.leaks.clear();
  EXPECT_EQ(nlohmann::json::parse(to_json(r))["verdict"], "clean");
}

TEST(ReportJson, BytesThatAreNotUtf8StayValidJson) {
  auto r = sample_report();
  r.leaks[0].comm = std::string("bad\xff\xfe", 5);
  const auto doc = nlohmann::json::parse(to_json(r), nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(doc.is_discarded());
}

TEST(ReportRead, RoundTripsWhatTheWriterWrote) {
  auto written = sample_report();
  written.exit_code.reset();
  written.exit_signal = SIGSEGV;
  written.timed_out = true;
  const auto parsed = parse_report(to_json(written));
  ASSERT_EQ(parsed.status, ParsedReport::Status::ok) << parsed.error;
  const auto& r = parsed.report;
  EXPECT_EQ(r.source, "launcher");
  EXPECT_EQ(r.test, "MathTest.Adds");
  EXPECT_EQ(r.command, written.command);
  EXPECT_EQ(r.started_at, written.started_at);
  EXPECT_EQ(r.mode, Mode::fail);
  EXPECT_FALSE(r.exit_code);
  EXPECT_EQ(r.exit_signal, SIGSEGV);
  EXPECT_TRUE(r.timed_out);
  ASSERT_EQ(r.leaks.size(), 1u);
  const auto& l = r.leaks[0];
  EXPECT_EQ(l.pid, 4242);
  EXPECT_EQ(l.cmdline, (std::vector<std::string>{"sleep", "300"}));
  EXPECT_EQ(l.kinds.names(), (std::vector<std::string_view>{"orphan", "escaped"}));
  EXPECT_EQ(l.escaped_via, EscapedVia::session);
  EXPECT_EQ(l.original_parent, 4117);
  EXPECT_EQ(l.cleanup, Fate::terminated);
  EXPECT_FALSE(l.suppressed_by);
  EXPECT_EQ(format_text(r), format_text(written));
}

TEST(ReportRead, IncompleteReportRoundTripsWithUnknownsAsNull) {
  auto written = sample_report();
  written.leaks[0].read_error = "EACCES";
  written.leaks[0].cleanup = Fate::unkillable;
  written.leaks[0].cleanup_error = "EPERM";
  written.leaks[0].holds_test_output.reset();
  written.cleanup.signals_via.reset();
  written.incomplete_reason = incomplete_reason_of(written.leaks, {"could not read the children of PID 7 (EMFILE)"});
  EXPECT_EQ(written.incomplete_reason,
            "1 process could not be read (EACCES); 1 process could not be killed (EPERM); "
            "could not read the children of PID 7 (EMFILE)");
  const auto doc = nlohmann::json::parse(to_json(written));
  EXPECT_EQ(doc["verdict"], "incomplete");
  EXPECT_EQ(doc["leaks"][0]["holds_test_output"], nullptr) << "unknown is null, never false";
  EXPECT_EQ(doc["leaks"][0]["sid"], nullptr);
  EXPECT_EQ(doc["leaks"][0]["age_ms"], nullptr);
  EXPECT_EQ(doc["leaks"][0]["read_error"], "EACCES");
  EXPECT_EQ(doc["leaks"][0]["cleanup_error"], "EPERM");
  EXPECT_EQ(doc["cleanup"]["signals_via"], nullptr) << "nothing was signalled";

  const auto parsed = parse_report(doc.dump());
  ASSERT_EQ(parsed.status, ParsedReport::Status::ok) << parsed.error;
  EXPECT_EQ(verdict_of(parsed.report), Verdict::incomplete);
  EXPECT_EQ(parsed.report.incomplete_reason, written.incomplete_reason);
  EXPECT_FALSE(parsed.report.leaks[0].holds_test_output.has_value());
  EXPECT_EQ(parsed.report.leaks[0].cleanup_error, "EPERM");
  EXPECT_NE(format_text(parsed.report).find("check incomplete, so it cannot pass"), std::string::npos);

  auto forged = doc;
  forged.erase("incomplete_reason");
  EXPECT_EQ(parse_report(forged.dump()).status, ParsedReport::Status::malformed) << "incomplete needs its reason";
  forged = doc;
  forged["verdict"] = "leaked";
  EXPECT_EQ(parse_report(forged.dump()).status, ParsedReport::Status::malformed) << "a reason makes it incomplete";
}

TEST(ReportRead, TruncatedFileIsNotJson) {
  const auto text = to_json(sample_report());
  const auto parsed = parse_report(std::string_view(text).substr(0, text.size() / 2));
  EXPECT_EQ(parsed.status, ParsedReport::Status::not_json);
  EXPECT_NE(parsed.error.find("truncated"), std::string::npos);
}

TEST(ReportRead, NewerSchemaIsNamed) {
  auto doc = nlohmann::json::parse(to_json(sample_report()));
  doc["schema"] = "procleak.report/2";
  const auto parsed = parse_report(doc.dump());
  EXPECT_EQ(parsed.status, ParsedReport::Status::newer_schema);
  EXPECT_NE(parsed.error.find("procleak.report/2"), std::string::npos) << parsed.error;
}

TEST(ReportRead, OtherJsonIsNotAReport) {
  EXPECT_EQ(parse_report(R"({"testsuites": []})").status, ParsedReport::Status::not_a_report);
  EXPECT_EQ(parse_report("[1, 2]").status, ParsedReport::Status::not_a_report);
}

TEST(ReportRead, MalformedFieldsAreNamed) {
  const auto broken = [](auto&& edit) {
    auto doc = nlohmann::json::parse(to_json(sample_report()));
    edit(doc);
    return parse_report(doc.dump());
  };
  auto p = broken([](auto& d) { d["leaks"][0].erase("pid"); });
  EXPECT_EQ(p.status, ParsedReport::Status::malformed);
  EXPECT_NE(p.error.find("leaks[0].pid is missing"), std::string::npos) << p.error;
  p = broken([](auto& d) { d["leaks"][0]["kinds"] = {"ghost"}; });
  EXPECT_NE(p.error.find("unknown kind \"ghost\""), std::string::npos) << p.error;
  // Found by fuzzing: the file's text in the message kept its newlines.
  p = broken([](auto& d) { d["leaks"][0]["kinds"] = {"sn\nate"}; });
  EXPECT_NE(p.error.find("unknown kind \"sn\\x0aate\""), std::string::npos) << p.error;
  EXPECT_EQ(p.error.find('\n'), std::string::npos) << p.error;
  p = broken([](auto& d) { d["verdict"] = "clean"; });
  EXPECT_NE(p.error.find("does not match"), std::string::npos) << p.error;
  p = broken([](auto& d) { d["test"] = 7; });
  EXPECT_NE(p.error.find("test is not a string"), std::string::npos) << p.error;
  p = broken([](auto& d) { d["unknown_new_field"] = {{"a", 1}}; });
  EXPECT_EQ(p.status, ParsedReport::Status::ok) << "unknown fields may be added: " << p.error;
}

TEST(ReportRead, EveryFieldOfTheWrongTypeIsMalformedAndNamed) {
  // Before: these were read as if absent (timed_out "yes" as false, ...).
  const std::vector<std::pair<std::string, nlohmann::json>> cases{
      {"/timed_out", "yes"},          {"/exit", 3},
      {"/exit/signal", 9},            {"/started_at", 5},
      {"/started_at", "yesterday"},   {"/started_at", "1033-01-01T00:00:00.000Z"},  // found by fuzzing: UB
      {"/started_at", "2026-13-01T00:00:00.000Z"}, {"/duration_ms", "fast"},
      {"/cleanup", "done"},           {"/cleanup/duration_ms", true},
      {"/cleanup/signals_via", "ptrace"}, {"/leaks/0/state", 83},
      {"/leaks/0/state", "SS"},       {"/leaks/0/exe", 1},
      {"/leaks/0/age_ms", "old"},     {"/leaks/0/holds_test_output", "no"},
      {"/leaks/0/read_error", 5},     {"/leaks/0/cmdline", "sleep 300"},
      {"/leaks/0/listening", "tcp 127.0.0.1:80"}, {"/leaks/0/listening", nlohmann::json::array({80})}};
  for (const auto& [pointer, value] : cases) {
    auto doc = nlohmann::json::parse(to_json(sample_report()));
    doc[nlohmann::json::json_pointer(pointer)] = value;
    const auto p = parse_report(doc.dump());
    EXPECT_EQ(p.status, ParsedReport::Status::malformed) << pointer << " = " << value.dump();
    auto field = pointer.substr(1);
    for (auto& c : field) c = c == '/' ? '.' : c;
    if (field.starts_with("leaks.0.")) field = "leaks[0]." + field.substr(8);
    EXPECT_NE(p.error.find(field), std::string::npos) << pointer << ": " << p.error;
  }
}

Leak leak_with_lineage() {
  Leak l = sample_leak();
  l.kinds = {};
  l.kinds.add(Kind::orphan);
  l.escaped_via = EscapedVia::none;
  l.original_parent = 4117;
  l.original_parent_comm = "bash";
  Ancestor main_process{4100, "sh", {"sh", "-c", std::string(100, 'x')}, ExitStatus{std::nullopt, SIGKILL}};
  Ancestor parent{4117, "bash", {"bash", "-c", "sleep 300 & exit 4"}, ExitStatus{4, std::nullopt}};
  l.lineage = std::vector<Ancestor>{main_process, parent};
  return l;
}

TEST(ReportJson, LineageIsWrittenOldestFirstAndReadBack) {
  Report r = sample_report();
  r.leaks = {leak_with_lineage()};
  const auto doc = nlohmann::json::parse(to_json(r));
  EXPECT_TRUE(doc["lineage_unavailable"].is_null());
  const auto& lineage = doc["leaks"][0]["lineage"];
  ASSERT_EQ(lineage.size(), 2u);
  EXPECT_EQ(lineage[0]["pid"], 4100);
  EXPECT_EQ(lineage[0]["exit"], nlohmann::json({{"code", nullptr}, {"signal", "SIGKILL"}}));
  EXPECT_EQ(lineage[1]["cmdline"], nlohmann::json({"bash", "-c", "sleep 300 & exit 4"}));
  EXPECT_EQ(lineage[1]["exit"], nlohmann::json({{"code", 4}, {"signal", nullptr}}));
  const auto parsed = parse_report(to_json(r));
  ASSERT_EQ(parsed.status, ParsedReport::Status::ok) << parsed.error;
  ASSERT_TRUE(parsed.report.leaks[0].lineage);
  EXPECT_EQ(parsed.report.leaks[0].lineage->at(1).exit->code, 4);
  EXPECT_EQ(format_text(parsed.report), format_text(r));
}

TEST(ReportJson, ACappedLineageSaysHowManyOlderAncestorsItLeftOut) {
  Report r = sample_report();
  r.leaks = {leak_with_lineage()};
  r.leaks[0].lineage_omitted = 40;
  const auto doc = nlohmann::json::parse(to_json(r));
  EXPECT_EQ(doc["leaks"][0]["lineage_omitted"], 40);
  const auto parsed = parse_report(to_json(r));
  ASSERT_EQ(parsed.status, ParsedReport::Status::ok) << parsed.error;
  EXPECT_EQ(parsed.report.leaks[0].lineage_omitted, 40u);
  const auto text = format_text(r);
  EXPECT_NE(text.find("from: (40 older ancestors) > sh -c"), std::string::npos) << text;
  r.leaks[0].lineage.reset();
  EXPECT_TRUE(nlohmann::json::parse(to_json(r))["leaks"][0]["lineage_omitted"].is_null()) << "unknown, with lineage";
}

TEST(ReportJson, UnknownLineageIsNullAndSaysWhy) {
  Report r = sample_report();
  r.lineage_unavailable = "the process-events connector cannot be opened: socket (EPERM)";
  const auto doc = nlohmann::json::parse(to_json(r));
  EXPECT_EQ(doc["lineage_unavailable"], r.lineage_unavailable);
  EXPECT_TRUE(doc["leaks"][0]["lineage"].is_null());
  EXPECT_EQ(parse_report(to_json(r)).report.lineage_unavailable, r.lineage_unavailable);
}

TEST(ReportRead, LineageOfTheWrongTypeIsMalformedAndNamed) {
  Report r = sample_report();
  r.leaks = {leak_with_lineage()};
  const std::vector<std::pair<std::string, nlohmann::json>> cases{
      {"/leaks/0/lineage", "bash"},         {"/leaks/0/lineage/0", 7},
      {"/leaks/0/lineage/0/pid", "4100"},   {"/leaks/0/lineage/0/comm", nullptr},
      {"/leaks/0/lineage/1/cmdline", "x"},  {"/leaks/0/lineage/1/exit", 4},
      {"/leaks/0/lineage/1/exit/code", "4"}, {"/leaks/0/lineage/0/exit/signal", 9},
      {"/lineage_unavailable", 1}};
  for (const auto& [pointer, value] : cases) {
    auto doc = nlohmann::json::parse(to_json(r));
    doc[nlohmann::json::json_pointer(pointer)] = value;
    const auto p = parse_report(doc.dump());
    EXPECT_EQ(p.status, ParsedReport::Status::malformed) << pointer << " = " << value.dump();
    EXPECT_NE(p.error.find("lineage"), std::string::npos) << pointer << ": " << p.error;
  }
}

TEST(ReportText, AnOrphanSaysHowItsParentEndedAndWhereItCameFrom) {
  const Leak l = leak_with_lineage();
  EXPECT_EQ(describe_cause(l), "parent PID 4117 (bash) exited with 4");
  EXPECT_EQ(describe_lineage(l), "sh -c " + std::string(54, 'x') + "... (PID 4100, was killed by SIGKILL) > "
                                 "bash -c sleep 300 & exit 4 (PID 4117, exited with 4)");
  Leak killed = l;
  killed.lineage->back().exit = ExitStatus{std::nullopt, SIGTERM};
  EXPECT_EQ(describe_cause(killed), "parent PID 4117 (bash) was killed by SIGTERM");
  const auto text = format_leak(l);
  EXPECT_NE(text.find("\n              from: sh -c"), std::string::npos) << text;
}

TEST(ReportJson, SpawnSiteRoundTripsAndIsShownFromTheProgramsOwnFrame) {
  Report r = sample_report();
  r.leaks[0].spawned_at = std::vector<SpawnFrame>{{"posix_spawn", "", 0},
                                                  {"launch(std::string const&)", "src/util.cpp", 12},
                                                  {"Suite_Case_Test::TestBody()", "tests/a_test.cpp", 30},
                                                  {"helper()", "/usr/include/c++/12/bits/invoke.h", 61}};
  const auto doc = nlohmann::json::parse(to_json(r));
  EXPECT_EQ(doc["leaks"][0]["spawned_at"][0], nlohmann::json({{"function", "posix_spawn"}, {"file", nullptr}, {"line", nullptr}}));
  EXPECT_EQ(doc["leaks"][0]["spawned_at"][1]["line"], 12);
  const auto parsed = parse_report(to_json(r));
  ASSERT_EQ(parsed.status, ParsedReport::Status::ok) << parsed.error;
  ASSERT_TRUE(parsed.report.leaks[0].spawned_at);
  EXPECT_EQ(parsed.report.leaks[0].spawned_at->at(2).file, "tests/a_test.cpp");
  EXPECT_EQ(spawn_site(r.leaks[0]), "launch(std::string const&) (src/util.cpp:12)");
  EXPECT_EQ(describe_spawn_site(r.leaks[0]),
            "launch(std::string const&) (src/util.cpp:12) < Suite_Case_Test::TestBody() (tests/a_test.cpp:30) < "
            "helper() (/usr/include/c++/12/bits/invoke.h:61)");
  EXPECT_NE(format_text(r).find("\n              spawned at: launch("), std::string::npos) << format_text(r);
  auto bad = doc;
  bad["leaks"][0]["spawned_at"][1]["line"] = "12";
  EXPECT_EQ(parse_report(bad.dump()).status, ParsedReport::Status::malformed);
  bad["leaks"][0]["spawned_at"] = "x";
  EXPECT_NE(parse_report(bad.dump()).error.find("leaks[0].spawned_at"), std::string::npos);
}

TEST(ReportText, ALeakedTreeIsDrawnAsATree) {
  Report r = sample_report();
  Leak parent = sample_leak();
  parent.pid = 10;
  parent.cmdline = {"server"};
  Leak child = sample_leak();
  child.pid = 11;
  child.ppid = 10;
  child.kinds = {};
  child.kinds.add(Kind::stray);
  child.original_parent = 10;
  child.cmdline = {"worker"};
  Leak other = sample_leak();
  other.pid = 12;
  other.cmdline = {"other"};
  r.leaks = {child, other, parent};  // a child listed before its parent
  const auto text = format_text(r);
  const auto at_parent = text.find("  PID 10 ");
  const auto at_child = text.find("    PID 11 ");
  ASSERT_NE(at_parent, std::string::npos) << text;
  ASSERT_NE(at_child, std::string::npos) << text;
  EXPECT_LT(at_parent, at_child) << text;
  EXPECT_NE(text.find("\n  PID 12 "), std::string::npos) << text;
}

TEST(ReportRead, DeepOrHugeJsonIsRefusedBeforeParsing) {
  const std::string deep = R"({"schema": "procleak.report/1", "x": )" + std::string(1'000'000, '[') +
                           std::string(1'000'000, ']') + "}";
  auto p = parse_report(deep);
  EXPECT_EQ(p.status, ParsedReport::Status::malformed);
  EXPECT_NE(p.error.find("nested deeper than 32 levels"), std::string::npos) << p.error;
  // Brackets inside strings are text, not nesting.
  auto doc = nlohmann::json::parse(to_json(sample_report()));
  doc["leaks"][0]["cmdline"] = {std::string(100, '[') + "\\\"" + std::string(100, '{')};
  EXPECT_EQ(parse_report(doc.dump()).status, ParsedReport::Status::ok) << parse_report(doc.dump()).error;
  std::string huge = R"({"schema": "procleak.report/1", "x": ")";
  huge.append(kMaxJsonBytes, 'a');
  huge += "\"}";
  p = parse_report(huge);
  EXPECT_EQ(p.status, ParsedReport::Status::malformed);
  EXPECT_NE(p.error.find("larger than 16 MiB"), std::string::npos) << p.error;
}

TEST(ReportFiles, AtomicWriteAndUniqueNames) {
  char tmpl[] = "/tmp/procleak-reports-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = std::string(tmpl) + "/nested/dir";
  std::string a, b;
  ASSERT_FALSE(write_report_into_dir(dir, sample_report(), a));
  ASSERT_FALSE(write_report_into_dir(dir, sample_report(), b));
  EXPECT_NE(a, b);
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    ++files;
    EXPECT_EQ(e.path().extension(), ".json") << "no temporary left behind: " << e.path();
  }
  EXPECT_EQ(files, 2u);
  std::ifstream in(a);
  EXPECT_EQ(nlohmann::json::parse(in)["test"], "MathTest.Adds");
  std::filesystem::remove_all(tmpl);
}

TEST(ReportFiles, RefusesAFileWhereTheDirectoryShouldBe) {
  char tmpl[] = "/tmp/procleak-notdir-XXXXXX";
  const int fd = ::mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  ::close(fd);
  std::string path;
  EXPECT_TRUE(write_report_into_dir(tmpl, sample_report(), path));
  ::unlink(tmpl);
}

TEST(ReportText, NamesPidCommandKindAndCause) {
  const auto text = format_text(sample_report());
  EXPECT_NE(text.find("test 'MathTest.Adds' leaked 1 process"), std::string::npos) << text;
  EXPECT_NE(text.find("PID 4242"), std::string::npos);
  EXPECT_NE(text.find("orphan,escaped"), std::string::npos);
  EXPECT_NE(text.find("sleep 300"), std::string::npos);
  EXPECT_NE(text.find("parent PID 4117 exited; left the session via setsid -> terminated"), std::string::npos)
      << text;
  EXPECT_NE(text.find("1 terminated"), std::string::npos);
}

TEST(ReportText, NothingForACleanRun) {
  auto r = sample_report();
  r.leaks.clear();
  EXPECT_EQ(format_text(r), "");
}

TEST(ReportText, Causes) {
  Leak zombie;
  zombie.kinds.add(Kind::zombie);
  zombie.original_parent = 123;
  zombie.original_parent_comm = "helper";
  EXPECT_EQ(describe_cause(zombie), "exited but never reaped by PID 123 (helper)");
  Leak stray;
  stray.kinds.add(Kind::stray);
  stray.original_parent = 7;
  stray.original_parent_comm = "sh";
  stray.escaped_via = EscapedVia::group;
  EXPECT_EQ(describe_cause(stray), "parent PID 7 (sh) is still running; left the process group via setpgid");
  Leak orphan;
  orphan.kinds.add(Kind::orphan);
  orphan.kinds.add(Kind::parent_kill_survivor);
  orphan.holds_test_output = true;
  EXPECT_EQ(describe_cause(orphan), "parent exited; survived its parent's kill; holds the test's output open");
}

TEST(ReportText, ControlCharactersCannotForgeLines) {
  Leak l;
  l.comm = "evil\nPID 1";
  EXPECT_EQ(display_command(l), "[evil\\x0aPID 1]");
  l.cmdline = {"a\tb", "c\rd"};
  EXPECT_EQ(display_command(l), "a\\x09b c\\x0dd");
}

TEST(ReportJson, ACloneParentLeakSaysSoAndReadsBack) {
  Report r = sample_report();
  r.leaks[0].clone_parent = true;
  const auto doc = nlohmann::json::parse(to_json(r));
  EXPECT_EQ(doc["leaks"][0]["clone_parent"], true);
  const auto parsed = parse_report(to_json(r));
  ASSERT_EQ(parsed.status, ParsedReport::Status::ok) << parsed.error;
  EXPECT_TRUE(parsed.report.leaks[0].clone_parent);
  EXPECT_NE(format_text(r).find("started with CLONE_PARENT"), std::string::npos) << format_text(r);
  // A report of an older procleak has no such field: false.
  auto older = doc;
  older["leaks"][0].erase("clone_parent");
  const auto old_parsed = parse_report(older.dump());
  ASSERT_EQ(old_parsed.status, ParsedReport::Status::ok) << old_parsed.error;
  EXPECT_FALSE(old_parsed.report.leaks[0].clone_parent);
  older["leaks"][0]["clone_parent"] = "yes";
  EXPECT_EQ(parse_report(older.dump()).status, ParsedReport::Status::malformed) << "not a boolean";
}

}  // namespace
}  // namespace procleak
