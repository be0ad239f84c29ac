#!/usr/bin/env bash
# Lineage's memory and report size on the shapes that made them grow without
# bound: a test that forks 20,000 children with a 4 KB argv, and a chain of
# 2,000 processes (each forks the next and exits; one leak, 2,000 ancestors).
# Peak RSS of procleak-run (/usr/bin/time), with lineage on and off, and the
# report's size. Prints figures; asserts nothing.
#   bench/lineage_bounds.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cp build/release/bench/bench_lineage_load "$staged/"
load=$staged/bench_lineage_load
out=$out/lineage_bounds
rm -rf "$out"
mkdir -p "$out"
long=$(head -c 4096 /dev/zero | tr '\0' x)

peak() {  # NAME LINEAGE COMMAND...
  local name=$1 lineage=$2
  shift 2
  local kib
  kib=$(/usr/bin/time -f "%M" "$run" --lineage "$lineage" --report "$out/$name.$lineage.json" -- "$@" 2>&1 >/dev/null | tail -n 1)
  printf '%-42s lineage %-3s  peak RSS %6.1f MB   report %8s bytes\n' "$name" "$lineage" "$(echo "$kib / 1024" | bc -l)" \
    "$(stat -c %s "$out/$name.$lineage.json")"
}

peak "20,000 forks with a 4 KB argv" on "$load" forks 20000 "$long"
peak "20,000 forks with a 4 KB argv" off "$load" forks 20000 "$long"
peak "a chain of 2,000 processes" on "$load" chain 2000 || true
peak "a chain of 2,000 processes" off "$load" chain 2000 || true
python3 - "$out/a chain of 2,000 processes.on.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for l in r["leaks"]:
    print(f"chain leak PID {l['pid']}: lineage lists {len(l['lineage'] or [])}, omitted {l.get('lineage_omitted')}")
PY
