#!/usr/bin/env bash
# Installs what procleak needs to build, test, demo and benchmark, from
# Debian's packages only. Used by both README commands and by CI. Does nothing
# (and needs no network) when everything is already there.
set -euo pipefail

packages=(
  cmake ninja-build g++            # build
  libboost1.81-dev                 # Boost.Process v2 (the launcher spawns the test with it)
  nlohmann-json3-dev libfmt-dev    # JSON reports, text formatting
  libcli11-dev                     # procleak-report's command line
  libgtest-dev libgmock-dev        # the listener's host and the test framework
  catch2 doctest-dev               # the Catch2 (v2) and doctest listeners' tests
  libboost-test1.81-dev            # the Boost.Test listener's tests (not libboost-test-dev: 1.74)
  meson                            # the Meson consumer test (meson test --wrapper procleak-run)
  libbenchmark-dev strace time     # bench/ (strace: syscalls.sh; time: peak RSS)
  libdw-dev                        # the listener symbolizes spawn sites with libdw (dlopen; headers only)
  libxml2-utils                    # xmllint, to check JUnit output
  procps                           # ps, for the demo's final check
  util-linux                       # setpriv, prlimit, unshare: the environment test runs
  valgrind                         # procleak-run under valgrind (ctest -T memcheck users)
  pkgconf dpkg-dev                 # the consumer tests: pkg-config, dpkg-deb
  help2man man-db                  # the man pages, from each command's --help; man renders them in the test
  clang-14 libclang-rt-14-dev      # scripts/fuzz.sh (libFuzzer)
  python3                          # scripts/third_party_suite.sh (checks the reports' names)
  python3-jsonschema               # tests/check_reports.py: every report against docs/procleak.report.schema.json
  python3-yaml git ca-certificates # tests/consumer/run_ci_jobs.py: the README's CI jobs (FetchContent from git)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v npm >/dev/null || missing+=(nodejs npm)  # scripts/install-cmake4.sh
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
