#!/usr/bin/env bash
# procleak's launcher benchmarks. Prints figures; asserts nothing.
#   bench/run.sh [RUNS]
# 1. Per-test wall overhead: `procleak-run -- true` against `true`, the
#    minimal launcher and the keeper floor (bench/keeper_floor.c), whole
#    processes timed in interleaved rounds (bench/exec_rounds.c): medians
#    and their ratios. With BENCH_BEFORE=<another procleak-run> (an older
#    build, say), that one is timed in the same rounds too.
# 2. Peak RSS of `procleak-run -- true`, median and range of RUNS runs.
# 3. Cleanup time of a tree of N sleeping processes (cooperative), and of one
#    with SIGTERM ignorers among them (grace 500ms): the launcher's own
#    cleanup.duration_ms from the JSON report, median and range of RUNS runs.
set -euo pipefail
runs=${1:-15}
source "$(dirname "$0")/lib.sh"

echo "machine: $(nproc) cores, $(uname -r), $(ps -e --no-headers | wc -l) processes running"
echo
echo "== 1. per-test overhead, whole processes, $((runs * 100)) interleaved rounds (medians, quartiles) =="
before=()
if [ -n "${BENCH_BEFORE:-}" ]; then
  cp "$BENCH_BEFORE" "$staged/procleak-run.before"
  before=("before=$staged/procleak-run.before -- $true_bin")
fi
"$exec_rounds" $((runs * 100)) 50 "true=$true_bin" "minimal=$minimal_static $true_bin" \
  "keeper_floor=$keeper_floor $true_bin" "procleak=$run -- $true_bin" "${before[@]}" >"$out/overhead.txt"
awk '{ m[$1] = $2; printf "%-14s median %6.0f us  (quartiles %.0f-%.0f)\n", $1, $2, $3, $4 }
     END {
       printf "procleak-run vs keeper floor:      %.3fx (%+.0f us per test)\n", m["procleak"] / m["keeper_floor"], m["procleak"] - m["keeper_floor"]
       printf "procleak-run vs minimal (static):  %.3fx\n", m["procleak"] / m["minimal"]
       printf "procleak-run vs true:              %.2fx\n", m["procleak"] / m["true"]
       if ("before" in m) printf "procleak-run vs BENCH_BEFORE:      %.3fx\n", m["procleak"] / m["before"]
     }' "$out/overhead.txt"

echo
# The median of the numbers on stdin, with their range: "M (A-B)".
median() { sort -n | awk '{a[NR]=$1} END {printf "%s (%s-%s)", (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2), a[1], a[NR]}'; }
peak_rss() { for _ in $(seq "$runs"); do /usr/bin/time -f "%M" "$@" 2>&1 | tail -n 1; done | median; }
echo "== 2. peak RSS of procleak-run -- true (KiB, median (range) of $runs runs) =="
echo "procleak-run: $(peak_rss "$run" -- "$true_bin")"
echo "keeper floor: $(peak_rss "$keeper_floor" "$true_bin")"


cleanup_ms() {  # N IGNORERS GRACE
  for _ in $(seq "$runs"); do
    "$run" --grace "$3" --report "$out/tree.json" -- "$tree" "$1" "$2" 2>/dev/null || true
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert len(r["leaks"])==int(sys.argv[2]), "leaks"; print(r["cleanup"]["duration_ms"])' \
      "$out/tree.json" "$1"
  done | median
}

echo
echo "== 3. cleanup, ms (median (range) of $runs runs; from the report's cleanup.duration_ms) =="
echo "100 sleeping processes:                       $(cleanup_ms 100 0 2s)"
echo "1000 sleeping processes:                      $(cleanup_ms 1000 0 2s)"
echo "1000 processes, 100 ignore SIGTERM, grace 500ms: $(cleanup_ms 1000 100 500ms)"
