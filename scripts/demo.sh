#!/usr/bin/env bash
# The demo: builds procleak-run and four example tests (one clean, three that
# leak in a typical way) and runs each through procleak-run, which prints its
# report and kills what the test left.
set -uo pipefail
cd "$(dirname "$0")/.."

# PROCLEAK_DEMO_BUILD: an existing build tree to run instead (the test suite
# runs the demo on its own build: tests/check_demo.sh).
build=${PROCLEAK_DEMO_BUILD:-}
if [ -z "$build" ]; then
  build=build/release
  echo "demo: installing what the build needs from Debian's packages (nothing to do when it is there)"
  ./scripts/install-deps.sh || exit 1
  echo "demo: configuring and building procleak and the examples in build/release (a few minutes the first time)"
  cmake --preset release >/dev/null || exit 1
  # ninja's progress lines ([3/41] Building ...), so a first build is not silent.
  cmake --build --preset release | grep --line-buffered '^\[' || true
  cmake --build --preset release >/dev/null || exit 1
  echo "demo: built; now running four example tests through procleak-run"
fi

run=$build/bin/procleak-run
examples=$build/examples
reports=$build/demo-reports
rm -rf "$reports"

for test in clean_test server_left_running_test setsid_daemon_test zombie_test; do
  printf '\n\033[1m$ procleak-run --report-dir %s -- %s\033[0m\n' "$reports" "$test"
  start=$(date +%s%N)
  "$run" --report-dir "$reports" -- "$examples/$test" 2>&1
  status=$?
  elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "-> exit status $status after ${elapsed_ms} ms"
done

printf '\n\033[1mOne of the JSON reports (%s):\033[0m\n' "$reports"
cat "$(ls "$reports"/zombie_test.*.json | head -n 1)"

printf '\n\033[1m$ procleak-report %s   (the CI gate over all four reports)\033[0m\n' "$reports"
set +e
"$build/bin/procleak-report" "$reports"
printf -- '-> exit status %s (1: a test leaked)\n' "$?"
set -e

printf '\n\033[1mLeft running after the demo (expect nothing):\033[0m\n'
ps -eo pid,stat,args | grep -E "_test( |$)" | grep -v grep || echo "nothing"
