#!/usr/bin/python3
"""Runs each named command REPEAT times, interleaved (A B C A B C ...) so
that a noisy shared machine hurts every command alike, and prints the
median wall time and the peak RSS of each, plus ratios to the first.
Usage: measure.py REPEAT NAME 'CMD' [NAME 'CMD' ...]   (CMD is split like sh words)"""
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time


def run_once(cmd):
    """GNU time reports the peak RSS of the command itself; the rusage of
    a child forked from this Python process would include Python's own
    pages from before the exec."""
    with tempfile.NamedTemporaryFile("r") as out:
        argv = ["/usr/bin/time", "-f", "%M", "-o", out.name] + shlex.split(cmd)
        t0 = time.monotonic()
        code = subprocess.call(argv, stdout=subprocess.DEVNULL)
        wall = time.monotonic() - t0
        lines = out.read().split()
        rss_kib = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    return wall, rss_kib, code


def main():
    repeat = int(sys.argv[1])
    pairs = list(zip(sys.argv[2::2], sys.argv[3::2]))
    walls = {n: [] for n, _ in pairs}
    rss = {n: 0 for n, _ in pairs}
    codes = {n: set() for n, _ in pairs}
    for _ in range(repeat):
        for name, cmd in pairs:
            w, r, c = run_once(cmd)
            walls[name].append(w)
            rss[name] = max(rss[name], r)
            codes[name].add(c)
    base = statistics.median(walls[pairs[0][0]])
    print(f"{'command':<18} {'median s':>9} {'min s':>8} {'max s':>8} "
          f"{'x first':>8} {'peak RSS MiB':>13} exit")
    for name, _ in pairs:
        m = statistics.median(walls[name])
        print(f"{name:<18} {m:9.3f} {min(walls[name]):8.3f} "
              f"{max(walls[name]):8.3f} {m / base:8.2f} "
              f"{rss[name] / 1024:13.1f} {sorted(codes[name])}")


if __name__ == "__main__":
    main()
