#!/usr/bin/env python3
"""Real programs under LD_PRELOAD=libbento, their output compared with a run on the
system malloc. A program that fails, or prints something else, is a failure:
python3 allocation-heavy work and threads, python3's own regression tests (a dozen
modules, from libpython3.11-testsuite), sqlite3 on a generated database, sort of a large
file, g++ compiling a real translation unit, git on a generated repository, a C++
program on std containers, redis-server driven by redis-benchmark (checking with
LD_DEBUG=bindings that bento, not Debian's jemalloc, serves it), a C program whose main
thread calls pthread_exit (it must still end, with bento's helper thread running).
(jemalloc_user_check.py runs the program written for jemalloc's mallctl.)

usage: run_programs.py LIBBENTO CONTAINERS MAIN_THREAD_EXITS
"""
import hashlib
import os
import random
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import redis_support  # noqa: E402

LIB, CONTAINERS, MAIN_EXITS = (os.path.abspath(a) for a in sys.argv[1:4])
SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PY_TESTS = ["test_dict", "test_list", "test_set", "test_unicode", "test_json", "test_re",
            "test_pickle", "test_threading", "test_collections", "test_itertools", "test_bytes",
            "test_struct", "test_functools", "test_string"]
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

# A program that hands out descriptor numbers itself, as CPython's test_large_fd_transfer
# does: dup2() of one socket onto every free descriptor below 256, then its data must
# arrive. bento's helper thread used to open /proc/self/stat every interval, taking such
# a number for a moment (dup2 then fails with EBUSY) or reading and closing the socket
# placed on it (the test hung).
PY_FDS = r"""
import errno, os, socket, time
a, b = socket.socketpair()
ebusy = closed = lost = 0
end = time.time() + 3
while time.time() < end:
    made = []
    for i in range(256):
        try:
            os.fstat(i)
            continue
        except OSError:
            pass
        try:
            os.dup2(a.fileno(), i, inheritable=False)
            made.append(i)
        except OSError as e:
            if e.errno != errno.EBUSY:
                raise
            ebusy += 1
    for i in made:
        try:
            os.close(i)
        except OSError:
            closed += 1
    b.send(b"0123456789abcdef")
    a.settimeout(0.5)
    try:
        lost += a.recv(16) != b"0123456789abcdef"
    except socket.timeout:
        lost += 1
print("ebusy=%d closed_by_another=%d lost=%d" % (ebusy, closed, lost))
"""



def run(argv, preload, cwd=None, stdin=None, extra_env=None, timeout=600):
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    env.pop("BENTO_CONF", None)
    env.update(extra_env or {})
    if preload:
        env["LD_PRELOAD"] = LIB
    r = subprocess.run(argv, env=env, cwd=cwd, stdin=stdin, capture_output=True, timeout=timeout)
    return r.returncode, r.stdout, r.stderr


def process_ends(label, argv, timeout, extra_env=None):
    """Runs a main_thread_exits mode under bento; True when it ends with its atexit line."""
    start = time.monotonic()
    try:
        rc, out, _ = run(argv, True, timeout=timeout, extra_env=extra_env)
        took = time.monotonic() - start
        ended = rc == 0 and out.endswith(b"atexit handler ran\n")
        desc = "exit %d after %.1f s, %s" % (rc, took, "atexit ran" if ended else "output %r" % out[-80:])
    except subprocess.TimeoutExpired:
        ended, desc = False, "still running after %d s" % timeout
    print("%-36s %s  (%s)" % (label, "process ends" if ended else "HANGS", desc))
    return ended


def git_repo_work(tmp):
    """A generated repository: commits, branches, a merge, gc; prints what git reports."""
    repo = os.path.join(tmp, "repo")
    env = {"GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e", "HOME": tmp}
    return repo, env


