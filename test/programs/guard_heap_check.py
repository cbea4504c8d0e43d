#!/usr/bin/env python3
"""Guarded sampling waits for the heap: under LD_PRELOAD with guard_sample:1 (every
allocation of up to 8 KiB the guard pool can hold), a python3 whose heap is a few MiB
places none of 30,000 small allocations in the guard pool; once it holds 48 MiB of
2 MiB buffers (bento maps more than guard_min_heap_mb, 32 MiB by default), some of the
next 30,000 are (from the sampler's next countdown, drawn about a MiB ahead); with
guard_min_heap_mb:0 they are from the start. stats.guarded_allocs, read through mallctl.

usage: guard_heap_check.py LIBBENTO
"""
import os
import subprocess
import sys

import check_support
from check_support import expect

LIB = sys.argv[1]

# Runs in the python3 under test: guarded allocations before and after 48 MiB are held.
PROBE = r"""
import ctypes
lib = ctypes.CDLL(None)
lib.malloc.restype = ctypes.c_void_p
lib.free.argtypes = [ctypes.c_void_p]
def guarded():
    e = ctypes.c_uint64(1)
    lib.mallctl(b"epoch", None, None, ctypes.byref(e), ctypes.c_size_t(8))
    v = ctypes.c_uint64(0)
    n = ctypes.c_size_t(8)
    assert lib.mallctl(b"stats.guarded_allocs", ctypes.byref(v), ctypes.byref(n), None, ctypes.c_size_t(0)) == 0
    return v.value
def small_allocs(n):
    ps = [lib.malloc(100) for _ in range(n)]
    for p in ps: lib.free(p)
small_allocs(30000)
before = guarded()
held = [lib.malloc(2 << 20) for _ in range(24)]
small_allocs(30000)  # 3 MB: the sampler's countdown, drawn while guarding waited, runs out
print(before, guarded())
"""


def run(conf):
    env = dict(os.environ, LD_PRELOAD=LIB, BENTO_CONF=conf)
    r = subprocess.run(["/usr/bin/python3", "-c", PROBE], env=env, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        return None, r.stderr
    before, after = (int(x) for x in r.stdout.split())
    return (before, after), r.stderr


counts, err = run("guard_sample:1")
expect("python3 under guard_sample:1 ran", counts is not None, err)
if counts is not None:
    expect("a heap of a few MiB: no guarded allocation", counts[0] == 0, counts)
    expect("past 32 MiB mapped: guarded allocations", counts[1] > counts[0], counts)
counts, err = run("guard_sample:1,guard_min_heap_mb:0")
expect("python3 under guard_min_heap_mb:0 ran", counts is not None, err)
if counts is not None:
    expect("guard_min_heap_mb:0: guarded from the start", counts[0] > 0, counts)
sys.exit(check_support.exit_code())
