#!/usr/bin/env bash
# procleak's launcher benchmarks. Prints figures; asserts nothing.
#   bench/run.sh [RUNS]
# 1. Per-test wall overhead: `procleak-run -- true` against `true`, side by
#    side in one hyperfine run (medians and their ratio).
# 2. Peak RSS of `procleak-run -- true`.
# 3. Cleanup time of a tree of N sleeping processes (cooperative), and of one
#    with SIGTERM ignorers among them (grace 500ms): the launcher's own
#    cleanup.duration_ms from the JSON report, median of RUNS runs.
set -euo pipefail
runs=${1:-15}
source "$(dirname "$0")/lib.sh"

echo "machine: $(nproc) cores, $(uname -r), $(ps -e --no-headers | wc -l) processes running"
echo
echo "== 1. per-test overhead: true, a minimal fork+setsid+exec+wait launcher, procleak-run (one hyperfine run) =="
hyperfine -N --warmup 20 --runs 500 --export-json "$out/overhead.json" \
  "$true_bin" "$minimal $true_bin" "$run -- $true_bin" >/dev/null 2>&1
python3 - "$out/overhead.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
base, minimal, launcher = (x["median"] for x in r)
print(f"true:                              median {base*1e6:6.0f} us")
print(f"minimal launcher true:             median {minimal*1e6:6.0f} us")
print(f"procleak-run -- true:              median {launcher*1e6:6.0f} us")
print(f"procleak-run vs true:              {launcher/base:.2f}x ({(launcher-base)*1e6:.0f} us added per test)")
print(f"procleak-run vs minimal launcher:  {launcher/minimal:.2f}x ({(launcher-minimal)*1e6:.0f} us added per test)")
PY

echo
echo "== 2. peak RSS of procleak-run -- true =="
/usr/bin/time -f "%M KiB" "$run" -- "$true_bin" 2>&1 | tail -n 1

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

cleanup_ms() {  # N IGNORERS GRACE
  for _ in $(seq "$runs"); do
    "$run" --grace "$3" --report "$out/tree.json" -- "$tree" "$1" "$2" 2>/dev/null || true
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert len(r["leaks"])==int(sys.argv[2]), "leaks"; print(r["cleanup"]["duration_ms"])' \
      "$out/tree.json" "$1"
  done | median
}

echo
echo "== 3. cleanup (median of $runs runs; from the report's cleanup.duration_ms) =="
echo "100 sleeping processes:                       $(cleanup_ms 100 0 2s) ms"
echo "1000 sleeping processes:                      $(cleanup_ms 1000 0 2s) ms"
echo "1000 processes, 100 ignore SIGTERM, grace 500ms: $(cleanup_ms 1000 100 500ms) ms"
