#!/usr/bin/env python3
"""The fast path's pinned budget: instructions per malloc+free pair of a release
libbento.so, pair and batch, 16 to 1024 B (bench/callgrind_pairs.py), must not exceed
test/budget/fastpath.txt. Callgrind counts the same binary the same way every time, so
this fails on an instruction added, not on a noisy machine. Raising a budget is a
decision: the file says why each figure is what it is.

usage: check_fastpath.py LIBBENTO FASTPATH_EXE [BUDGET_FILE]   (--print: measure only)
"""
import os
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import callgrind_pairs  # noqa: E402


def read_budget(path):
    budget = {}
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if line:
                kind, size, limit = line
                budget[(kind, int(size))] = float(limit)
    return budget


def main():
    args = [a for a in sys.argv[1:] if a != "--print"]
    lib, exe = args[0], args[1]
    budget_file = args[2] if len(args) > 2 else os.path.join(ROOT, "test", "budget", "fastpath.txt")
    if shutil.which("valgrind") is None:
        print("check_fastpath: valgrind is not installed (.ci/install-deps installs it)")
        return 1
    budget = read_budget(budget_file)
    sizes = sorted({s for _, s in budget})
    # The budget pins the fast path itself; the samples' own cost (each unwinds a stack)
    # is a figure of bench/run, with the profiler on as users get it.
    got = callgrind_pairs.per_pair(exe, lib, sizes, callgrind_pairs.NO_SAMPLES)
    over = 0
    for key in sorted(budget):
        kind, size = key
        verdict = "ok" if got[key] <= budget[key] + 0.5 else "OVER BUDGET"
        over += verdict != "ok"
        print("%-5s %5d B: %6.1f instructions per pair (budget %g) %s" % (kind, size, got[key], budget[key], verdict))
    if "--print" in sys.argv:
        return 0
    print("%d passed, %d failed" % (len(budget) - over, over))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
