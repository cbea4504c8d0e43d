#!/usr/bin/env python3
"""Redis's memory commands on bento, against jemalloc. Debian's redis-server links
libjemalloc.so.2 (unprefixed malloc, mallctl, malloc_stats_print, malloc_usable_size,
nallocx): run plain, jemalloc is its allocator; under LD_PRELOAD=libbento those bind to
bento (checked with LD_DEBUG=bindings). Each run fills the keyspace (DEBUG POPULATE), reads
INFO memory and MEMORY STATS, then FLUSHALL and MEMORY PURGE (Redis's jemalloc_purge:
mallctl arena.<narenas>.purge), waits, reads the RSS (INFO used_memory_rss, /proc VmRSS),
MEMORY DOCTOR and MEMORY MALLOC-STATS.

Checked on each allocator: the purge answers OK; allocator_resident >= allocator_active >=
allocator_allocated (so allocator_frag_bytes, allocator_rss_bytes >= 0) with keys and idle;
MEMORY STATS has the allocator.* fields; MEMORY DOCTOR and MALLOC-STATS answer. On bento,
the RSS after FLUSHALL + PURGE is at most jemalloc's + 2 MiB: the purge gives back as much.
Prints one figure line per allocator.

usage: redis_memory_check.py LIBBENTO
"""
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import redis_support  # noqa: E402

LIB = os.path.abspath(sys.argv[1])
KEYS, VALUE_BYTES = 600000, 100
MIB = 1 << 20
# Symbols Redis takes from its allocator: under LD_PRELOAD they must be bento's.
SERVED = ["malloc", "calloc", "realloc", "free", "mallctl", "malloc_stats_print",
          "malloc_usable_size", "nallocx"]


def allocator_fields(fields, where, problems):
    """Checks Redis's allocator_* figures (INFO memory or MEMORY STATS, same values)."""
    a, ac, r = (int(fields[k]) for k in ("allocator_allocated", "allocator_active",
                                        "allocator_resident"))
    frag, rss = int(fields["allocator_frag_bytes"]), int(fields["allocator_rss_bytes"])
    if not r >= ac >= a > 0:
        problems.append("%s: allocator_resident %d >= allocator_active %d >= allocator_allocated %d"
                        " does not hold" % (where, r, ac, a))
    # Redis prints these as size_t differences: a negative one shows as a huge number.
    if not 0 <= frag < 1 << 62 or not 0 <= rss < 1 << 62:
        problems.append("%s: allocator_frag_bytes %d, allocator_rss_bytes %d" % (where, frag, rss))
    return a, ac, r


