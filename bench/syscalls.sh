#!/usr/bin/env bash
# The system calls of one clean `procleak-run -- true`, beside those of the
# keeper floor (bench/keeper_floor.c), counted with `strace -f` and split by
# process: the front, the keeper, and the test before its execve (what
# `true` does after it is the same under every launcher and left out).
# README.md ("Figures", "Every system call of a clean run") explains each
# one. Prints figures; asserts nothing.
#   bench/syscalls.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"

count() {  # LABEL COMMAND...
  local label=$1
  shift
  strace -f -qq -o "$out/strace.txt" "$@"
  python3 - "$out/strace.txt" "$true_bin" "$label" <<'PY'
import collections, re, sys
path, true_bin, label = sys.argv[1:]
lines = open(path).read().splitlines()
first = lines[0].split()[0]
test = next(l.split()[0] for l in lines if f'execve("{true_bin}"' in l)
roles = collections.OrderedDict()
seen_exec = False
for line in lines:
    pid, _, rest = line.partition(" ")
    rest = rest.strip()
    if rest.startswith(("<...", "+++", "---")):
        continue  # the second half of an interrupted call, an exit, a signal
    m = re.match(r"(\w+)\(", rest)
    if not m:
        continue
    if pid == test:
        if seen_exec:
            continue
        if m.group(1) == "execve":
            seen_exec = True
    role = "front" if pid == first else "test, before its execve" if pid == test else "keeper"
    roles.setdefault(role, collections.Counter())[m.group(1)] += 1
total = sum(sum(c.values()) for c in roles.values())
print(f"{label}: {total} system calls (those of {true_bin} after its execve left out)")
for role, calls in roles.items():
    listed = ", ".join(f"{name} {n}" if n > 1 else name for name, n in calls.most_common())
    print(f"  {role:26} {sum(calls.values()):3}: {listed}")
PY
}

count "keeper floor" "$keeper_floor" "$true_bin"
count "procleak-run" "$run" -- "$true_bin"
