#!/usr/bin/env bash
# The whole test suite: installs dependencies, then builds and runs every test
# twice: the CI build (warnings are errors, plus the consumer projects on CMake
# 3.25 and 4.x) and the same under ASan + UBSan (without the consumer projects);
# then GoogleTest's own suite through procleak-ctest, and the fuzzers.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
./scripts/install-cmake4.sh   # CMake 4.x beside Debian's 3.25, for the consumer tests

for preset in ci asan; do
  echo "=== procleak tests: preset $preset ==="
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
  ctest --preset "$preset"
done

echo "=== a real third-party suite: GoogleTest's own, through procleak-ctest ==="
./scripts/third_party_suite.sh build/ci/bin 3

echo "=== procleak fuzzing: a bounded run of each parser ==="
./scripts/fuzz.sh 10
