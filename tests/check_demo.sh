#!/usr/bin/env bash
# The README's first command, the demo, on the test suite's own build tree
# (PROCLEAK_DEMO_BUILD: it skips the release build), and what it must show:
# the clean example exits 0, the three leaky ones 3, each with its report;
# the gate exits 1; none of the examples is left running.
# Usage: check_demo.sh BUILD_DIR
set -euo pipefail
build=$(realpath "$1")
cd "$(dirname "$0")/.."
fail() { echo "check_demo: $*" >&2; exit 1; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT
PROCLEAK_DEMO_BUILD="$build" ./scripts/demo.sh >"$log" 2>&1 || fail "the demo exited $?: $(cat "$log")"
out=$(cat "$log")
statuses=$(grep -o -- '-> exit status [0-9]* after' <<<"$out" | awk '{print $4}' | tr '\n' ' ')
[ "$statuses" = "0 3 3 3 " ] || fail "the examples exited '$statuses', not '0 3 3 3 ': $out"
for t in server_left_running_test setsid_daemon_test zombie_test; do
  grep -q "procleak: test '$t' leaked" <<<"$out" || fail "no report of $t: $out"
done
grep -q -- '-> exit status 1 (1: a test leaked)' <<<"$out" || fail "the gate did not exit 1: $out"
grep -q '"verdict": "leaked"' <<<"$out" || fail "no JSON report shown: $out"
python3 tests/check_reports.py docs/procleak.report.schema.json "$build/demo-reports" >/dev/null \
  || fail "a report of the demo does not validate against the schema"
left=$(ps -eo args | grep -E "^$build/examples/[a-z_]+_test" || true)
[ -z "$left" ] || fail "left running: $left"
echo "check_demo: ok"
