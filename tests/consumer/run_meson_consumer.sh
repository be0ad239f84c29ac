#!/usr/bin/env bash
# Runs the Meson consumer project's tests under procleak-run, installed from
# PROCLEAK_BUILD, both ways the README shows (meson test --wrapper, and the
# project's 'procleak' test setup), and checks Meson's verdicts: exactly the
# leaky tests fail (should_fail ones included), each with a report, and
# nothing is left. Usage:
#   run_meson_consumer.sh PROCLEAK_SOURCE PROCLEAK_BUILD WORK_DIR
set -euo pipefail
src=$1 procleak_build=$2 work=$3
fail() { echo "run_meson_consumer: $*" >&2; exit 1; }
command -v meson >/dev/null || fail "meson is not installed (scripts/install-deps.sh installs it)"

rm -rf "$work"
mkdir -p "$work"
cmake --install "$procleak_build" --prefix "$work/prefix" >"$work/install.log"
export PATH="$work/prefix/bin:$PATH"
meson setup "$work/build" "$src/tests/consumer/meson" >"$work/setup.log" 2>&1 || { cat "$work/setup.log"; fail "meson setup failed"; }

run_id=$$-$RANDOM
marker="PROCLEAK_CONSUMER_RUN=$run_id"
# The result Meson gives test $2 in its JSON log $1 (OK, FAIL, ERROR, EXPECTEDFAIL, ...).
result() { python3 -c 'import json,sys; print(next(t["result"] for t in map(json.loads, open(sys.argv[1])) if t["name"] == sys.argv[2]))' "$1" "$2"; }

for how in wrapper setup; do
  rm -rf "$work/build/procleak-reports" "$work"/build/meson-logs/testlog*
  set +e
  if [ $how = wrapper ]; then
    env PROCLEAK_CONSUMER_RUN="$run_id" meson test -C "$work/build" --wrapper "procleak-run --meson --report-dir $work/build/procleak-reports --" \
      >"$work/$how.log" 2>&1
  else
    env PROCLEAK_CONSUMER_RUN="$run_id" meson test -C "$work/build" --setup procleak >"$work/$how.log" 2>&1
  fi
  code=$?
  set -e
  [ "$code" != 0 ] || { cat "$work/$how.log"; fail "$how: meson test passed, but two tests leak"; }
  # Meson names the log after the setup, or after the wrapper's program.
  log=$work/build/meson-logs/testlog-procleak.json
  [ $how = setup ] || log=$work/build/meson-logs/testlog-procleak-run.json
  [ -f "$log" ] || { ls "$work/build/meson-logs"; fail "$how: no $log"; }
  [ "$(result "$log" clean)" = OK ] || fail "$how: clean: $(result "$log" clean)"
  [ "$(result "$log" clean_should_fail)" = EXPECTEDFAIL ] || fail "$how: clean_should_fail: $(result "$log" clean_should_fail)"
  for t in leaky leaky_should_fail; do
    r=$(result "$log" $t)
    [ "$r" = ERROR ] || { cat "$work/$how.log"; fail "$how: $t should fail (ERROR, exit 99), got $r"; }
  done
  [ "$(grep -l '"verdict": "leaked"' "$work"/build/procleak-reports/*.json | wc -l)" = 2 ] \
    || fail "$how: expected two leak reports in $work/build/procleak-reports"
  python3 "$src/tests/check_reports.py" "$src/docs/procleak.report.schema.json" "$work/build/procleak-reports" >/dev/null \
    || fail "$how: a report does not validate against the schema"
  for _ in $(seq 1 20); do
    left=$(grep -lsa "$marker" /proc/[0-9]*/environ || true)
    [ -z "$left" ] && break
    sleep 0.2
  done
  [ -z "$left" ] || fail "$how: processes left behind: $left"
done
echo "run_meson_consumer: $(meson --version): ok"
