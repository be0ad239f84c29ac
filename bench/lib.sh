# Shared by the bench/*.sh scripts (sourced, not run): builds the release
# preset and names its programs; runs a command with 3,000 unrelated sleeping
# processes on the machine.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release >/dev/null
run=$PWD/build/release/bin/procleak-run
tree=$PWD/build/release/bench/bench_spawn_tree
minimal=$PWD/build/release/bench/bench_minimal_launcher
minimal_static=$PWD/build/release/bench/bench_minimal_launcher_static
interleave=$PWD/bench/interleave.py
true_bin=$(type -P true)  # the file, not the shell builtin: no PATH search in any launcher
out=build/release/bench-results
mkdir -p "$out"

# with_3000_processes COMMAND...: the sleepers belong to a procleak-run that
# removes them (by pidfd) when COMMAND is done.
with_3000_processes() {
  "$run" --grace 1s -- sh -c "$tree 3000 && exec sleep 600" 2>/dev/null &
  local owner=$!
  for _ in $(seq 200); do
    [ "$(ps -e --no-headers | wc -l)" -ge 3000 ] && break
    sleep 0.1
  done
  "$@"
  kill -TERM "$owner"
  wait "$owner" 2>/dev/null || true
}
