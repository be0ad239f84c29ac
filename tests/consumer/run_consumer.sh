#!/usr/bin/env bash
# Builds and runs one consumer project the way a user would, then checks what
# CTest made of it. Usage:
#   run_consumer.sh WAY CMAKE_BIN_DIR PROCLEAK_SOURCE PROCLEAK_BUILD WORK_DIR
# WAY: find_package (against `cmake --install` of PROCLEAK_BUILD),
#      deb (find_package and pkg-config against the CPack .deb, unpacked),
#      add_subdirectory (builds procleak from PROCLEAK_SOURCE, linked into the project's tree),
#      no_gtest (find_package in a project(x NONE) without GoogleTest).
# CMAKE_BIN_DIR holds the cmake, ctest and cpack under test (3.25 or 4.x).
set -euo pipefail
way=$1 bin=$2 src=$3 procleak_build=$4 work=$5
cmake=$bin/cmake ctest=$bin/ctest cpack=$bin/cpack
[ -x "$cmake" ] || { echo "run_consumer: no cmake at $cmake" >&2; exit 1; }

fail() { echo "run_consumer($way, $("$cmake" --version | head -1)): $*" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work"
project=$way
configure_args=(-G Ninja -DCMAKE_BUILD_TYPE=Release)
case $way in
  find_package)
    "$cmake" --install "$procleak_build" --prefix "$work/prefix" >"$work/install.log"
    configure_args+=(-DCMAKE_PREFIX_PATH="$work/prefix")
    ;;
  deb)
    "$cpack" --config "$procleak_build/CPackConfig.cmake" -G DEB -B "$work/package" >"$work/cpack.log" \
      || { cat "$work/cpack.log"; fail "cpack failed"; }
    deb=$(ls "$work"/package/procleak_*.deb)
    grep -q "Package: procleak" <<<"$(dpkg-deb --info "$deb")" || fail "$deb has no package name"
    contents=$(dpkg-deb --contents "$deb")
    for f in ./usr/bin/procleak-run ./usr/bin/procleak-report ./usr/bin/procleak-ctest ./usr/include/procleak/scope.hpp \
             ./usr/lib/cmake/procleak/procleakConfig.cmake ./usr/lib/cmake/procleak/procleakGTestTargets.cmake \
             ./usr/lib/pkgconfig/procleak-gtest-listener.pc ./usr/lib/pkgconfig/procleak-catch2.pc \
             ./usr/share/procleak/listeners/catch2_listener.cpp ./usr/lib/cmake/procleak/procleakFrameworkListeners.cmake \
             ./usr/share/man/man1/procleak-run.1 ./usr/share/man/man1/procleak-report.1; do
      grep -q " $f\$" <<<"$contents" || fail "$deb lacks $f"
    done
    dpkg-deb --extract "$deb" "$work/root"
    configure_args+=(-DCMAKE_PREFIX_PATH="$work/root/usr")
    project=find_package
    # pkg-config, the way a project without CMake links the listener.
    export PKG_CONFIG_PATH="$work/root/usr/lib/pkgconfig"
    # shellcheck disable=SC2046
    g++ -std=c++20 -o "$work/pkg_config_test" "$src/tests/consumer/common/unit_tests.cpp" \
      $(pkg-config --cflags --libs procleak-gtest-main) || fail "pkg-config build failed"
    set +e
    "$work/pkg_config_test" >"$work/pkg_config_test.log" 2>&1
    code=$?
    set -e
    [ "$code" = 1 ] || fail "pkg-config-built test exited $code, not 1"
    grep -q "procleak: scope 'Consumer.LeavesAServer' leaked 1 process" "$work/pkg_config_test.log" \
      || fail "pkg-config-built test did not report its leak"
    ;;
  add_subdirectory)
    # A copy of procleak in the project's tree (a link to the tree under test).
    mkdir -p "$work/project/third_party"
    ln -s "$src" "$work/project/third_party/procleak"
    ;;
  no_gtest)
    # project(x NONE), no GoogleTest wanted: only procleak_add_test.
    "$cmake" --install "$procleak_build" --prefix "$work/prefix" >"$work/install.log"
    "$cmake" -S "$src/tests/consumer/no_gtest" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" \
      >"$work/configure.log" 2>&1 || { cat "$work/configure.log"; fail "configure failed"; }
    set +e
    "$ctest" --test-dir "$work/build" --output-on-failure >"$work/ctest.log" 2>&1
    ctest_code=$?
    set -e
    [ "$ctest_code" != 0 ] || { cat "$work/ctest.log"; fail "ctest passed, but leaky_script leaks"; }
    grep -q "38% tests passed, 5 tests failed out of 8" "$work/ctest.log" || { cat "$work/ctest.log"; fail "ctest summary"; }
    # A leak ends procleak-run with SIGUSR1, which CTest fails whatever the
    # test's properties; a clean test keeps CTest's own result.
    for t in leaky_script will_fail_leaks pass_regex_leaks skip_code_leaks; do
      grep -q "Test *#[0-9]*: $t .*SIGUSR1\*\*\*Exception" "$work/ctest.log" || { cat "$work/ctest.log"; fail "$t should fail"; }
    done
    for t in clean_script will_fail_clean fail_regex_clean; do
      grep -q "Test *#[0-9]*: $t .* Passed" "$work/ctest.log" || { cat "$work/ctest.log"; fail "$t should pass"; }
    done
    grep -q "Test *#[0-9]*: times_out .*\*\*\*Timeout" "$work/ctest.log" || { cat "$work/ctest.log"; fail "times_out should be Timeout"; }
    echo "run_consumer: $way with $("$cmake" --version | head -1): ok"
    exit 0
    ;;
  *) fail "unknown way" ;;
