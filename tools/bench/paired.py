#!/usr/bin/env python3
"""Times commands in turn (A, B, A, B, ...), so that a machine whose speed drifts during
the measurement favours none of them, and prints each command's median, its middle half
and the ratio of its median to the last command's.

usage: tools/bench/paired.py RUNS COMMAND [COMMAND...]

Each COMMAND is one argument, split like a shell would split it, and run without a
shell; its output is discarded. Three rounds are run first and not counted.
"""
import shlex
import statistics
import subprocess
import sys
import time


def timed(argv):
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    runs = int(sys.argv[1])
    commands = [shlex.split(c) for c in sys.argv[2:]]
    times = [[] for _ in commands]
    for round_ in range(runs + 3):
        for i, argv in enumerate(commands):
            t = timed(argv)
            if round_ >= 3:
                times[i].append(t)
    base = statistics.median(times[-1])
    for command, ts in zip(sys.argv[2:], times):
        q = statistics.quantiles(ts, n=4)
        median = statistics.median(ts)
        print(f"{median * 1000:8.2f} ms (middle half {q[0] * 1000:.2f}-{q[2] * 1000:.2f})"
              f"  x{median / base:.2f}  {command}")


if __name__ == "__main__":
    main()
