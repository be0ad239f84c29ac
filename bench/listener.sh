#!/usr/bin/env bash
# The GoogleTest listener's per-test overhead, and what recording spawn
# sites costs per posix_spawn. Prints figures; asserts nothing.
#   bench/listener.sh [RUNS]
# Each line compares the same binary of 10,000 empty tests with and without
# the listener, run alternately round by round (bench/interleave.py), so the
# machine's drift falls on both: (median with - median without) / 10,000.
set -euo pipefail
runs=${1:-20}
source "$(dirname "$0")/lib.sh"
on=$staged/bench_listener_on
off=$staged/bench_listener_off
unset PROCLEAK_MODE PROCLEAK_REPORT_DIR

compare() {  # LABEL
  "$interleave" --runs "$runs" --warmup 2 --json "$out/listener.json" "off=$off" "on=$on"
  python3 - "$out/listener.json" "$1" <<'PY'
import json, sys
r = {x["name"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
off, on = r["off"], r["on"]
print(f"{sys.argv[2]:<44} without {off*1e3:7.1f} ms, with {on*1e3:7.1f} ms: "
      f"{(on-off)/10000*1e6:5.2f} us per test ({on/off:.2f}x)")
PY
}

echo "machine: $(nproc) cores, $(uname -r); 10,000 empty tests; medians of $runs runs"
compare "no children, $(ps -e --no-headers | wc -l) processes on the machine"
BENCH_CHILDREN=3 compare "3 children alive"

# 3,000 unrelated sleeping processes on the machine.
with_3000_processes compare "no children, with 3,000 more processes on the machine"

# What a leak costs beyond the settle time, in a process of one test (as
# procleak_discover_tests runs every test): the leaky test against the same
# test clean, same binary, interleaved; PROCLEAK_MODE=warn so both exit 0.
leak_cost() {  # LABEL ENV...
  local label=$1
  shift
  "$interleave" --runs "$runs" --warmup 2 --json "$out/leak.json" \
    "clean=env PROCLEAK_MODE=warn $* $on --gtest_filter=Leak.*" \
    "leaky=env PROCLEAK_MODE=warn BENCH_LEAK=1 $* $on --gtest_filter=Leak.*"
  python3 - "$out/leak.json" "$label" <<'PY'
import json, sys
r = {x["name"]: x for x in json.load(open(sys.argv[1]))["results"]}
clean, leaky = r["clean"]["median"], r["leaky"]["median"]
settle = 0.100
print(f"{sys.argv[2]:<44} clean {clean*1e3:6.1f} ms, leaky {leaky*1e3:6.1f} ms "
      f"(quartiles {r['leaky']['q1']*1e3:.1f}-{r['leaky']['q3']*1e3:.1f}): "
      f"{(leaky-clean-settle)*1e3:5.1f} ms beyond the 100 ms settle")
PY
}
leak_cost "a leak, the only test of its process"
leak_cost "the same, lineage off" PROCLEAK_LINEAGE=off

# What recording where each process was started costs, per posix_spawn.
"$staged/bench_spawn_capture" "$runs"
