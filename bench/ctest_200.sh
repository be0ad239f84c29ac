#!/usr/bin/env bash
# ctest on 200 trivial tests (`true`) through procleak-run, against the same
# tests through a minimal C launcher that only does fork + setsid + exec +
# wait (the floor for any launcher; built as usual, and linked statically
# like procleak-run), through the keeper floor (bench/keeper_floor.c: what
# any launcher that survives its own SIGKILL must pay), and with no launcher
# at all. The five ctest runs are interleaved round by round
# (bench/interleave.py); medians. Prints figures; asserts nothing.
#   bench/ctest_200.sh [RUNS]
set -euo pipefail
runs=${1:-15}
source "$(dirname "$0")/lib.sh"
out=$out/ctest200
rm -rf "$out"
mkdir -p "$out"/{none,minimal,minimal_static,keeper_floor,procleak}
for i in $(seq 200); do
  echo "add_test(t$i \"$true_bin\")" >>"$out/none/CTestTestfile.cmake"
  echo "add_test(t$i \"$minimal\" \"$true_bin\")" >>"$out/minimal/CTestTestfile.cmake"
  echo "add_test(t$i \"$minimal_static\" \"$true_bin\")" >>"$out/minimal_static/CTestTestfile.cmake"
  echo "add_test(t$i \"$keeper_floor\" \"$true_bin\")" >>"$out/keeper_floor/CTestTestfile.cmake"
  echo "add_test(t$i \"$run\" \"--\" \"$true_bin\")" >>"$out/procleak/CTestTestfile.cmake"
done

"$interleave" --runs "$runs" --warmup 1 --json "$out/ctest.json" \
  "none=ctest --test-dir $out/none -Q" "minimal=ctest --test-dir $out/minimal -Q" \
  "minimal_static=ctest --test-dir $out/minimal_static -Q" "keeper_floor=ctest --test-dir $out/keeper_floor -Q" \
  "procleak=ctest --test-dir $out/procleak -Q"
python3 - "$out/ctest.json" "$runs" <<'PY'
import json, sys
r = {x["name"]: x for x in json.load(open(sys.argv[1]))["results"]}
def line(label, name):
    x = r[name]
    print(f"{label:42} {x['median']*1e3:7.1f} ms  (quartiles {x['q1']*1e3:.1f}-{x['q3']*1e3:.1f})")
print(f"ctest, 200 tests, {sys.argv[2]} interleaved rounds, medians:")
line("no launcher", "none")
line("minimal launcher", "minimal")
line("minimal launcher, static", "minimal_static")
line("keeper floor (static)", "keeper_floor")
line("procleak-run", "procleak")
p, m, s, k = (r[n]["median"] for n in ("procleak", "minimal", "minimal_static", "keeper_floor"))
print(f"procleak-run vs keeper floor:              {p/k:.3f}x ({(p-k)/200*1e6:+.0f} us per test)")
print(f"procleak-run vs minimal launcher:          {p/m:.3f}x ({(p-m)/200*1e6:+.0f} us per test)")
print(f"procleak-run vs minimal launcher, static:  {p/s:.3f}x ({(p-s)/200*1e6:+.0f} us per test)")
PY
