#!/usr/bin/env bash
# Containment by cgroup against session containment (procleak-run
# --containment), side by side:
#   1. ctest on 200 trivial tests (`true`) through procleak-run in each
#      containment, beside the keeper floor (bench/keeper_floor.c), in
#      interleaved rounds (bench/interleave.py); medians and quartiles.
#   2. What the kernel charges per test for a cgroup, apart from procleak
#      (bench/cgroup_costs.c).
#   3. A fork loop (capped at 20,000 inside the program, 10 births per ms,
#      still forking when the test ends) stopped by each: how long
#      procleak-run takes, how many processes it stopped, and how many of
#      the loop's processes are left afterwards (from /proc).
# Needs root and a writable cgroup2 hierarchy for the cgroup rows. Prints
# figures; asserts nothing.
#   bench/containment.sh [RUNS]
set -euo pipefail
runs=${1:-15}
source "$(dirname "$0")/lib.sh"
out=$out/containment
rm -rf "$out"
mkdir -p "$out"/{keeper_floor,cgroup,session}
for i in $(seq 200); do
  echo "add_test(t$i \"$keeper_floor\" \"$true_bin\")" >>"$out/keeper_floor/CTestTestfile.cmake"
  echo "add_test(t$i \"$run\" \"--containment\" \"cgroup\" \"--\" \"$true_bin\")" >>"$out/cgroup/CTestTestfile.cmake"
  echo "add_test(t$i \"$run\" \"--containment\" \"session\" \"--\" \"$true_bin\")" >>"$out/session/CTestTestfile.cmake"
done
"$interleave" --runs "$runs" --warmup 1 --json "$out/ctest.json" \
  "keeper_floor=ctest --test-dir $out/keeper_floor -Q" "cgroup=ctest --test-dir $out/cgroup -Q" \
  "session=ctest --test-dir $out/session -Q"
python3 - "$out/ctest.json" "$runs" <<'PY'
import json, sys
r = {x["name"]: x for x in json.load(open(sys.argv[1]))["results"]}
print(f"ctest, 200 tests, {sys.argv[2]} interleaved rounds, medians (quartiles):")
for name in ("keeper_floor", "session", "cgroup"):
    x = r[name]
    print(f"  {name:14} {x['median']*1e3:7.1f} ms  ({x['q1']*1e3:.1f}-{x['q3']*1e3:.1f})")
k = r["keeper_floor"]["median"]
for name in ("session", "cgroup"):
    p = r[name]["median"]
    print(f"  {name} vs keeper floor: {p/k:.3f}x ({(p-k)/200*1e6:+.0f} us per test)")
PY

echo "the kernel's own share (bench/cgroup_costs.c, a static C program):"
"$staged/bench_cgroup_costs" | sed 's/^/  /'

loop=$staged/bench_fork_loop
left_of_loop() {  # processes of the fork loop still on the machine
  local n=0
  for c in /proc/[0-9]*/comm; do
    [ "$(cat "$c" 2>/dev/null)" = bench_fork_loop ] && n=$((n + 1))
  done
  echo $n
}
echo "fork loop (cap 20,000, 10 births per ms), --settle 50ms --grace 500ms, 5 runs each, alternating:"
for round in 1 2 3 4 5; do
  for containment in cgroup session; do
    start=$(date +%s%N)
    "$run" --containment "$containment" --settle 50ms --grace 500ms --report "$out/loop.json" -- "$loop" 20000 10 \
      >/dev/null 2>&1 || true
    end=$(date +%s%N)
    sleep 0.5  # anything that escaped would show by now
    python3 - "$out/loop.json" "$containment" "$(( (end - start) / 1000000 ))" "$(left_of_loop)" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
c = r["cleanup"]
print(f"  {sys.argv[2]:8} {int(sys.argv[3]):5} ms, {len(r['leaks']):5} processes stopped "
      f"({c['terminated']} terminated, {c['killed']} killed, {c['unkillable']} unkillable), "
      f"verdict {r['verdict']}, {sys.argv[4]} left afterwards")
PY
  done
done
