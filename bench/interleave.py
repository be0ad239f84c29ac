#!/usr/bin/env python3
"""Times commands side by side, interleaved: round r runs every command once,
in an order rotated by r, so drift of a shared, noisy machine (other tenants,
CPU frequency, page cache) lands on all of them alike instead of on whichever
ran last. Prints one line per command (median and quartiles, milliseconds)
and writes them as JSON.

  interleave.py --runs N --warmup W --json OUT NAME=COMMAND...

COMMAND is split like a shell word list (shlex) and run without a shell,
stdout and stderr discarded; a non-zero exit is an error (a benchmark of a
failing command measures nothing).
"""
import argparse
import json
import shlex
import statistics
import subprocess
import sys
import time


def run_once(argv):
    start = time.perf_counter()
    code = subprocess.call(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if code != 0:
        sys.exit(f"interleave.py: {shlex.join(argv)} exited with {code}")
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--json", required=True)
    parser.add_argument("commands", nargs="+", metavar="NAME=COMMAND")
    args = parser.parse_args()
    named = []
    for spec in args.commands:
        name, sep, command = spec.partition("=")
        if not sep or not command:
            sys.exit(f"interleave.py: expected NAME=COMMAND, got {spec!r}")
        named.append((name, shlex.split(command)))

    times = {name: [] for name, _ in named}
    for r in range(args.warmup + args.runs):
        order = named[r % len(named):] + named[:r % len(named)]
        for name, argv in order:
            elapsed = run_once(argv)
            if r >= args.warmup:
                times[name].append(elapsed)

    results = []
    for name, _ in named:
        t = sorted(times[name])
        q1, median, q3 = statistics.quantiles(t, n=4) if len(t) > 1 else (t[0], t[0], t[0])
        results.append({"name": name, "median": statistics.median(t), "q1": q1, "q3": q3, "runs": len(t)})
    with open(args.json, "w") as out:
        json.dump({"results": results}, out, indent=1)


if __name__ == "__main__":
    main()
