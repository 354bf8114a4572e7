#!/usr/bin/env python3
"""Whole-process timings taken in turns: each round runs every command once, so a machine
whose speed drifts (a shared virtual machine) slows them all alike. Prints each command's
median wall and CPU time (user + system, of the process and its threads) and its ratio to the
last command, the reference.

Example:
  scripts/bench/interleaved.py --rounds 40 "./old list --json" "./new list --json" ./floor
"""
import argparse
import os
import resource
import shlex
import statistics
import subprocess
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=30, help="measured rounds (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="rounds run first and not counted (default 3)")
    parser.add_argument("commands", nargs="+", help="commands, split as a shell would; the last is the reference")
    args = parser.parse_args()
    if args.rounds < 1 or args.warmup < 0:
        parser.error("--rounds must be at least 1 and --warmup at least 0")
    commands = [shlex.split(c) for c in args.commands]
    wall = [[] for _ in commands]
    cpu = [[] for _ in commands]
    with open(os.devnull, "wb") as null:
        for n in range(args.warmup + args.rounds):
            for i, command in enumerate(commands):
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                done = subprocess.run(command, stdout=null, stderr=null, timeout=120)
                took = time.perf_counter() - start
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                if done.returncode != 0:
                    print(f"{args.commands[i]!r} exited with {done.returncode}", file=sys.stderr)
                    return 1
                if n >= args.warmup:
                    wall[i].append(took * 1000)
                    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
                    cpu[i].append(used * 1000)
    reference = statistics.median(wall[-1])
    print(f"| command | wall median | CPU median | ÷ {args.commands[-1]} |")
    print("|---|---:|---:|---:|")
    for text, w, c in zip(args.commands, wall, cpu):
        median = statistics.median(w)
        print(f"| `{text}` | {median:.1f} ms | {statistics.median(c):.1f} ms | {median / reference:.2f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
