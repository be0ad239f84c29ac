#!/usr/bin/env bash
# check_docs.py must fail on stale docs: on a copy of the tree, a snippet
# that is not in its file, an output that is not what the command prints, a
# report field that changed, a broken anchor, a command in an indented block
# (which nothing runs) and a README over 300 lines each
# make it fail, naming the place.
# Usage: check_docs_catches.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$(realpath "$1") build=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "check_docs_catches: $*" >&2; exit 1; }
cp -r "$src/README.md" "$src/docs" "$work/"
mkdir -p "$work/tests"
cp "$src/tests/check_docs.py" "$work/tests/"
(cd "$src" && git ls-files -co --exclude-standard tests gtest_listener scripts .ci 2>/dev/null || find tests gtest_listener scripts .ci -type f) |
  while read -r f; do mkdir -p "$work/$(dirname "$f")"; cp -a "$src/$f" "$work/$f"; done

python3 "$work/tests/check_docs.py" examples "$work" "$build" >/dev/null 2>&1 || fail "the unchanged copy does not pass"

sed -i 's|procleak_discover_tests(unit_tests REPORT_DIR ${reports})|procleak_discover_tests(unit_tests REPORT_DIR ${reports} GRACE 1s)|' "$work/README.md"
sed -i '0,/holds the test.s output open -> terminated/s//holds nothing -> terminated/' "$work/README.md"
sed -i 's|"comm": "sleep"|"comm": "sleeps"|' "$work/docs/reference.md"
sed -i '0,/"cleanup": "reaped"/s//"cleanup": "killed"/' "$work/docs/report-format.md"
set +e
out=$(python3 "$work/tests/check_docs.py" examples "$work" "$build" 2>&1)
code=$?
set -e
[ "$code" = 1 ] || fail "examples exited $code on stale docs: $out"
for want in "README.md:[0-9]*: .procleak_discover_tests(unit_tests REPORT_DIR \${reports} GRACE 1s). is in none of" \
            "README.md:[0-9]*: .procleak-run -- sh -c 'sleep 300 & exit 0'. printed something else" \
            "docs/reference.md:[0-9]*: .*write-baseline.* produced another report" \
            "docs/report-format.md:[0-9]*: .*zombie_test.* produced another report"; do
  grep -q "$want" <<<"$out" || fail "no '$want' in: $out"
done

sed -i 's|(how-it-works.md#safety)|(how-it-works.md#no-such-heading)|' "$work/docs/limits.md"
printf '\n    procleak-run -- true\n' >>"$work/docs/limits.md"
for _ in $(seq 1 300); do echo "padding" >>"$work/README.md"; done
set +e
out=$(python3 "$work/tests/check_docs.py" links "$work" 2>&1)
code=$?
set -e
[ "$code" = 1 ] || fail "links exited $code: $out"
grep -q "docs/limits.md:[0-9]*: link to how-it-works.md#no-such-heading" <<<"$out" || fail "no broken anchor in: $out"
grep -q "README.md: [0-9]* lines, more than 300" <<<"$out" || fail "no line count in: $out"
grep -q "docs/limits.md:[0-9]*: an indented code block that is not a synopsis" <<<"$out" || fail "no indented command in: $out"
echo "check_docs_catches: ok"
