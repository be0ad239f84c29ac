#!/usr/bin/env bash
# The whole test suite: installs dependencies, then builds and runs every test
# twice: the CI build (warnings are errors, plus the consumer projects on CMake
# 3.25 and 4.x) and the same under ASan + UBSan (without the consumer projects);
# then the listener's tests and the core's scope, lineage and tree tests under
# ThreadSanitizer (the tsan preset); then GoogleTest's own suite through
# procleak-ctest, and the fuzzers.
# Every stage runs, whatever an earlier one did; a summary of all of them
# comes at the end, and the exit status is 1 if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh || exit 1
./scripts/install-cmake4.sh || exit 1   # CMake 4.x beside Debian's 3.25, for the consumer tests

results=()
stage() {
  local name=$1
  shift
  echo "=== $name ==="
  local start=$SECONDS
  if "$@"; then
    results+=("passed  $name ($((SECONDS - start)) s)")
  else
    results+=("FAILED  $name ($((SECONDS - start)) s)")
  fi
}
preset() {
  cmake --preset "$1" >/dev/null && cmake --build --preset "$1" && ctest --preset "$1"
}

for p in ci asan tsan; do
  stage "procleak tests: preset $p" preset "$p"
done
stage "a real third-party suite: GoogleTest's own, through procleak-ctest" \
  ./scripts/third_party_suite.sh build/ci/bin 3
stage "procleak fuzzing: a bounded run of each parser" ./scripts/fuzz.sh 10

echo "=== summary ==="
printf '%s\n' "${results[@]}"
for r in "${results[@]}"; do
  [[ $r == passed* ]] || exit 1
done
