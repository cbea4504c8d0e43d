"""Instructions per malloc+free pair under valgrind --tool=callgrind, the method of
../shared/design/targets.md: bench/micro/fastpath.c run with N and 2N rounds, the
difference divided by N, minus the same loop without the calls; the call through the PLT
is included. Counts repeat exactly for the same binaries. Used by bench/run (the table
against the peers) and test/budget/check_fastpath.py (the pinned budget)."""
import os
import re
import subprocess

PAIR_ROUNDS = (100000, 300000)
# For bento: no helper thread and no decay purges, whose work depends on the clock (a
# run under valgrind takes seconds): with them the counts drift by an instruction or two
# a pair from run to run. Other allocators ignore the variable.
BENTO_CONF = "background_purge:false,dirty_decay_ms:-1"
BATCH_ROUNDS = (100, 300)  # batches of 1,000 mallocs then 1,000 frees
# The fast path alone, without the heap profiler's samples or the guarded ones (each
# unwinds the stack: thousands of instructions, one per 512 KiB requested and one per
# 1,000,000 allocations on average, and the first initialises the unwinder, so whether
# it falls in a run moves the count). The countdown that decides when to sample stays in
# the path and is counted, and so does the sampler's look at each crossing.
NO_SAMPLES = ",prof_active:false,guard_sample:0"


def count(exe, mode, size, rounds, lib, extra_conf=""):
    """Instructions callgrind collected for one run of the fastpath program."""
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    env["BENTO_CONF"] = BENTO_CONF + extra_conf
    if lib:
        env["LD_PRELOAD"] = lib
    r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", exe, mode, str(size),
                        str(rounds)], env=env, capture_output=True, text=True)
    m = re.search(r"Collected : (\d+)", r.stderr)
    if not m:
        raise RuntimeError("callgrind gave no count for %s %s %d: %s" % (exe, mode, size, r.stderr[-300:]))
    return int(m.group(1))


def per_pair(exe, lib, sizes, extra_conf=""):
    """{("pair"|"batch", size): instructions per malloc+free pair} for one library;
    extra_conf is appended to bento's BENTO_CONF (NO_SAMPLES: the fast path alone)."""
    n1, n2 = PAIR_ROUNDS
    empty = count(exe, "empty", 16, n2, "") - count(exe, "empty", 16, n1, "")
    out = {}
    for size in sizes:
        pair = count(exe, "pair", size, n2, lib, extra_conf) - count(exe, "pair", size, n1, lib, extra_conf)
        out[("pair", size)] = (pair - empty) / (n2 - n1)
        b1, b2 = BATCH_ROUNDS
        batch = count(exe, "batch", size, b2, lib, extra_conf) - count(exe, "batch", size, b1, lib, extra_conf)
        out[("batch", size)] = batch / ((b2 - b1) * 1000)
    return out