def one_run(tmp, name, preload):
    """Drives one redis-server; returns (figures dict, problems list)."""
    problems = []
    bind_log = os.path.join(tmp, "bind-" + name)
    fig = {}
    with redis_support.Server(tmp, preload=preload, bind_log=bind_log,
                              extra_args=["--enable-debug-command", "yes"]) as server:
        c = server.client()
        time.sleep(0.3)
        fig["rss_start"] = server.vm_rss()
        c.call("DEBUG", "POPULATE", KEYS, "key", VALUE_BYTES)
        time.sleep(0.3)  # INFO's allocator_* and used_memory_rss are refreshed by serverCron
        full = redis_support.info(c, "memory")
        fig["keys"] = c.call("DBSIZE")
        fig["used_memory_full"] = int(full["used_memory"])
        fig["rss_full"] = server.vm_rss()
        fig["info_rss_full"] = int(full["used_memory_rss"])
        fig["allocated_full"], fig["active_full"], fig["resident_full"] = allocator_fields(
            full, name + " with keys", problems)
        stats = c.call("MEMORY", "STATS")
        if not isinstance(stats, list) or len(stats) % 2:
            problems.append("MEMORY STATS is not a list of pairs: %r" % (stats,)[:200])
            stats = []
        stats = dict(zip(stats[::2], stats[1::2]))
        need = ["allocator.allocated", "allocator.active", "allocator.resident",
                "allocator-fragmentation.ratio", "allocator-fragmentation.bytes",
                "allocator-rss.ratio", "allocator-rss.bytes"]
        lacking = [k for k in need if k not in stats]
        if lacking:
            problems.append("MEMORY STATS lacks %s" % ", ".join(lacking))
        else:
            allocator_fields({"allocator_allocated": stats["allocator.allocated"],
                              "allocator_active": stats["allocator.active"],
                              "allocator_resident": stats["allocator.resident"],
                              "allocator_frag_bytes": stats["allocator-fragmentation.bytes"],
                              "allocator_rss_bytes": stats["allocator-rss.bytes"]},
                             name + " MEMORY STATS", problems)
        c.call("FLUSHALL")
        try:
            fig["purge"] = c.call("MEMORY", "PURGE")
        except redis_support.RespError as e:
            fig["purge"] = "-" + str(e)
        if fig["purge"] != "OK":
            problems.append("MEMORY PURGE answered %r" % fig["purge"])
        time.sleep(1.0)
        idle = redis_support.info(c, "memory")
        fig["rss_idle"] = server.vm_rss()
        fig["info_rss_idle"] = int(idle["used_memory_rss"])
        fig["allocated_idle"], fig["active_idle"], fig["resident_idle"] = allocator_fields(
            idle, name + " idle", problems)
        for cmd in (("MEMORY", "DOCTOR"), ("MEMORY", "MALLOC-STATS")):
            try:
                answer = c.call(*cmd)
                if not isinstance(answer, str) or not answer:
                    problems.append("%s answered %r" % (" ".join(cmd), answer))
                fig[cmd[1].lower()] = len(answer or "")
            except redis_support.RespError as e:
                problems.append("%s: error %s" % (" ".join(cmd), e))
        c.close()
    if server.returncode != 0:
        problems.append("redis-server exited %r" % server.returncode)
    bound = redis_support.bindings(bind_log)
    expect = "libbento" if preload else "libjemalloc"
    wrong = ["%s -> %s" % (s, os.path.basename(bound.get(s, "unbound"))) for s in SERVED
             if expect not in bound.get(s, "")]
    if wrong:
        problems.append("LD_DEBUG=bindings: not bound to %s: %s" % (expect, ", ".join(wrong)))
    return fig, problems


def main():
    why = redis_support.missing()
    if why:
        print("redis memory check: skipped (%s)" % why)
        return 77  # meson's "skipped"
    failures = 0
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, preload in (("jemalloc", None), ("bento", LIB)):
            fig, problems = one_run(tmp, name, preload)
            figures[name] = fig
            print("%-8s RSS %.1f MiB at start; %d keys: RSS %.1f MiB with keys (used_memory %.1f MiB, allocator "
                  "allocated/active/resident %.1f/%.1f/%.1f MiB); after FLUSHALL + MEMORY PURGE "
                  "(%s): RSS %.1f MiB (INFO used_memory_rss %.1f), allocated/active/resident "
                  "%.1f/%.1f/%.1f MiB" % (
                      name, fig["rss_start"] / MIB, fig.get("keys", 0), fig["rss_full"] / MIB, fig["used_memory_full"] / MIB,
                      fig["allocated_full"] / MIB, fig["active_full"] / MIB,
                      fig["resident_full"] / MIB, fig.get("purge"), fig["rss_idle"] / MIB,
                      fig["info_rss_idle"] / MIB, fig["allocated_idle"] / MIB,
                      fig["active_idle"] / MIB, fig["resident_idle"] / MIB))
            for p in problems:
                print("  FAIL (%s) %s" % (name, p))
            failures += len(problems)
    je, be = figures["jemalloc"]["rss_idle"], figures["bento"]["rss_idle"]
    bound = je + 2 * MIB  # measured: bento 12.8, jemalloc 17.3 to 20.0 MiB
    ok = be <= bound
    print("idle RSS after FLUSHALL + PURGE: bento %.1f MiB, jemalloc %.1f MiB, bound %.1f MiB: %s" %
          (be / MIB, je / MIB, bound / MIB, "within" if ok else "ABOVE"))
    failures += not ok
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
