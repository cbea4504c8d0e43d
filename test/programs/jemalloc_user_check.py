#!/usr/bin/env python3
"""jemalloc_user (a jemalloc 5 API client linked with libjemalloc.so.2) twice: plain, on
real jemalloc, and with LD_PRELOAD=libbento, on bento. Each run must exit 0 with no FAIL
line, say which allocator served it (jemalloc 5.*, bento 0.*), and write
malloc_stats_print(..., "J") that parses as JSON. Under bento, LD_DEBUG=bindings must show
every jemalloc name the program calls bound to libbento. Prints what each run read, and the
top-level layout of each JSON report.

usage: jemalloc_user_check.py LIBBENTO JEMALLOC_USER
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import redis_support  # noqa: E402  (its LD_DEBUG=bindings reader)

LIB, USER = (os.path.abspath(a) for a in sys.argv[1:3])
# The names the program calls that libjemalloc exports: under LD_PRELOAD, all bento's.
BOUND = ["malloc", "free", "mallctl", "mallctlnametomib", "mallctlbymib", "malloc_stats_print",
         "malloc_usable_size", "mallocx", "rallocx", "xallocx", "sallocx", "dallocx", "sdallocx",
         "nallocx"]


def main():
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, preload, version in (("jemalloc", None, "version 5."), ("bento", LIB, "version 0.")):
            env = dict(os.environ)
            env.pop("LD_PRELOAD", None)
            env.pop("BENTO_CONF", None)
            bind_log = os.path.join(tmp, "bind-" + name)
            if preload:
                env["LD_PRELOAD"] = preload
                env["LD_DEBUG"] = "bindings"
                env["LD_DEBUG_OUTPUT"] = bind_log
            path = os.path.join(tmp, name + ".json")
            r = subprocess.run([USER, path], env=env, capture_output=True, text=True, timeout=120)
            problems = []
            if preload:
                bound = redis_support.bindings(bind_log, os.path.basename(USER))
                wrong = [s for s in BOUND if "libbento" not in bound.get(s, "")]
                if wrong:
                    problems.append("LD_DEBUG=bindings: not bound to libbento: " + " ".join(wrong))
            if r.returncode != 0:
                problems.append("exit %d, stderr %r" % (r.returncode, r.stderr[-500:]))
            if not r.stdout.startswith(version):
                problems.append("served by the wrong allocator (expected %r)" % version)
            try:
                with open(path) as f:
                    report = json.load(f)
                top = list(report)
                inner = report[top[0]] if len(top) == 1 and isinstance(report[top[0]], dict) else {}
                layout = "%s: {%s}" % (", ".join(top), ", ".join(inner))
            except (OSError, ValueError) as e:
                problems.append("malloc_stats_print J output does not parse: %s" % e)
                layout = "?"
            print("%s (%s)" % (name, "passes" if not problems else "FAILS"))
            print("  " + r.stdout.rstrip().replace("\n", "\n  "))
            if layout != "?":
                print("  malloc_stats_print J: parses as JSON; top level %s" % layout)
            for p in problems:
                print("  FAIL %s" % p)
            failures += len(problems)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