def redis_check(tmp):
    """redis-server under bento, driven by redis-benchmark; returns (ok, description)."""
    why = redis_support.missing("redis-benchmark")
    if why:
        return None, why
    bind_log = os.path.join(tmp, "bind")
    with redis_support.Server(tmp, preload=LIB, bind_log=bind_log) as server:
        bench = subprocess.run(["redis-benchmark", "-p", str(server.port), "-n", "20000", "-c", "8",
                                "-q", "-t", "set,get,incr,lpush,lpop,sadd,hset,zadd"],
                               capture_output=True, text=True, timeout=300)
        c = server.client()
        allocated = redis_support.info(c, "memory").get("allocator_allocated")
        dbsize = c.call("DBSIZE")
        c.close()
    bound = redis_support.bindings(bind_log)
    served = "libbento" in bound.get("malloc", "")
    mallctl = "libbento" in bound.get("mallctl", "")
    rps = re.findall(r"^(\S+): ([0-9.]+) requests per second", bench.stdout, re.M)
    ok = bool(served and mallctl and bench.returncode == 0 and len(rps) == 8 and allocated and
              server.returncode == 0)
    desc = "%d commands x 20000, %s keys, INFO allocator_allocated %s (from bento's mallctl)" % (
        len(rps), dbsize, allocated or "?")
    if not served:
        desc += "; LD_DEBUG shows malloc NOT bound to libbento"
    return ok, desc


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
        tu = os.path.join(SOURCE_ROOT, "src", "mallctl", "nodes.cc")
        gxx = ["g++", "-std=c++20", "-O2", "-S", "-o", "-", "-I", os.path.join(SOURCE_ROOT, "src"),
               "-I", os.path.join(SOURCE_ROOT, "include"), "-DFMT_HEADER_ONLY", tu]
        repo, git_env = git_repo_work(tmp)
        git_script = (
            "set -e; rm -rf %(r)s; git init -q -b main %(r)s; cd %(r)s; "
            "for i in $(seq 1 60); do seq $i $((i*300)) > f$((i%%7)).txt; git add -A; git commit -qm c$i; done; "
            "git checkout -qb side HEAD~20; for i in 1 2 3; do echo s$i >> side.txt; git add -A; git commit -qm s$i; done; "
            "git checkout -q main; git merge -q --no-edit side; git gc -q; git log --oneline | wc -l; "
            "git rev-list --all | wc -l; git count-objects -v | grep -v size; git fsck --strict 2>&1 | wc -l; "
            "git rev-parse HEAD" % {"r": repo})
        programs = [
            ("python3 allocation-heavy work", [PY, "-c", PY_WORK], None),
            ("python3 regression tests (%d modules)" % len(PY_TESTS), [PY, "-m", "test", "-q"] + PY_TESTS, "pytests"),
            ("g++ compiling src/mallctl/nodes.cc", gxx, None),
            ("git on a generated repository", ["bash", "-c", git_script], "git"),
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
                results.append(run(argv, preload, extra_env=git_env if kind == "git" else None))
            (rc0, out0, err0), (rc1, out1, err1) = results
            if kind == "pytests":
                # Timings differ between runs: compare the verdict lines.
                def verdict(out):
                    return b"\n".join(l for l in out.splitlines() if l.startswith((b"Tests result", b"All ")))
                out0, out1 = verdict(out0), verdict(out1)
                same = rc0 == rc1 == 0 and out0 == out1 and b"SUCCESS" in out1
            else:
                same = rc0 == rc1 == 0 and out0 == out1
            digest = hashlib.sha256(out1).hexdigest()[:12]
            print("%-36s %s  (output sha256 %s, %d bytes)" %
                  (name, "same as glibc" if same else "DIFFERENT", digest, len(out1)))
            if not same:
                failures += 1
                print("  glibc rc=%d stderr=%r" % (rc0, err0[-500:]))
                print("  bento rc=%d stderr=%r" % (rc1, err1[-500:]))
        ok, desc = redis_check(tmp)
        if ok is None:
            print("%-36s skipped (%s)" % ("redis-server + redis-benchmark", desc))
        else:
            print("%-36s %s  (%s)" % ("redis-server + redis-benchmark", "passes on bento" if ok else "FAILED", desc))
            failures += not ok
        # bento is really the malloc: a free of a foreign pointer is reported by bento.
        rc, _, err = run([PY, "-c", "import ctypes; ctypes.CDLL(None).free(ctypes.c_void_p(16))"], True)
        served = rc != 0 and b"bento: free(0x10)" in err
        print("%-36s %s" % ("bento serves malloc under LD_PRELOAD", "yes" if served else "NO"))
        failures += not served
        # A C program under bento maps no C++ runtime (libbento.so links none: it would cost
        # every C program 1.8 MB of RSS), and a C++ one still gets std::bad_alloc.
        rc, out, _ = run(["cat", "/proc/self/maps"], True)
        lean = rc == 0 and b"libbento" in out and b"libstdc++" not in out and b"libgcc_s" not in out
        print("%-36s %s" % ("C program maps no libstdc++", "yes" if lean else "NO"))
        failures += not lean
        rc, out, err = run([CONTAINERS, "bad_alloc"], True)
        threw = rc == 0 and out == b"caught std::bad_alloc 3 handler calls, nothrow null\n"
        print("%-36s %s  (%r)" % ("C++ operator new throws bad_alloc", "yes" if threw else "NO", out[-120:]))
        failures += not threw
        # The main thread calls pthread_exit: the process ends with its last worker (glibc
        # runs exit(0) then), bento's helper thread or not; also after slow forks held the
        # helper thread up past its wake-up time.
        failures += not process_ends("main thread calls pthread_exit", [MAIN_EXITS], 20)
        failures += not process_ends("... after 40 slow forks", [MAIN_EXITS, "slow-forks"], 30,
                                     {"BENTO_CONF": "daemon_interval_ms:10"})
        rc, out, err = run([PY, "-c", PY_FDS], True, extra_env={"BENTO_CONF": "daemon_interval_ms:10"})
        fds_ok = rc == 0 and out == b"ebusy=0 closed_by_another=0 lost=0\n"
        print("%-36s %s  (%r)" % ("dup2 onto free descriptors, 3 s", "undisturbed" if fds_ok else "DISTURBED",
                                  (out or err)[-160:]))
        failures += not fds_ok
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