esac

# The project as a user has it: its CMakeLists.txt and, beside it, the
# tests every consumer shares (tests/consumer/common).
mkdir -p "$work/project"
cp -r "$src/tests/consumer/$project/." "$src/tests/consumer/common/." "$work/project/"
"$cmake" -S "$work/project" -B "$work/build" "${configure_args[@]}" >"$work/configure.log" 2>&1 \
  || { cat "$work/configure.log"; fail "configure failed"; }
"$cmake" --build "$work/build" -j 2 >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; fail "build failed"; }

# Every process the tests start carries this variable: the check for leftovers.
marker="PROCLEAK_CONSUMER_RUN=$$-$RANDOM"
start=$(date +%s%N)
set +e
env "$marker" "$ctest" --test-dir "$work/build" -j 2 -T Test --output-junit "$work/junit.xml" \
  >"$work/ctest.log" 2>&1
ctest_code=$?
set -e
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ctest_code" != 0 ] || fail "ctest passed, but four tests leak"

status() { xmllint --xpath "string(//testcase[@name='$1']/@status)" "$work/junit.xml"; }
for t in Consumer.Clean clean_script; do
  [ "$(status "$t")" = run ] || { cat "$work/ctest.log"; fail "$t should pass, got '$(status "$t")'"; }
done
for t in Consumer.LeavesAServer leaky_program leaky_script hangs_and_leaks; do
  [ "$(status "$t")" = fail ] || { cat "$work/ctest.log"; fail "$t should fail, got '$(status "$t")'"; }
done
[ "$(xmllint --xpath 'count(//testcase)' "$work/junit.xml")" = 6 ] || fail "expected 6 tests"

# The leaked processes sleep 120 s; the whole run must take a small part of that.
[ "$elapsed_ms" -lt 30000 ] || fail "ctest took ${elapsed_ms} ms"

# Nothing the tests started is left (a short wait for CTest's own reaping).
for _ in 1 2 3 4 5 6 7 8 9 10; do
  left=$(grep -lsa "$marker" /proc/[0-9]*/environ || true)
  [ -z "$left" ] && break
  sleep 0.2
done
[ -z "$left" ] || fail "processes left behind: $left"

# The timed-out test was stopped by procleak-run's own deadline, reported
# with its leaked helper, and cleaned.
report=$(ls "$work"/build/procleak-reports/hangs_and_leaks.*.json)
grep -q '"timed_out": true' "$report" || fail "hangs_and_leaks report does not say it timed out: $(cat "$report")"
grep -q '"verdict": "leaked"' "$report" || fail "hangs_and_leaks report lacks its leak"

# Every report validates against the schema.
python3 "$src/tests/check_reports.py" "$src/docs/procleak.report.schema.json" "$work/build/procleak-reports" >/dev/null || fail "a report does not validate against the schema"

# Each leak once; the gate over the reports fails on exactly the leaky tests.
set +e
"$procleak_build/bin/procleak-report" "$work/build/procleak-reports" >"$work/gate.log" 2>&1
gate_code=$?
set -e
[ "$gate_code" = 1 ] || { cat "$work/gate.log"; fail "gate exited $gate_code, not 1"; }
grep -q "6 tests checked (7 reports): 2 clean, 4 leaked" "$work/gate.log" || { cat "$work/gate.log"; fail "gate summary"; }

# The counts reach CDash: CTest's dashboard file holds the measurements.
grep -q 'name="procleak.leaks"' "$work"/build/Testing/*/Test.xml || fail "no procleak.leaks measurement in Test.xml"

echo "run_consumer: $way with $("$cmake" --version | head -1): ok (ctest ${elapsed_ms} ms)"
