#!/usr/bin/env python3
"""The conf sources end to end: they are read in order (built-in, the program's
malloc_conf, MALLOC_CONF, the program's bento_conf, BENTO_CONF; later wins), a bad pair is
one clear line on stderr and is ignored, abort_conf:true turns it into an abort, a
jemalloc option bento does not implement is one line and never an abort, and garbage
never crashes the program. The probes are test/programs/conf_probe.c, built four ways.

usage: conf_check.py CONF_PROBE CONF_PROBE_BOTH CONF_PROBE_PRELOAD LIBBENTO [CONF_PROBE_JEMALLOC]
"""
import os
import random
import signal
import subprocess
import sys

import check_support
from check_support import expect

PROBE, BOTH, PRELOAD, LIB = sys.argv[1:5]
JEMALLOC = sys.argv[5] if len(sys.argv) > 5 else None
IGNORED = "bento: %s: '%s' is a jemalloc option bento does not implement; ignored\n"


def run(conf, malloc_conf=None, probe=None, preload=False):
    env = dict(os.environ)
    for k in ("BENTO_CONF", "MALLOC_CONF", "LD_PRELOAD"):
        env.pop(k, None)
    if conf is not None:
        env["BENTO_CONF"] = conf
    if malloc_conf is not None:
        env["MALLOC_CONF"] = malloc_conf
    if preload:
        env["LD_PRELOAD"] = LIB
    return subprocess.run([probe or PROBE], env=env, capture_output=True, text=True,
                          errors="replace")




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

# MALLOC_CONF and the program's malloc_conf, against bento's own sources.
r = run(None, "tcache:false,narenas:5")
expect("MALLOC_CONF is read; the program's bento_conf beats it",
       r.returncode == 0 and r.stderr == "" and r.stdout.startswith("narenas=3 tcache=false dirty_decay_ms=777 arenas=3"),
       r.stdout + r.stderr)
r = run("tcache:true,narenas:4", "tcache:false,narenas:5")
expect("BENTO_CONF overrides MALLOC_CONF", r.stdout.startswith("narenas=4 tcache=true dirty_decay_ms=777 arenas=4"), r.stdout)
r = run(None, probe=BOTH)
expect("the program's malloc_conf is read; its bento_conf beats it",
       r.returncode == 0 and r.stderr == "" and r.stdout.startswith("narenas=3 tcache=false dirty_decay_ms=777 arenas=3"),
       r.stdout + r.stderr)
r = run(None, "tcache:true", probe=BOTH)
expect("MALLOC_CONF overrides the program's malloc_conf", r.stdout.startswith("narenas=3 tcache=true dirty_decay_ms=777"), r.stdout)

# A jemalloc client under LD_PRELOAD: only malloc_conf (exported with -rdynamic), with
# background_thread:false and metadata_thp:auto in it.
r = run(None, probe=PRELOAD, preload=True)
expect("LD_PRELOAD: the client's malloc_conf is read, background_thread maps",
       r.returncode == 0 and r.stdout.startswith("narenas=2 tcache=true dirty_decay_ms=555 arenas=2 background_purge=false"),
       r.stdout)
expect("LD_PRELOAD: an ignored option in malloc_conf is one line",
       r.stderr == IGNORED % ("malloc_conf", "metadata_thp"), repr(r.stderr))
r = run(None, "narenas:3", probe=PRELOAD, preload=True)
expect("LD_PRELOAD: MALLOC_CONF=narenas:3 takes effect", r.stdout.startswith("narenas=3 tcache=true dirty_decay_ms=555 arenas=3"), r.stdout)
r = run("narenas:4", "narenas:3", probe=PRELOAD, preload=True)
expect("LD_PRELOAD: BENTO_CONF overrides MALLOC_CONF", r.stdout.startswith("narenas=4 "), r.stdout)
if JEMALLOC:
    r = run(None, probe=JEMALLOC, preload=True)
    expect("linked with libjemalloc, under LD_PRELOAD: malloc_conf is read by bento",
           r.returncode == 0 and r.stdout.startswith("narenas=2 tcache=true dirty_decay_ms=555 arenas=2 background_purge=false"),
           r.stdout + r.stderr)

# jemalloc's names that bento does not implement, and names of neither allocator.
r = run(None, "percpu_arena:percpu")
expect("an ignored jemalloc option: exactly one line, program runs",
       r.returncode == 0 and r.stderr == IGNORED % ("MALLOC_CONF", "percpu_arena")
       and r.stdout.startswith("narenas=3 tcache=true"), repr(r.stderr))
r = run(None, "abort_conf:true,percpu_arena:percpu,hpa_dirty_mult:0.5,lg_tcache_max:12")
expect("abort_conf:true with only ignored jemalloc options does not abort",
       r.returncode == 0 and r.stderr == IGNORED % ("MALLOC_CONF", "percpu_arena") + IGNORED % ("MALLOC_CONF", "hpa_dirty_mult")
       and r.stdout.startswith("narenas=3"), "rc %d %r" % (r.returncode, r.stderr))
r = run("abort_conf:true", "percpu_arena:percpu")
expect("... nor when abort_conf comes from BENTO_CONF", r.returncode == 0, "rc %d %r" % (r.returncode, r.stderr))
r = run(None, "frobnicate:1,narenas:5")
expect("MALLOC_CONF: a name of neither allocator is still an error",
       r.returncode == 0 and r.stderr == "bento: MALLOC_CONF: unknown option 'frobnicate'\n", repr(r.stderr))
r = run(None, "abort_conf:true,frobnicate:1")
expect("MALLOC_CONF: abort_conf:true aborts on it", r.returncode == -signal.SIGABRT and "abort_conf" in r.stderr, repr(r.stderr))

rng = random.Random(5)
crashes = 0
for _ in range(300):
    junk = "".join(rng.choice("narenas:tcache_max,dirty-1x0:: ,") for _ in range(rng.randrange(1, 40)))
    r = run(junk)
    if r.returncode != 0 or not r.stdout.startswith("narenas="):
        crashes += 1
        print("  garbage %r -> rc %d %r" % (junk, r.returncode, r.stderr[-200:]))
expect("300 garbage conf strings: the program always runs", crashes == 0)
sys.exit(check_support.exit_code())
