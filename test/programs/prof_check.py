#!/usr/bin/env python3
"""The heap profiler end to end, read by the tools people use (doc/profiling.md).

prof_sites (a program whose call sites hold known bytes) runs with bento preloaded:
  - its prof.dump and prof.dump_peak files, read by `go tool pprof`, give each site's live
    and allocated bytes within 20% (hold_a 3 x hold_b; churn allocates the most and keeps
    nothing; hold_peak held the most, at the peak, and nothing now);
  - the same through `bentoctl heap` on a process started with only the daemon on, its
    sampling switched on by `bentoctl set` while it runs, and `--top` names the sites;
  - prof_leak names the sites at exit, prof_final writes a profile pprof reads;
  - with prof:false, prof.active cannot be switched on and bentoctl heap says how;
  - python3, a real program, dumping its profile through ctypes: pprof's -top of it.

usage: prof_check.py LIBBENTO PROF_SITES BENTOCTL
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import check_support
from check_support import expect, go_env

LIB, SITES, BENTOCTL = sys.argv[1], sys.argv[2], sys.argv[3]
LG = 14  # 16 KiB between samples: hold_b (8 MiB) gets ~512 samples, 20% is ~4.5 sigma
TMP = tempfile.mkdtemp(prefix="bento-prof-")




def env_with(conf):
    """bento preloaded with sampling on from the start (it is off by default) and conf."""
    conf = "prof_active:true" + ("," + conf if conf else "")
    return dict(os.environ, LD_PRELOAD=LIB, BENTO_CONF=conf, BENTO_LIB=LIB)




def pprof_top(path, index):
    """{function: flat bytes (or objects)} from go tool pprof -top."""
    r = subprocess.run(["go", "tool", "pprof", "-top", "-unit=B", "-nodecount=50", "-sample_index=" + index, path],
                       capture_output=True, text=True, env=go_env(TMP, os.environ), timeout=120)
    out = {}
    for line in r.stdout.splitlines():
        m = re.match(r"\s*(-?\d+)B?\s+\S+%\s+\S+%\s+\S+\s+\S+%\s+(.+)$", line)
        if m:
            out[m.group(2).strip()] = int(m.group(1))
    if not out:
        raise RuntimeError("pprof read nothing from %s: %s %s" % (path, r.stdout[-400:], r.stderr[-400:]))
    return out


def near(got, want, tol=0.20):
    return want > 0 and abs(got - want) <= tol * want


def truth(stdout):
    m = re.search(r"truth (.*)", stdout)
    return {k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())}


def check_dump():
    now, peak = os.path.join(TMP, "now.pb.gz"), os.path.join(TMP, "peak.pb.gz")
    r = subprocess.run([SITES, "dump", now, peak], capture_output=True, text=True,
                       env=env_with("lg_prof_sample:%d" % LG), timeout=120)
    if not expect("prof.dump and prof.dump_peak write their files", r.returncode == 0 and os.path.exists(now),
                  r.stdout + r.stderr):
        return
    t = truth(r.stdout)
    with open(now, "rb") as f:
        expect("the profile is gzip (what pprof files are)", f.read(2) == b"\x1f\x8b")
    inuse, alloc = pprof_top(now, "inuse_space"), pprof_top(now, "alloc_space")
    a, b = inuse.get("hold_a", 0), inuse.get("hold_b", 0)
    expect("go tool pprof: hold_a's live bytes within 20%% (%d of %d)" % (a, t["hold_a"]), near(a, t["hold_a"]), inuse)
    expect("go tool pprof: hold_b's live bytes within 20%% (%d of %d)" % (b, t["hold_b"]), near(b, t["hold_b"]), inuse)
    expect("hold_a holds about 3 x hold_b (%.2f)" % (a / b if b else 0), b > 0 and 2.4 <= a / b <= 3.6)
    c = alloc.get("churn", 0)
    expect("churn's allocated bytes within 20%% (%d of %d)" % (c, t["churn"]), near(c, t["churn"]), alloc)
    expect("churn keeps nothing live (%d B)" % inuse.get("churn", 0), inuse.get("churn", 0) < 0.02 * t["churn"])
    expect("hold_peak holds nothing now", inuse.get("hold_peak", 0) < 0.02 * t["hold_peak"], inuse)
    objs = pprof_top(now, "inuse_objects")
    expect("hold_a's live objects within 20%% (%d of 8192)" % objs.get("hold_a", 0), near(objs.get("hold_a", 0), 8192))
    at_peak = pprof_top(peak, "inuse_space")
    p = at_peak.get("hold_peak", 0)
    expect("the peak profile: hold_peak within 20%% (%d of %d)" % (p, t["hold_peak"]), near(p, t["hold_peak"]), at_peak)
    expect("the peak profile: hold_a was not yet allocated", at_peak.get("hold_a", 0) < 0.05 * t["hold_a"], at_peak)


def check_daemon():
    # The defaults but the daemon: sampling is off until bentoctl switches it on, in the
    # running process, before it allocates.
    p = subprocess.Popen([SITES, "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                         env=dict(os.environ, LD_PRELOAD=LIB, BENTO_CONF="daemon:true"))
    try:
        expect("prof_sites serves, daemon on, profiler at its defaults", p.stdout.readline().strip() == "ready")
        env = dict(os.environ)
        env.pop("LD_PRELOAD", None)
        r = subprocess.run([BENTOCTL, "heap", str(p.pid), "--top"], capture_output=True, text=True, env=env)
        expect("bentoctl heap says when sampling is off, and how to switch it on",
               r.returncode == 0 and "bentoctl set %d prof.active true" % p.pid in r.stderr, r.stderr)
        r = subprocess.run([BENTOCTL, "set", str(p.pid), "prof.active", "true"], capture_output=True, text=True, env=env)
        s = subprocess.run([BENTOCTL, "set", str(p.pid), "prof.reset", str(LG)], capture_output=True, text=True, env=env)
        expect("bentoctl set PID prof.active true, prof.reset %d" % LG, r.returncode == 0 and s.returncode == 0,
               r.stderr + s.stderr)
        p.stdin.write("hold\n")
        p.stdin.flush()
        expect("prof_sites allocates its sites", p.stdout.readline().strip() == "held")
        out = os.path.join(TMP, "daemon.pb.gz")
        r = subprocess.run([BENTOCTL, "heap", str(p.pid), "-o", out], capture_output=True, text=True, env=env,
                           timeout=60)
        if expect("bentoctl heap PID -o FILE", r.returncode == 0 and os.path.exists(out), r.stdout + r.stderr):
            inuse = pprof_top(out, "inuse_space")
            expect("through the daemon: hold_a within 20%", near(inuse.get("hold_a", 0), 8192 * 3072), inuse)
            expect("through the daemon: hold_b within 20%", near(inuse.get("hold_b", 0), 8192 * 1024), inuse)
        r = subprocess.run([BENTOCTL, "heap", str(p.pid), "--top", "-n", "5"], capture_output=True, text=True,
                           env=env, timeout=60)
        rows = [l for l in r.stdout.splitlines() if "%" in l and "LIVE" not in l]
        expect("bentoctl heap --top: hold_a first, then hold_b, by name",
               r.returncode == 0 and len(rows) >= 2 and "hold_a" in rows[0] and "hold_b" in rows[1], r.stdout + r.stderr)
        print(r.stdout)
        r = subprocess.run([BENTOCTL, "heap", str(p.pid), "--live", "-n", "3", "--json"], capture_output=True,
                           text=True, env=env, timeout=60)
        try:
            live = __import__("json").loads(r.stdout)["samples"]
        except ValueError:
            live = []
        ok = len(live) == 3 and all(s["thread"] == p.pid and s["requested"] == 3072 and s["size"] == 3072 and
                                    s["age_ms"] >= 0 and "hold_a" in s["frames"][0] for s in live)
        expect("bentoctl heap --live: the largest samples, each with its thread, size, age and site", ok,
               r.stdout + r.stderr)
        r = subprocess.run([BENTOCTL, "heap", str(p.pid)], capture_output=True, text=True, env=env)
        expect("bentoctl heap without -o or --top: a usage error", r.returncode == 2 and "--top" in r.stderr, r.stderr)
        r = subprocess.run([BENTOCTL, "heap", str(p.pid), "--top", "--peak", "--json"], capture_output=True,
                           text=True, env=env)
        expect("bentoctl heap --peak --json", r.returncode == 0 and '"peak":true' in r.stdout, r.stdout + r.stderr)
        g = subprocess.run([BENTOCTL, "get", str(p.pid), "prof.lg_sample"], capture_output=True, text=True, env=env)
        expect("prof.reset through bentoctl changed the rate", g.stdout.split()[-1:] == [str(LG)], g.stdout + g.stderr)
        r = subprocess.run([BENTOCTL, "set", str(p.pid), "prof.active", "false"], capture_output=True, text=True, env=env)
        g = subprocess.run([BENTOCTL, "get", str(p.pid), "prof.active"], capture_output=True, text=True, env=env)
        expect("bentoctl set PID prof.active false", r.returncode == 0 and "false" in g.stdout, r.stderr + g.stdout)
    finally:
        p.stdin.write("\n")
        p.stdin.close()
        p.wait(timeout=30)


def check_exit():
    r = subprocess.run([SITES, "leak"], capture_output=True, text=True,
                       env=env_with("prof_leak:true,lg_prof_sample:%d" % LG), timeout=60)
    err = r.stderr
    ia, ib = err.find("hold_a"), err.find("hold_b")
    expect("prof_leak names the sites at exit, the largest first", "prof_leak:" in err and 0 <= ia < ib, err)
    prefix = os.path.join(TMP, "final")
    r = subprocess.run([SITES, "leak"], capture_output=True, text=True,
                       env=env_with("prof_final:true,prof_prefix:%s,lg_prof_sample:%d" % (prefix, LG)), timeout=60)
    files = [f for f in os.listdir(TMP) if f.startswith("final.") and f.endswith(".f.heap.pb.gz")]
    if expect("prof_final writes <prefix>.<pid>.<seq>.f.heap.pb.gz", r.returncode == 0 and len(files) == 1,
              str(files) + r.stderr):
        inuse = pprof_top(os.path.join(TMP, files[0]), "inuse_space")
        expect("the profile at exit holds hold_a", near(inuse.get("hold_a", 0), 8192 * 3072), inuse)


def check_off():
    r = subprocess.run([SITES, "active"], capture_output=True, text=True, env=env_with("prof:false"), timeout=60)
    expect("prof:false: prof.active cannot be switched on (EFAULT)", "-> 14" in r.stdout, r.stdout + r.stderr)
    p = subprocess.Popen([SITES, "wait"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                         env=env_with("daemon:true,prof:false"))
    try:
        p.stdout.readline()
        env = dict(os.environ)
        env.pop("LD_PRELOAD", None)
        r = subprocess.run([BENTOCTL, "heap", str(p.pid), "--top"], capture_output=True, text=True, env=env)
        expect("prof:false: bentoctl heap fails and says how to get profiles",
               r.returncode == 1 and "prof:true" in r.stderr, r.stderr)
    finally:
        p.stdin.write("\n")
        p.stdin.close()
        p.wait(timeout=30)


def check_real_program():
    # python3 asks for its own profile (mallctl through ctypes) while its data is live: at
    # exit the interpreter has already freed it.
    path = os.path.join(TMP, "python3.pb.gz")
    code = ("import ctypes\n"
            "d = {str(i): [i] * 8 for i in range(200000)}\n"
            "l = [str(i) * 10 for i in range(200000)]\n"
            "p = ctypes.c_char_p(%r.encode())\n"
            "rc = ctypes.CDLL(None).mallctl(b'prof.dump', None, None, ctypes.byref(p), ctypes.sizeof(p))\n"
            "assert rc == 0, rc\n" % path)
    r = subprocess.run(["python3", "-c", code], capture_output=True, text=True, env=env_with(""), timeout=120)
    if not expect("python3 under bento dumps its profile (prof.dump through ctypes)",
                  r.returncode == 0 and os.path.exists(path), r.stderr):
        return
    top = subprocess.run(["go", "tool", "pprof", "-top", "-nodecount=12", "-sample_index=inuse_space", path],
                         capture_output=True, text=True, env=go_env(TMP, os.environ), timeout=120)
    print(top.stdout)
    expect("go tool pprof -top reads python3's profile", top.returncode == 0 and "flat%" in top.stdout, top.stderr)
    # Debian's python3 keeps only its dynamic symbols: the interpreter's functions are
    # named from them (PyObject_Malloc, _PyObject_..., PyUnicode_...).
    expect("python3's profile names the interpreter's functions",
           re.search(r"%\s+_?Py\w+$", top.stdout, re.M) is not None, top.stdout[-600:])


def main():
    if shutil.which("go") is None:
        print("prof_check: `go` (Debian golang-go) is missing; .ci/install-deps installs it")
        return 1
    check_dump()
    check_daemon()
    check_exit()
    check_off()
    check_real_program()
    shutil.rmtree(TMP, ignore_errors=True)
    return check_support.exit_code()


if __name__ == "__main__":
    sys.exit(main())
