#!/usr/bin/env python3
"""Real programs under LD_PRELOAD=libbento, their output compared with a run on the
system malloc. A program that fails, or prints something else, is a failure.

usage: run_programs.py LIBBENTO CONTAINERS_BINARY [JEMALLOC_USER_BINARY]
"""
import hashlib
import os
import random
import subprocess
import sys
import tempfile

LIB, CONTAINERS = sys.argv[1], sys.argv[2]
JEMALLOC_USER = sys.argv[3] if len(sys.argv) > 3 else None
PY = "/usr/bin/python3"

PY_WORK = r"""
import json, random, re, collections, zlib
random.seed(7)
d = {str(i): [random.random() for _ in range(i % 40)] for i in range(60000)}
s = json.dumps(d, sort_keys=True)
back = json.loads(s)
words = re.findall(r"[0-9]+", s)[:200000]
c = collections.Counter(words)
blob = zlib.compress(s.encode())
objs = [bytearray(random.randrange(1, 70000)) for _ in range(3000)]
sorted_keys = sorted(back, key=lambda k: (len(back[k]), k))
print(len(s), len(back), len(c), len(blob) > 0, sum(map(len, objs)), sorted_keys[:3])
"""

PY_THREADS = r"""
import threading, hashlib
out = [None] * 8
def w(i):
    h = hashlib.sha256()
    keep = []
    for j in range(40000):
        b = bytes((i * j + k) % 256 for k in range(j % 300))
        keep.append(b)
        if len(keep) > 500: keep.pop(0)
        h.update(b)
    out[i] = h.hexdigest()
ts = [threading.Thread(target=w, args=(i,)) for i in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
print("\n".join(out))
"""


def run(argv, preload, cwd=None, stdin=None):
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    if preload:
        env["LD_PRELOAD"] = LIB
    r = subprocess.run(argv, env=env, cwd=cwd, stdin=stdin, capture_output=True, timeout=600)
    return r.returncode, r.stdout, r.stderr


def main():
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        rnd = random.Random(11)
        big = os.path.join(tmp, "lines.txt")
        with open(big, "w") as f:
            for _ in range(400000):
                f.write("%d %s\n" % (rnd.randrange(10**9), "x" * rnd.randrange(1, 80)))
        db = os.path.join(tmp, "t.db")
        sql = ("create table t(a integer, b text);"
               "with recursive c(x) as (select 1 union all select x+1 from c where x<150000) "
               "insert into t select x, hex(randomblob(1 + x % 90)) from c;"
               "create index ti on t(b);"
               "select count(*), sum(length(b)), min(a), max(a) from t;"
               "select a % 97 as k, count(*) from t group by k order by k limit 5;")
        programs = [
            ("python3 allocation-heavy work", [PY, "-c", PY_WORK], None),
            ("python3 threads", [PY, "-c", PY_THREADS], None),
            ("sqlite3 on a generated database", ["sqlite3", db, sql], "db"),
            ("sort of a 400k-line file", ["sort", "-n", big], None),
            ("C++ std containers (4 threads)", [CONTAINERS], None),
        ]
        for name, argv, kind in programs:
            results = []
            for preload in (False, True):
                if kind == "db" and os.path.exists(db):
                    os.unlink(db)
                results.append(run(argv, preload))
            (rc0, out0, err0), (rc1, out1, err1) = results
            same = rc0 == rc1 == 0 and out0 == out1
            digest = hashlib.sha256(out1).hexdigest()[:12]
            print("%-36s %s  (output sha256 %s, %d bytes)" %
                  (name, "same as glibc" if same else "DIFFERENT", digest, len(out1)))
            if not same:
                failures += 1
                print("  glibc rc=%d stderr=%r" % (rc0, err0[-500:]))
                print("  bento rc=%d stderr=%r" % (rc1, err1[-500:]))
        # bento is really the malloc: a free of a foreign pointer is reported by bento.
        rc, _, err = run([PY, "-c", "import ctypes; ctypes.CDLL(None).free(ctypes.c_void_p(16))"], True)
        served = rc != 0 and b"bento: free(0x10)" in err
        print("%-36s %s" % ("bento serves malloc under LD_PRELOAD", "yes" if served else "NO"))
        failures += not served
        if JEMALLOC_USER:
            rc, out, err = run([JEMALLOC_USER], True)
            on_bento = rc == 0 and out.startswith(b"version 0.")
            print("%-36s %s" % ("jemalloc mallctl program on bento", "runs" if on_bento else "FAILS"))
            print("  " + out.decode(errors="replace").replace("\n", "\n  ").rstrip())
            if not on_bento:
                print("  rc=%d stderr=%r" % (rc, err[-500:]))
                failures += 1
        else:
            print("jemalloc mallctl program: skipped (libjemalloc2 not installed)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
