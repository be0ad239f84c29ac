#!/usr/bin/env bash
# The whole test suite: installs dependencies, then builds and runs every test
# twice: the CI build (warnings are errors) and the same under ASan + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh

for preset in ci asan; do
  echo "=== procleak tests: preset $preset ==="
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
  ctest --preset "$preset"
done
