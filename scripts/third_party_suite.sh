#!/usr/bin/env bash
# GoogleTest's own test suite, from Debian's /usr/src/googletest (libgtest-dev
# ships it), built unmodified and run through procleak-ctest, side by side
# with plain ctest:
#   scripts/third_party_suite.sh [TOOLS_DIR] [ROUNDS]
# TOOLS_DIR holds procleak-ctest, procleak-run and procleak-report (default
# build/ci/bin). Fails unless every test passes under procleak-ctest as it
# does under ctest, every test has a report under its CTest name and the gate
# is clean. Prints the wall times of interleaved rounds (ctest -j2 each) and
# the ratio of the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=$(realpath "${1:-build/ci/bin}")
rounds=${2:-3}
src=/usr/src/googletest/googletest
work=build/third_party/googletest
[ -f "$src/CMakeLists.txt" ] || { echo "third_party_suite: no $src (libgtest-dev)" >&2; exit 1; }
mkdir -p "$work"

# Its C++ tests: the Python ones of googletest 1.12 import
# googletest.test.gtest_test_utils (a Bazel layout) and fail from a CMake
# build with or without procleak, so Python is not looked for.
cmake -S "$src" -B "$work" -G Ninja -DCMAKE_BUILD_TYPE=Release -Dgtest_build_tests=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_Python=ON -DCMAKE_DISABLE_FIND_PACKAGE_PythonInterp=ON >"$work.configure.log" 2>&1 \
  || { cat "$work.configure.log"; exit 1; }
start=$(date +%s)
cmake --build "$work" -j 2 >"$work.build.log" 2>&1 || { tail -30 "$work.build.log"; exit 1; }
echo "third_party_suite: googletest's suite built in $(( $(date +%s) - start )) s"
tests=$(ctest --test-dir "$work" -N | sed -n 's/^Total Tests: //p')

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
plain=() wrapped=()
for round in $(seq "$rounds"); do
  t=$(date +%s%N)
  ctest --test-dir "$work" -j 2 >"$work.plain.log" 2>&1 || { cat "$work.plain.log"; echo "third_party_suite: plain ctest failed" >&2; exit 1; }
  plain+=("$(ms "$t")")
  reports="$work.reports.$round"
  rm -rf "$reports"
  t=$(date +%s%N)
  PROCLEAK_REPORT_DIR="$PWD/$reports" "$tools/procleak-ctest" --test-dir "$work" -j 2 >"$work.procleak.log" 2>&1 \
    || { cat "$work.procleak.log"; echo "third_party_suite: a test failed under procleak-ctest" >&2; exit 1; }
  wrapped+=("$(ms "$t")")
  # One report per test, under its CTest name.
  python3 - "$reports" "$work" <<'PY' || exit 1
import json, pathlib, subprocess, sys
reports, work = sys.argv[1], sys.argv[2]
listed = json.loads(subprocess.run(["ctest", "--test-dir", work, "--show-only=json-v1"], check=True,
                                   capture_output=True, text=True).stdout)
want = sorted(t["name"] for t in listed["tests"])
got = sorted(json.loads(p.read_text())["test"] for p in pathlib.Path(reports).glob("*.json"))
if got != want:
    print(f"third_party_suite: reports {len(got)} do not match the {len(want)} tests:",
          sorted(set(want) ^ set(got))[:10], file=sys.stderr)
    sys.exit(1)
PY
  python3 tests/check_reports.py docs/procleak.report.schema.json "$reports" >/dev/null \
    || { echo "third_party_suite: a report does not validate against the schema" >&2; exit 1; }
  "$tools/procleak-report" "$reports" >"$work.gate.log" 2>&1 || { cat "$work.gate.log"; exit 1; }
  grep -q "procleak-report: PASS" "$work.gate.log" || { cat "$work.gate.log"; exit 1; }
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
p=$(median "${plain[@]}") w=$(median "${wrapped[@]}")
echo "third_party_suite: $tests tests of googletest's suite pass under procleak-ctest, each with a report; gate PASS"
echo "third_party_suite: ctest -j2 ${plain[*]} ms, procleak-ctest -j2 ${wrapped[*]} ms ($rounds interleaved rounds)"
awk -v p="$p" -v w="$w" 'BEGIN {printf "third_party_suite: procleak-ctest / ctest = %.3fx (medians %d / %d ms)\n", w / p, w, p}'
