#!/usr/bin/env bash
# Builds and runs the framework consumer projects the way a user would,
# against `cmake --install` of PROCLEAK_BUILD: doctest, Catch2 v2 and
# Boost.Test from Debian (tests/consumer/frameworks), Catch2 v3 from source
# (tests/consumer/catch2_v3), each through ctest and through procleak-ctest;
# the doctest scenarios built with pkg-config; a component whose framework
# is missing refused by find_package. Usage:
#   run_frameworks_consumer.sh CMAKE_BIN_DIR PROCLEAK_SOURCE PROCLEAK_BUILD WORK_DIR
# Catch2 v3's source: PROCLEAK_CATCH2_V3_SOURCE, else
# ../shared/vendor/Catch2-3.7.1.tar.gz beside the repository; without it the
# v3 project is skipped, saying so.
set -euo pipefail
bin=$1 src=$2 procleak_build=$3 work=$4
cmake=$bin/cmake ctest=$bin/ctest
[ -x "$cmake" ] || { echo "run_frameworks_consumer: no cmake at $cmake" >&2; exit 1; }
version=$("$cmake" --version | head -1)
fail() { echo "run_frameworks_consumer($version): $*" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work"
"$cmake" --install "$procleak_build" --prefix "$work/prefix" >"$work/install.log"
prefix=$work/prefix

# Every process the tests start carries this variable: the check for leftovers.
run_id=$$-$RANDOM
marker="PROCLEAK_CONSUMER_RUN=$run_id"
nothing_left() {
  local left=""
  for _ in $(seq 1 20); do
    left=$(grep -lsa "$marker" /proc/[0-9]*/environ || true)
    [ -z "$left" ] && return 0
    sleep 0.2
  done
  fail "processes left behind after $1: $left"
}

# The status CTest's JUnit gives the test named $2 in file $1.
status() { xmllint --xpath "string(//testcase[@name=\"$2\"]/@status)" "$1"; }

# Runs ctest (plain, then through procleak-ctest) on build tree $1 and checks
# that exactly the tests listed after "--" fail and those before it pass.
check_tree() {
  local build=$1
  shift
  local passing=() failing=() seen_separator=0
  for t in "$@"; do
    if [ "$t" = "--" ]; then seen_separator=1; continue; fi
    if [ $seen_separator = 0 ]; then passing+=("$t"); else failing+=("$t"); fi
  done
  local total=$(( ${#passing[@]} + ${#failing[@]} ))
  for how in ctest procleak-ctest; do
    local junit=$work/$(basename "$build").$how.xml log=$work/$(basename "$build").$how.log
    local reports=$work/$(basename "$build").$how.reports
    set +e
    if [ $how = ctest ]; then
      env "$marker" PROCLEAK_REPORT_DIR="$reports" "$ctest" --test-dir "$build" -j 2 --output-junit "$junit" >"$log" 2>&1
    else
      # README.md shows this line.
      env PROCLEAK_CONSUMER_RUN="$run_id" PROCLEAK_CTEST="$ctest" \
        "$prefix/bin/procleak-ctest" --report-dir "$reports" -- --test-dir "$build" -j 2 --output-junit "$junit" >"$log" 2>&1
    fi
    local code=$?
    set -e
    [ "$code" != 0 ] || { cat "$log"; fail "$how on $build passed, but tests leak"; }
    [ "$(xmllint --xpath 'count(//testcase)' "$junit")" = "$total" ] || { cat "$log"; fail "$how: expected $total tests"; }
    for t in "${passing[@]}"; do
      [ "$(status "$junit" "$t")" = run ] || { cat "$log"; fail "$how: '$t' should pass, got '$(status "$junit" "$t")'"; }
    done
    for t in "${failing[@]}"; do
      [ "$(status "$junit" "$t")" = fail ] || { cat "$log"; fail "$how: '$t' should fail, got '$(status "$junit" "$t")'"; }
    done
    nothing_left "$how on $build"
    # Each leaky test has a report under its framework's name.
    grep -lq '"verdict": "leaked"' "$reports"/*.json || fail "$how: no report of a leak in $reports"
    python3 "$src/tests/check_reports.py" "$src/docs/procleak.report.schema.json" "$reports" >/dev/null || fail "$how: a report in $reports does not validate against the schema"
  done
}

configure_and_build() {
  local project=$1
  shift
  "$cmake" -S "$src/tests/consumer/$project" -B "$work/$project" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$prefix" -DPROCLEAK_SOURCE_DIR="$src" "$@" >"$work/$project.configure.log" 2>&1 \
    || { cat "$work/$project.configure.log"; fail "$project: configure failed"; }
  "$cmake" --build "$work/$project" -j 2 >"$work/$project.build.log" 2>&1 \
    || { tail -40 "$work/$project.build.log"; fail "$project: build failed"; }
}

# doctest, Catch2 v2 and Boost.Test, from Debian.
configure_and_build frameworks
check_tree "$work/frameworks" \
  doctest.clean doctest_lib.clean catch2.clean boost.scenarios/clean -- \
  "doctest.leaves a sleep" "doctest.leaves a zombie" "doctest.fixture leaves a sleep" "doctest.subcase leaves a sleep" \
  "doctest_lib.leaves a sleep" "doctest_lib.leaves a zombie" "doctest_lib.fixture leaves a sleep" \
  "doctest_lib.subcase leaves a sleep" \
  "catch2.leaves a sleep" "catch2.leaves a zombie" "catch2.fixture leaves a sleep" "catch2.section leaves a sleep" \
  boost.scenarios/leaves_a_sleep boost.scenarios/leaves_a_zombie boost.scenarios/fixture_leaves_a_sleep \
  boost.suite_set_up_leaves_a_sleep
# procleak_discover_tests (FRAMEWORK doctest and catch2) put procleak-run in
# front of those tests for plain ctest too: its reports are there, named by
# the test case.
grep -lq '"source": "launcher"' "$work"/frameworks.ctest.reports/*.json \
  || fail "plain ctest: no procleak-run report (procleak_discover_tests put no launcher in front)"
grep -lq '"test": "leaves a sleep"' $(grep -l '"source": "launcher"' "$work"/frameworks.ctest.reports/*.json) \
  || fail "plain ctest: procleak-run's reports are not named by doctest's test case"

# Catch2 v3, from its source.
catch2_v3=${PROCLEAK_CATCH2_V3_SOURCE:-$(dirname "$src")/shared/vendor/Catch2-3.7.1.tar.gz}
if [ -f "$catch2_v3" ]; then
  configure_and_build catch2_v3 -DPROCLEAK_CATCH2_V3_SOURCE="$catch2_v3"
  check_tree "$work/catch2_v3" catch2_v3.clean -- \
    "catch2_v3.leaves a sleep" "catch2_v3.leaves a zombie" "catch2_v3.fixture leaves a sleep" \
    "catch2_v3.section leaves a sleep"
else
  echo "run_frameworks_consumer: Catch2 v3 source not found (PROCLEAK_CATCH2_V3_SOURCE, or $catch2_v3): its listener is not tested"
fi

# pkg-config, the way a project without CMake links the doctest listener.
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
# shellcheck disable=SC2046
# The scenarios with their sleeps offset (tests.cpp: as docs/reference.md
# shows the line).
printf '#define SCENARIOS_SLEEP_OFFSET 1000\n#include "%s"\n' "$src/tests/frameworks/doctest_scenarios.cpp" >"$work/tests.cpp"
g++ -std=c++20 -o "$work/pkg_config_doctest" "$work/tests.cpp" \
  "$(pkg-config --variable=listener_source procleak-doctest)" $(pkg-config --cflags --libs procleak-doctest) \
  || fail "pkg-config build failed"
set +e
env "$marker" "$work/pkg_config_doctest" >"$work/pkg_config_doctest.log" 2>&1
code=$?
set -e
[ "$code" = 1 ] || { cat "$work/pkg_config_doctest.log"; fail "pkg-config-built doctest scenarios exited $code, not 1"; }
grep -q "procleak: test 'leaves a sleep' leaked 1 process" "$work/pkg_config_doctest.log" \
  || fail "pkg-config-built doctest scenarios did not report their leak"
nothing_left "the pkg-config build"

# A component whose framework the project does not have: refused, naming it.
set +e
"$cmake" -S "$src/tests/consumer/refused_component" -B "$work/refused" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCOMPONENT=doctest -DCMAKE_DISABLE_FIND_PACKAGE_doctest=ON >"$work/refused.log" 2>&1
code=$?
set -e
[ "$code" != 0 ] || fail "find_package(procleak COMPONENTS doctest) without doctest was accepted"
grep -q "procleak's component doctest needs doctest" "$work/refused.log" || { cat "$work/refused.log"; fail "no message naming doctest"; }

echo "run_frameworks_consumer: $version: ok"
