#!/usr/bin/env bash
# ctest on 200 trivial tests (`true`) through procleak-run, against the same
# tests through a minimal C launcher that only does fork + setsid + exec +
# wait (the floor for any launcher), and with no launcher at all. One
# hyperfine run, medians. Prints figures; asserts nothing.
#   bench/ctest_200.sh [RUNS]
set -euo pipefail
runs=${1:-10}
source "$(dirname "$0")/lib.sh"
out=$out/ctest200
rm -rf "$out"
mkdir -p "$out"/{none,minimal,procleak}
true_bin=$(command -v true)
for i in $(seq 200); do
  echo "add_test(t$i \"$true_bin\")" >>"$out/none/CTestTestfile.cmake"
  echo "add_test(t$i \"$minimal\" \"$true_bin\")" >>"$out/minimal/CTestTestfile.cmake"
  echo "add_test(t$i \"$run\" \"--\" \"$true_bin\")" >>"$out/procleak/CTestTestfile.cmake"
done

hyperfine -N --warmup 1 --runs "$runs" --export-json "$out/ctest.json" \
  "ctest --test-dir $out/none -Q" "ctest --test-dir $out/minimal -Q" "ctest --test-dir $out/procleak -Q" \
  >/dev/null 2>&1
python3 - "$out/ctest.json" <<'PY'
import json, sys
none, minimal, procleak = (x["median"] for x in json.load(open(sys.argv[1]))["results"])
print(f"ctest, 200 tests, no launcher:          {none*1e3:7.1f} ms")
print(f"ctest, 200 tests, minimal launcher:     {minimal*1e3:7.1f} ms")
print(f"ctest, 200 tests, procleak-run:         {procleak*1e3:7.1f} ms")
print(f"procleak-run vs minimal launcher:       {procleak/minimal:.3f}x "
      f"({(procleak-minimal)/200*1e6:.0f} us per test)")
PY
