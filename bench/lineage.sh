#!/usr/bin/env bash
# What lineage costs: ctest on 200 trivial tests through procleak-run with
# --lineage on and off, interleaved round by round (bench/interleave.py),
# first on a quiet machine, then with an unrelated background load of 1,000
# forks per second (bench/fork_load.c), whose events every launcher receives
# and drops. Then the peak RSS of one run under that load with lineage on and
# off (the book keeps the test's own processes only). Prints figures;
# asserts nothing.
#   bench/lineage.sh [RUNS]
set -euo pipefail
runs=${1:-15}
source "$(dirname "$0")/lib.sh"
load=$staged/bench_fork_load
dir=$out/lineage
rm -rf "$dir"
mkdir -p "$dir"/{on,off}
for i in $(seq 200); do
  echo "add_test(t$i \"$run\" \"--lineage\" \"on\" \"--\" \"$true_bin\")" >>"$dir/on/CTestTestfile.cmake"
  echo "add_test(t$i \"$run\" \"--lineage\" \"off\" \"--\" \"$true_bin\")" >>"$dir/off/CTestTestfile.cmake"
done

compare() {  # LABEL
  "$interleave" --runs "$runs" --warmup 1 --json "$dir/ctest.json" \
    "on=ctest --test-dir $dir/on -Q" "off=ctest --test-dir $dir/off -Q"
  python3 - "$dir/ctest.json" "$1" <<'PY'
import json, sys
r = {x["name"]: x for x in json.load(open(sys.argv[1]))["results"]}
on, off = r["on"]["median"], r["off"]["median"]
print(f"{sys.argv[2]:<44} lineage off {off*1e3:7.1f} ms, on {on*1e3:7.1f} ms: {on/off:.3f}x "
      f"({(on-off)/200*1e6:+.0f} us per test)")
PY
}

rss() {  # FLAG: peak RSS of one procleak-run -- sleep 1
  /usr/bin/time -f "%M KiB" "$run" --lineage "$1" -- sleep 1 2>&1 | tail -n 1
}

echo "machine: $(nproc) cores, $(uname -r); ctest x 200, medians of $runs interleaved rounds"
compare "quiet machine"
quiet_on=$(rss on)
"$load" 1000 600 &
load_pid=$!
trap 'kill "$load_pid" 2>/dev/null || true' EXIT
compare "with 1,000 unrelated forks per second"
echo "peak RSS of procleak-run -- sleep 1, lineage on: $quiet_on on a quiet machine, $(rss on) under that load" \
  "(about 1,000 unrelated processes born and gone meanwhile); lineage off under that load: $(rss off)"
kill "$load_pid"
wait "$load_pid" 2>/dev/null || true
