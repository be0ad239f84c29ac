#!/usr/bin/env bash
# One leak check of a test's tree against a full /proc/*/stat scan, with the
# machine as it is and with 3,000 unrelated sleeping processes added (owned
# by a procleak-run that removes them afterwards). Prints figures.
#   bench/tree_vs_scan.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench=build/release/bench/bench_tree_vs_scan

measure() {  # LABEL
  "$bench" --benchmark_min_time=0.5 --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
    --benchmark_format=json >"$out/tree_vs_scan.json" 2>/dev/null
  python3 - "$out/tree_vs_scan.json" "$1" <<'PY'
import json, sys
b = {x["run_name"]: x for x in json.load(open(sys.argv[1]))["benchmarks"] if x["aggregate_name"] == "median"}
walk, check, scan = (b[n]["cpu_time"] / 1e3 for n in ("BM_OwnedTreeWalk", "BM_ScopeCheckNothingNew", "BM_FullProcScan"))
print(f"{sys.argv[2]}: full /proc scan {scan:8.1f} us ({int(b['BM_FullProcScan']['processes'])} processes); "
      f"walk of the test's tree (4 processes) {walk:5.1f} us = {scan/walk:5.1f}x cheaper; "
      f"leak check with nothing new {check:4.1f} us = {scan/check:6.0f}x cheaper (CPU time, medians)")
PY
}

measure "$(ps -e --no-headers | wc -l) processes"
with_3000_processes measure "with 3,000 more processes"
