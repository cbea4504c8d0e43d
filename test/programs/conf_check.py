#!/usr/bin/env python3
"""BENTO_CONF end to end: the sources are read in order (built-in, the program's
bento_conf, the environment; later wins), a bad pair is one clear line on stderr and is
ignored, abort_conf:true turns it into an abort, and garbage never crashes the program.

usage: conf_check.py CONF_PROBE_BINARY
"""
import os
import random
import signal
import subprocess
import sys

PROBE = sys.argv[1]
failures = 0


def run(conf):
    env = dict(os.environ)
    env.pop("BENTO_CONF", None)
    if conf is not None:
        env["BENTO_CONF"] = conf
    return subprocess.run([PROBE], env=env, capture_output=True, text=True, errors="replace")


def expect(name, ok, detail=""):
    global failures
    print("%-60s %s%s" % (name, "ok" if ok else "FAILED", "" if ok else "  " + detail))
    failures += not ok


r = run(None)
expect("the program's bento_conf is read", r.stdout.startswith("narenas=3 tcache=true dirty_decay_ms=777 arenas=3"), r.stdout)
r = run("narenas:5,tcache:false")
expect("BENTO_CONF overrides bento_conf", r.stdout.startswith("narenas=5 tcache=false dirty_decay_ms=777 arenas=5"), r.stdout)
r = run("narena:5")
expect("unknown key: one line with a suggestion, program runs",
       r.returncode == 0 and r.stderr == "bento: BENTO_CONF: unknown option 'narena' (did you mean 'narenas'?)\n"
       and r.stdout.startswith("narenas=3"), repr(r.stderr))
r = run("narenas:99999")
expect("out of range: one line, value left alone",
       r.returncode == 0 and "must be between 0 and 4095" in r.stderr and r.stdout.startswith("narenas=3"), repr(r.stderr))
r = run("narena:5,abort_conf:true")
expect("abort_conf:true aborts on a bad pair", r.returncode == -signal.SIGABRT and "abort_conf" in r.stderr, repr(r.stderr))
rng = random.Random(5)
crashes = 0
for _ in range(300):
    junk = "".join(rng.choice("narenas:tcache_max,dirty-1x0:: ,") for _ in range(rng.randrange(1, 40)))
    r = run(junk)
    if r.returncode != 0 or not r.stdout.startswith("narenas="):
        crashes += 1
        print("  garbage %r -> rc %d %r" % (junk, r.returncode, r.stderr[-200:]))
expect("300 garbage conf strings: the program always runs", crashes == 0)
sys.exit(1 if failures else 0)
