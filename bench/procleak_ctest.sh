#!/usr/bin/env bash
# procleak-ctest's fixed cost per call: on a tree of 10 and one of 200
# trivial tests (`true`), plain ctest, ctest with every test already under
# procleak-run (what procleak-ctest runs, without its listing and checking),
# and procleak-ctest, interleaved round by round (bench/interleave.py);
# medians and quartiles, and the ratios. Prints figures; asserts nothing.
#   bench/procleak_ctest.sh [RUNS]
set -euo pipefail
runs=${1:-15}
source "$(dirname "$0")/lib.sh"
cp build/release/bin/procleak-ctest "$staged/"
out=$out/procleak_ctest
rm -rf "$out"
for n in 10 200; do
  mkdir -p "$out/$n/plain" "$out/$n/launched"
  for i in $(seq "$n"); do
    echo "add_test(t$i \"$true_bin\")" >>"$out/$n/plain/CTestTestfile.cmake"
    echo "add_test(t$i \"$run\" \"--ctest\" \"--name\" \"t$i\" \"--\" \"$true_bin\")" >>"$out/$n/launched/CTestTestfile.cmake"
  done
  "$interleave" --runs "$runs" --warmup 2 --json "$out/$n.json" \
    "plain=ctest --test-dir $out/$n/plain -Q" "launched=ctest --test-dir $out/$n/launched -Q" \
    "procleak_ctest=$staged/procleak-ctest --test-dir $out/$n/plain -Q"
  python3 - "$out/$n.json" "$runs" "$n" <<'PY'
import json, sys
r = {x["name"]: x for x in json.load(open(sys.argv[1]))["results"]}
print(f"{sys.argv[3]} tests, {sys.argv[2]} interleaved rounds, medians:")
for label, name in (("plain ctest", "plain"), ("ctest, each test under procleak-run", "launched"),
                    ("procleak-ctest", "procleak_ctest")):
    x = r[name]
    print(f"  {label:38} {x['median']*1e3:7.1f} ms  (quartiles {x['q1']*1e3:.1f}-{x['q3']*1e3:.1f})")
p, l, c = (r[n]["median"] for n in ("plain", "launched", "procleak_ctest"))
print(f"  procleak-ctest vs plain ctest:            {c/p:.3f}x")
print(f"  procleak-ctest vs ctest under the launcher: {c/l:.3f}x ({(c-l)*1e3:+.1f} ms: the listing and its check)")
PY
done
