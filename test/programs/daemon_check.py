#!/usr/bin/env python3
"""The stats daemon and bentoctl, end to end, against real processes.

Starts test/programs/daemon_host under `bentoctl run` (so with libbento preloaded and the
daemon on), then checks every bentoctl command against the values the process reads
itself, values changing as it allocates, hostile and broken clients, a client of another
uid, 1,000 connections without a leaked descriptor, the socket removed at exit, a forked
child serving its own socket, stale sockets cleaned, and background purging while idle.

usage: daemon_check.py BENTOCTL DAEMON_HOST LIBBENTO
"""
import json
import os
import pwd
import re
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

BENTOCTL, HOST, LIB = sys.argv[1], sys.argv[2], sys.argv[3]
failures = 0


def expect(name, ok, detail=""):
    global failures
    print("%-66s %s%s" % (name, "ok" if ok else "FAILED", "" if ok else "  " + str(detail)[-600:]))
    sys.stdout.flush()
    failures += not ok
    return ok


def ctl(*args, **kw):
    env = dict(os.environ, BENTO_LIB=LIB)
    env.pop("LD_PRELOAD", None)
    return subprocess.run([BENTOCTL] + [str(a) for a in args], capture_output=True, text=True, env=env, **kw)


class Host:
    def __init__(self, conf=""):
        env = dict(os.environ, BENTO_LIB=LIB)
        env.pop("BENTO_CONF", None)
        args = [BENTOCTL, "run"] + (["--conf", conf] if conf else []) + ["--", HOST]
        self.p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        line = self.p.stdout.readline().split()
        self.pid = int(line[1])
        for _ in range(100):  # the daemon thread starts with the process
            if ctl("get", self.pid, "opt.daemon").returncode == 0:
                break
            time.sleep(0.05)

    def cmd(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        return self.p.stdout.readline().strip()

    def value(self, name, kind="get"):
        parts = self.cmd("%s %s" % (kind, name)).split()
        return int(parts[1]) if parts[2] == "0" else None

    def close(self):
        try:
            self.cmd("exit")
        except BrokenPipeError:
            pass
        self.p.wait(timeout=10)


def raw(sock_path, data, read_timeout=5):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(read_timeout)
    s.connect(sock_path)
    s.sendall(data)
    out = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
    except socket.timeout:
        out += b"<timeout>"
    s.close()
    return out.decode(errors="replace")


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def main():
    h = Host()
    pid = h.pid
    sock = "/tmp/bento-%d/%d.sock" % (os.getuid(), pid)
    if os.environ.get("XDG_RUNTIME_DIR", "").startswith("/"):
        sock = os.environ["XDG_RUNTIME_DIR"] + "/bento/%d.sock" % pid
    expect("bentoctl run starts the process with its daemon socket", os.path.exists(sock), sock)
    st = os.stat(sock)
    expect("socket is mode 0600, its directory 0700",
           oct(st.st_mode & 0o777) == "0o600" and oct(os.stat(os.path.dirname(sock)).st_mode & 0o777) == "0o700")

    r = ctl("ps", "--json")
    procs = json.loads(r.stdout)
    expect("ps lists the process", any(p["pid"] == pid for p in procs), r.stdout)
    r = ctl("ps")
    expect("ps text has a header and the pid", "RESIDENT" in r.stdout and str(pid) in r.stdout, r.stdout)

    # get: the same numbers the process reads itself (it is idle between the two reads).
    names = ["stats.allocated", "stats.active", "stats.mapped", "stats.arenas.4096.chunks",
             "stats.arenas.4096.pactive", "stats.arenas.4096.small.nmalloc"]
    for n in names:
        mine = h.value(n)
        r = ctl("get", pid, n)
        theirs = int(r.stdout.split()[1]) if r.returncode == 0 else None
        expect("get %s equals the process's own read" % n, mine == theirs, (mine, theirs, r.stderr))
    expect("get arenas.narenas equals the process's own read",
           h.value("arenas.narenas", "getu") == int(ctl("get", pid, "arenas.narenas").stdout.split()[1]))
    before = int(ctl("get", pid, "stats.allocated").stdout.split()[1])
    h.cmd("alloc 200 100000")
    after = int(ctl("get", pid, "stats.allocated").stdout.split()[1])
    # 200 objects of the 114688-byte class, and the host's own list of them.
    expect("values change as the process allocates (200 x 114688 more)",
           200 * 114688 <= after - before <= 200 * 114688 + 65536, (before, after))
    r = ctl("get", "--json", pid, "stats.allocated", "opt.tcache", "version")
    j = json.loads(r.stdout)
    expect("get --json", j["stats.allocated"] == after and j["opt.tcache"] is True and j["version"].startswith("0."), r.stdout)
    r = ctl("get", pid, "nope.nope")
    expect("get of an unknown name fails with exit 1 and says so", r.returncode == 1 and "ENOENT" in r.stderr, r.stderr)

    r = ctl("list", pid)
    lines = r.stdout.splitlines()
    expect("list gives every node with indexes filled in", len(lines) > 500 and
           any(l.startswith("stats.arenas.4096.bins.34.nmalloc uint64_t r-") for l in lines), len(lines))
    r = ctl("list", "--json", pid, "opt.")
    j = json.loads(r.stdout)
    expect("list --json PREFIX", len(j) >= 15 and all(x["name"].startswith("opt.") for x in j), r.stdout[:200])

    r = ctl("set", pid, "arena.4096.dirty_decay_ms", "1234")
    expect("set arena.4096.dirty_decay_ms takes effect in the process",
           r.returncode == 0 and h.value("arena.0.dirty_decay_ms", "getl") == 1234, r.stderr)
    r = ctl("set", pid, "arena.4096.purge")
    expect("set arena.4096.purge (an action, no value)", r.returncode == 0, r.stderr)
    r = ctl("set", pid, "thread.arena", "0")
    expect("set thread.arena is refused with the reason", r.returncode == 1 and "calling thread" in r.stderr, r.stderr)
    r = ctl("set", pid, "stats.allocated", "5")
    expect("set of a read-only name is refused", r.returncode == 1 and "read-only" in r.stderr, r.stderr)
    r = ctl("set", pid, "arena.0.dirty_decay_ms", "soon")
    expect("set with a bad value is refused", r.returncode == 1 and "integer" in r.stderr, r.stderr)

    r = ctl("dump", pid)
    expect("dump: the text report", r.stdout.startswith("___ Begin bento statistics ___") and "contention:" in r.stdout)
    r = ctl("dump", "--json", pid)
    j = json.loads(r.stdout)
    expect("dump --json parses and agrees with the process",
           j["bento"]["stats"]["allocated"] == h.value("stats.allocated"), j["bento"]["stats"]["allocated"])

    r = ctl("metrics", pid)
    sample = re.compile(r'^bento_[a-z_]+\{[a-z]+="[^"]*"(,[a-z]+="[^"]*")*\} [-0-9.e+]+$')
    bad = [l for l in r.stdout.splitlines() if not l.startswith("#") and not sample.match(l)]
    m = re.search(r'^bento_allocated_bytes\{pid="%d"\} ([0-9.e+]+)$' % pid, r.stdout, re.M)
    expect("metrics: valid Prometheus text with bento_ names and labels",
           r.returncode == 0 and not bad and m and "# TYPE bento_arena_contention_trylock_failures_total counter" in r.stdout
           and 'bin="' in r.stdout, bad[:3])

    r = ctl("top", pid, "-n", "2", "-i", "0.2")
    expect("top (not a tty): two plain-text frames", r.stdout.count("bento top: pid") == 2 and "\x1b" not in r.stdout, r.stdout[:300])
    r = ctl("top", "--json", pid, "-n", "2", "-i", "0.2")
    frames = [json.loads(l) for l in r.stdout.splitlines()]
    expect("top --json: one object per refresh", len(frames) == 2 and "arenas" in frames[1])

    with tempfile.TemporaryDirectory() as tmp:
        svg = tmp + "/heap.svg"
        r = ctl("map", pid, "-o", svg)
        chunks = json.loads(ctl("map", "--json", pid).stdout)["chunks"]
        try:
            root = ET.parse(svg).getroot()
            rows = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "chunk"]
            ok = len(rows) == len(chunks) == h.value("stats.arenas.4096.chunks") and len(chunks) > 0
        except ET.ParseError as e:
            ok, rows = False, str(e)
        expect("map: well-formed SVG, one row per chunk", r.returncode == 0 and ok, (len(chunks), r.stderr))

    # Hostile and broken clients: the host answers, then keeps running.
    out = raw(sock, b"x" * 5000)
    expect("a request over 4 KiB gets an error", out.startswith("error request longer than 4096 bytes"), out[:100])
    out = raw(sock, b"\x00\x01\xff\xfeget\n")
    expect("binary junk gets an error", out.startswith("error request is not a line of text"), out[:100])
    out = raw(sock, b"frobnicate now\n")
    expect("an unknown verb gets an error naming the verbs", out.startswith("error unknown verb 'frobnicate'"), out)
    t0 = time.time()
    out = raw(sock, b"get stats.allocated", read_timeout=5)  # never sends the newline, keeps the socket open
    expect("a half-sent request is dropped after the 2 s timeout", out in ("", "<timeout>") or out.startswith("ok"),
           out)
    out = raw(sock, b"get stats.allocated")  # ...or shuts its side: taken as the request
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    s.sendall(b"ping")
    s.shutdown(socket.SHUT_WR)
    answer = s.recv(1000).decode()
    s.close()
    expect("a request ended by shutting the write side is answered", answer.startswith("ok bento 1 pid=%d" % pid), answer)
    expect("the host is still running and answering", h.cmd("get stats.allocated").startswith("stats.allocated"))

    fds = fd_count(pid)
    for i in range(1000):
        raw(sock, b"ping\n")
    for _ in range(50):  # the daemon closes its end after the client's
        if fd_count(pid) == fds:
            break
        time.sleep(0.02)
    expect("1,000 connections in a row leak no descriptor", fd_count(pid) == fds, (fds, fd_count(pid)))

    # Another uid: refused by the directory and socket modes, and by SO_PEERCRED.
    if os.getuid() == 0:
        nobody = pwd.getpwnam("nobody").pw_uid

        def as_nobody():
            os.setgid(65534)
            os.setuid(nobody)
        env = dict(os.environ, BENTO_LIB=LIB)
        r = subprocess.run([BENTOCTL, "--dir", os.path.dirname(sock), "get", str(pid), "stats.allocated"],
                           capture_output=True, text=True, preexec_fn=as_nobody, env=env)
        expect("a client of another uid cannot reach the socket", r.returncode == 1, r.stderr)
        os.chmod(os.path.dirname(sock), 0o711)
        os.chmod(sock, 0o666)
        r = subprocess.run([BENTOCTL, "--dir", os.path.dirname(sock), "get", str(pid), "stats.allocated"],
                           capture_output=True, text=True, preexec_fn=as_nobody, env=env)
        os.chmod(sock, 0o600)
        os.chmod(os.path.dirname(sock), 0o700)
        expect("... and with the modes opened up, SO_PEERCRED refuses it",
               r.returncode == 1 and "permission denied: uid %d" % nobody in r.stderr, r.stderr)
    else:
        print("(not root: the other-uid test needs root to become nobody; skipped)")

    # fork: the child serves its own socket, the parent keeps its own.
    child = int(h.cmd("fork").split()[1])
    child_sock = os.path.join(os.path.dirname(sock), "%d.sock" % child)
    for _ in range(100):
        if os.path.exists(child_sock):
            break
        time.sleep(0.05)
    out = raw(child_sock, b"ping\n") if os.path.exists(child_sock) else ""
    expect("a forked child serves its own socket", out.startswith("ok bento 1 pid=%d" % child), out)
    expect("... and the parent still serves its own", raw(sock, b"ping\n").startswith("ok bento 1 pid=%d" % pid))
    os.kill(child, 9)
    for _ in range(100):
        try:
            os.waitpid(child, os.WNOHANG)
        except ChildProcessError:
            pass
        if not os.path.exists("/proc/%d" % child) or open("/proc/%d/stat" % child).read().split()[2] == "Z":
            break
        time.sleep(0.02)
    time.sleep(0.2)
    r = ctl("ps", "-v")
    expect("a killed process's stale socket is cleaned by bentoctl ps", not os.path.exists(child_sock), r.stderr)

    h.close()
    expect("the socket disappears when the process exits", not os.path.exists(sock))
    r = ctl("get", pid, "stats.allocated")
    expect("bentoctl says what to do for a process without a daemon", r.returncode == 1 and "no process" in r.stderr, r.stderr)
    r = ctl("get", os.getpid(), "stats.allocated")
    expect("... or one that runs without it", r.returncode == 1 and "BENTO_CONF=daemon:true" in r.stderr, r.stderr)
    r = ctl("frobnicate")
    expect("a usage error exits 2", r.returncode == 2)

    # Background purging while idle: with the daemon, a freed burst goes back without any
    # further allocator call; without it, it stays until the program calls again.
    results = {}
    for conf in ("dirty_decay_ms:300", "dirty_decay_ms:300,daemon:false,background_purge:false"):
        h = Host(conf)
        h.cmd("alloc 3000 65536")
        peak = h.value("stats.resident")
        h.cmd("free")
        time.sleep(1.5)
        rss = int(open("/proc/%d/statm" % h.pid).read().split()[1]) * 4096
        results[conf] = (peak, rss)
        h.close()
    (peak_on, idle_on), (peak_off, idle_off) = results.values()
    print("  idle process after freeing a 196 MB burst, 1.5 s later: RSS %.0f MB with the helper thread, %.0f MB without"
          % (idle_on / 1e6, idle_off / 1e6))
    expect("the daemon returns a freed burst while the process is idle", idle_on < peak_on / 4 and idle_off > peak_off / 2,
           results)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
