# Shared by the bench/*.sh scripts (sourced, not run): builds the release
# preset and names its programs; runs a command with 3,000 unrelated sleeping
# processes on the machine.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release >/dev/null
# Every program under test is timed from a fresh copy in one folder: a file
# just written by the linker starts about 5% slower than a copy of it
# (measured with bench/exec_rounds.c on this machine; a copy is what
# installing makes), and the comparison must not depend on which binary was
# relinked last.
out=build/release/bench-results
staged=$PWD/$out/programs
rm -rf "$staged"
mkdir -p "$staged"
cp build/release/bin/procleak-run build/release/bench/bench_* "$staged/"
run=$staged/procleak-run
tree=$staged/bench_spawn_tree
minimal=$staged/bench_minimal_launcher
minimal_static=$staged/bench_minimal_launcher_static
keeper_floor=$staged/bench_keeper_floor
exec_rounds=$staged/bench_exec_rounds
interleave=$PWD/bench/interleave.py
true_bin=$(type -P true)  # the file, not the shell builtin: no PATH search in any launcher

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
