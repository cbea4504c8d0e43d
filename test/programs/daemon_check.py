#!/usr/bin/env python3
"""The stats daemon and bentoctl, end to end, against real processes.

Starts test/programs/daemon_host under `bentoctl run` (so with libbento preloaded and the
daemon on), then checks every bentoctl command against the values the process reads
itself, values changing as it allocates, hostile and broken clients, a client of another
uid, 1,000 connections without a leaked descriptor, the socket removed at exit, a forked
child serving its own socket, stale sockets cleaned, and background purging while idle;
and protocol 2's typed answers: get --json in request order with the leaf's types, list
with type and access, each kind of failure with its own message and exit code, and a
daemon of another protocol version recognised.

usage: daemon_check.py BENTOCTL DAEMON_HOST LIBBENTO
"""
import json
import os
import pty
import select
import termios
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

import check_support
from check_support import expect

BENTOCTL, HOST, LIB = sys.argv[1], sys.argv[2], sys.argv[3]
SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))




def ctl(*args, **kw):
    env = dict(os.environ, BENTO_LIB=LIB)
    env.pop("LD_PRELOAD", None)
    # errors="replace": a process started with ODD_PREFIX may print it byte for byte.
    return subprocess.run([BENTOCTL] + [str(a) for a in args], capture_output=True, text=True, errors="replace",
                          env=env, **kw)


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


# Exit codes, as ctl/exit_codes.h and doc/daemon.md define them.
EXIT_FAILURE, EXIT_USAGE, EXIT_UNKNOWN, EXIT_ACCESS, EXIT_BAD_VALUE = 1, 2, 3, 4, 5
EXIT_READ_FAILED, EXIT_ACTION_VALUE, EXIT_PROTOCOL = 6, 7, 9
# Quotes, a backslash, a control character, UTF-8 and a byte that is not UTF-8 (0xff,
# through the command line as Python's surrogate escape): the daemon must still answer JSON.
ODD_PREFIX = '/tmp/q"x\\y\x01\u00e9\udcff'


def fake_daemon(path, answer):
    """A daemon of another protocol version: answers one request with `answer`."""
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(path)
    srv.listen(1)

    def serve():
        c, _ = srv.accept()
        c.recv(4096)
        c.sendall(answer)
        c.close()
        srv.close()
    t = threading.Thread(target=serve, daemon=True)
    t.start()
    return t


def check_typed(h, pid, sock):
    """Protocol 2: typed answers, and each failure its own message and exit code."""
    names = ["version", "opt.stats_print_file", "stats.allocated", "opt.tcache", "opt.narenas", "arenas.narenas"]
    r = ctl("get", "--json", pid, *names)
    try:
        j = json.loads(r.stdout)
    except ValueError:
        j = {}
    expect("get --json keeps the request order", list(j) == names, r.stdout + r.stderr)
    expect("get --json keeps the types (a numeric-looking string option stays a string)",
           j.get("opt.stats_print_file") == "1234" and isinstance(j.get("stats.allocated"), int) and
           j.get("opt.tcache") is True and isinstance(j.get("opt.narenas"), int) and
           isinstance(j.get("arenas.narenas"), int) and not isinstance(j.get("arenas.narenas"), bool) and
           isinstance(j.get("version"), str), j)
    r = ctl("get", pid, "opt.stats_print_file", "opt.tcache")
    expect("plain get prints text", r.stdout == "opt.stats_print_file 1234\nopt.tcache true\n", r.stdout)

    out = raw(sock, b"get opt.narenas opt.stats_print_file opt.tcache nope.nope\n")
    lines = out.splitlines()
    try:
        answers = [json.loads(l) for l in lines[1:]]
    except ValueError:
        answers = []
    expect("the daemon answers 'ok protocol=2', then one JSON object per name", lines[:1] == ["ok protocol=2"] and
           len(answers) == 4, out)
    if len(answers) == 4:
        a, b, c, d = answers
        expect("... each with its name, the leaf's type and access, and the value",
               a == {"name": "opt.narenas", "type": "unsigned", "access": "read-only", "value": a.get("value")} and
               isinstance(a["value"], int) and b["type"] == "string" and b["value"] == "1234" and
               c["type"] == "bool" and c["value"] is True, answers[:3])
        expect("... and an unknown name as an error object",
               d.get("name") == "nope.nope" and d.get("error") == "ENOENT" and d.get("reason") == "unknown_name" and
               "value" not in d and d.get("message"), d)

    r = ctl("list", pid)
    rows = {l.split()[0]: l.split()[1:] for l in r.stdout.splitlines() if l.strip()}
    expect("list: name, type and access columns",
           rows.get("stats.arenas.4096.bins.34.nmalloc") == ["uint64_t", "read-only"] and
           rows.get("arena.0.purge") == ["void", "action"] and
           rows.get("arena.0.dirty_decay_ms") == ["ssize_t", "read-write"] and
           rows.get("prof.dump") == ["string", "write-only"] and rows.get("opt.stats_print_file") == ["string", "read-only"],
           [(k, rows.get(k)) for k in ("arena.0.purge", "prof.dump", "arena.0.dirty_decay_ms")])
    r = ctl("list", "--json", pid, "arena.0.")
    try:
        j = json.loads(r.stdout)
    except ValueError:
        j = []
    expect("list --json: the typed objects, in the namespace's order",
           j == [{"name": "arena.0.decay", "type": "void", "access": "action"},
                 {"name": "arena.0.dirty_decay_ms", "type": "ssize_t", "access": "read-write"},
                 {"name": "arena.0.dss", "type": "string", "access": "read-only"},
                 {"name": "arena.0.initialized", "type": "bool", "access": "read-only"},
                 {"name": "arena.0.muzzy_decay_ms", "type": "ssize_t", "access": "read-write"},
                 {"name": "arena.0.purge", "type": "void", "access": "action"}], r.stdout)

    # Each failure: its own message and exit code.
    cases = [
        (("set", pid, "arena.0.purge", "1"), EXIT_ACTION_VALUE, "arena.0.purge is an action; it takes no value"),
        (("set", pid, "stats.allocated", "5"), EXIT_ACCESS, "stats.allocated is read-only"),
        (("get", pid, "prof.dump"), EXIT_ACCESS, "prof.dump is write-only"),
        (("get", pid, "arena.0.purge"), EXIT_ACCESS, "arena.0.purge is an action"),
        (("set", pid, "arenas.lookup", "-1"), EXIT_BAD_VALUE, "-1 is out of range"),
        (("set", pid, "arena.0.dirty_decay_ms", "99999999999999999999"), EXIT_BAD_VALUE, "is out of range"),
        (("set", pid, "arena.0.dirty_decay_ms", "soon"), EXIT_BAD_VALUE, "takes an integer (ssize_t), not 'soon'"),
        (("set", pid, "prof.active", "maybe"), EXIT_BAD_VALUE, "takes true or false, not 'maybe'"),
        (("set", pid, "arena.0.dirty_decay_ms"), EXIT_USAGE, "arena.0.dirty_decay_ms needs a value"),
        (("get", pid, "nope.nope"), EXIT_UNKNOWN, "nope.nope: no such name (or index) (ENOENT)"),
        (("set", pid, "nope.nope", "1"), EXIT_UNKNOWN, "(ENOENT)"),
        (("get", pid, "arena.4096.dirty_decay_ms"), EXIT_READ_FAILED, "reading arena.4096.dirty_decay_ms failed"),
        (("set", pid, "thread.arena", "0"), EXIT_FAILURE, "calling thread"),
    ]
    for args, code, text in cases:
        r = ctl(*args)
        expect("bentoctl %s: exit %d, '%s'" % (" ".join(str(a) for a in args[:1] + args[2:]), code, text[:30]),
               r.returncode == code and text in r.stderr and "could not be made" not in r.stderr,
               (r.returncode, r.stderr))
    r = ctl("get", pid, "opt.tcache", "nope.nope", "stats.allocated")
    expect("get of several names: the good ones printed, the exit code the failure's",
           r.returncode == EXIT_UNKNOWN and r.stdout.startswith("opt.tcache true\nstats.allocated ") and
           "nope.nope" in r.stderr, (r.returncode, r.stdout, r.stderr))

    # An action still works without a value: the process sees its dirty pages go.
    h.cmd("alloc 2000 20000")
    h.cmd("free")
    dirty = h.value("stats.arenas.4096.pdirty")
    r = ctl("set", pid, "arena.4096.purge")
    expect("set arena.4096.purge (an action, no value) purges: %d dirty pages, then %d" %
           (dirty, h.value("stats.arenas.4096.pdirty")),
           r.returncode == 0 and r.stdout == "arena.4096.purge done\n" and dirty > 0 and
           h.value("stats.arenas.4096.pdirty") == 0, (r.returncode, r.stdout, r.stderr))
    r = ctl("set", "--json", pid, "arena.0.dirty_decay_ms", "+1234")
    try:
        j = json.loads(r.stdout)
    except ValueError:
        j = {}
    expect("set --json: the typed value written",
           j == {"name": "arena.0.dirty_decay_ms", "type": "ssize_t", "access": "read-write", "value": 1234, "ok": True},
           r.stdout + r.stderr)

    # A string the daemon must escape, in its typed answers and in the report's JSON.
    odd = Host("prof_prefix:" + ODD_PREFIX)
    r = ctl("get", "--json", odd.pid, "opt.prof_prefix", "opt.tcache")
    d = ctl("dump", "--json", odd.pid)
    odd.close()
    try:
        prefix = json.loads(d.stdout)["bento"]["opt"]["prof_prefix"]
    except (ValueError, KeyError):
        prefix = None
    expect("dump --json: the same string comes back escaped in the report",
           prefix == '/tmp/q"x\\y\x01\u00e9\ufffd', d.stdout[:200] + d.stderr)
    try:
        j = json.loads(r.stdout)
    except ValueError:
        j = {}
    expect("get --json: a string with quotes, backslash, control, UTF-8 and a stray byte comes back escaped",
           j.get("opt.prof_prefix") == '/tmp/q"x\\y\x01\u00e9\ufffd' and j.get("opt.tcache") is True,
           r.stdout + r.stderr)

    # A daemon of protocol 1 (text answers): bentoctl says so instead of guessing.
    with tempfile.TemporaryDirectory() as tmp:
        t = fake_daemon(os.path.join(tmp, "%d.sock" % os.getpid()), b"ok\nopt.narenas 8\n")
        r = ctl("--dir", tmp, "get", os.getpid(), "opt.narenas")
        t.join(5)
        expect("a daemon of another protocol version: exit 9 and a message saying so",
               r.returncode == EXIT_PROTOCOL and "speaks protocol 1" in r.stderr and "speaks 2" in r.stderr,
               (r.returncode, r.stderr))


def project_version():
    m = re.search(r"version\s*:\s*'([^']+)'", open(os.path.join(SOURCE_ROOT, "meson.build")).read())
    return m.group(1) if m else None


def check_command_line():
    """--version, an unknown command."""
    r = ctl("--version")
    expect("--version prints 'bentoctl <meson project version>'",
           r.returncode == 0 and r.stdout == "bentoctl %s\n" % project_version(), (r.returncode, r.stdout))
    r = ctl("frob")
    expect("an unknown command: exit 2, \"unknown command 'frob'\" and the commands",
           r.returncode == EXIT_USAGE and "bentoctl: unknown command 'frob'" in r.stderr and "top" in r.stderr and
           "--help" in r.stderr, (r.returncode, r.stderr))


def top_frames(text):
    """The arena column and ALLOCS/S of each plain-text frame of bentoctl top."""
    frames = []
    for block in text.split("bento top: pid")[1:]:
        rows = [l.split() for l in block.splitlines()[2:] if l.strip()]
        frames.append([(r[0], float(r[4])) for r in rows if len(r) == 9])
    return frames


def check_top_keys(pid):
    """top on a terminal: q quits at once and the terminal's mode is restored."""
    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    env = dict(os.environ, BENTO_LIB=LIB)
    env.pop("LD_PRELOAD", None)
    t = subprocess.Popen([BENTOCTL, "top", str(pid), "-i", "5"], stdin=slave, stdout=slave, stderr=slave, env=env)
    out = b""
    deadline = time.time() + 10
    while b"q quit" not in out and time.time() < deadline:
        if select.select([master], [], [], 0.1)[0]:
            out += os.read(master, 65536)
    during = termios.tcgetattr(slave)
    os.write(master, b"q")
    t0 = time.time()
    try:
        rc = t.wait(timeout=1)
    except subprocess.TimeoutExpired:
        t.kill()
        rc = t.wait()
    took = time.time() - t0
    after = termios.tcgetattr(slave)
    expect("top on a terminal shows its keys (q quit) and reads them without echo",
           b"q quit" in out and not (during[3] & (termios.ICANON | termios.ECHO)), out[-300:])
    expect("top quits on q within a second (interval 5 s), exit 0: %.2f s" % took, rc == 0 and took < 1, (rc, took))
    expect("... and the terminal's mode is restored", after == before, (before[3], after[3]))
    # Killed by a signal: the mode is restored too.
    t = subprocess.Popen([BENTOCTL, "top", str(pid)], stdin=slave, stdout=slave, stderr=slave, env=env)
    out = b""
    deadline = time.time() + 10
    while b"q quit" not in out and time.time() < deadline:
        if select.select([master], [], [], 0.1)[0]:
            out += os.read(master, 65536)
    t.terminate()
    t.wait(timeout=5)
    expect("top killed by SIGTERM restores the terminal's mode", termios.tcgetattr(slave) == before)
    os.close(master)
    os.close(slave)


def check_tools(h, pid):
    """top's order and first-frame rates, map's legend and huge objects, list of nothing."""
    r = ctl("list", pid, "nothing.here.")
    expect("list of a prefix that matches nothing: exit 1 and a message saying so",
           r.returncode == EXIT_FAILURE and "no mallctl name starting with 'nothing.here.'" in r.stderr and not r.stdout,
           (r.returncode, r.stdout, r.stderr))

    # Allocating from a thread of the host, with arenas 2 and 10 in use (as text, "10" < "2").
    busy = Host("narenas:12")
    for a in ("10", "2"):
        expect("daemon_host: arena %s" % a, busy.cmd("arena " + a) == "ok" and busy.cmd("alloc 100 1000") == "ok")
    busy.cmd("busy")
    r = ctl("top", busy.pid, "-n", "2", "-i", "0.3")
    j = ctl("top", "--json", busy.pid, "-n", "1", "-i", "0.3")
    busy.cmd("idle")
    frames = top_frames(r.stdout)
    order = [a for a, _ in frames[0]] if frames else []
    numbers = [int(a) for a in order if a.isdigit()]
    expect("top: arenas in number order, 'all' last: %s" % " ".join(order),
           len(frames) == 2 and order[-1:] == ["all"] and numbers == sorted(numbers) and len(numbers) == len(order) - 1
           and 2 in numbers and 10 in numbers, r.stdout[:600])
    expect("top: the first frame has rates while the host allocates",
           len(frames) == 2 and dict(frames[0]).get("all", 0) > 0 and dict(frames[1]).get("all", 0) > 0, r.stdout[:600])
    try:
        frame = json.loads(j.stdout)
    except ValueError:
        frame = {}
    arenas = frame.get("arenas", [])
    expect("top --json -n 1: one frame, arenas in number order, merged last with a rate",
           j.stdout.count("\n") == 1 and arenas and arenas[-1]["arena"] == "merged" and
           arenas[-1]["allocs_per_s"] > 0 and [a["arena"] for a in arenas[:-1]] ==
           sorted([a["arena"] for a in arenas[:-1]], key=int), j.stdout[:300])
    busy.close()

    # The map: every colour named in a drawn legend, huge objects drawn as bars.
    h.cmd("alloc 20 1048576")
    h.cmd("alloc 2 5000000")
    h.cmd("alloc 3000 40")
    svgns = "{http://www.w3.org/2000/svg}"
    with tempfile.TemporaryDirectory() as tmp:
        svg = tmp + "/heap.svg"
        r = ctl("map", pid, "-o", svg)
        huge = json.loads(ctl("map", "--json", pid).stdout)["huge"]
        try:
            root = ET.parse(svg).getroot()
        except ET.ParseError as e:
            root = None
            expect("map: well-formed SVG", False, e)
        if root is not None:
            legend = {}
            for g in root.iter(svgns + "g"):
                if g.get("class") == "legend":
                    label = "".join(t.text or "" for t in g.iter(svgns + "text")).strip()
                    legend[g.find(svgns + "rect").get("fill")] = label
            used = set()
            for g in root.iter(svgns + "g"):
                if g.get("class") == "chunk":
                    used |= {rect.get("fill") for rect in g.iter(svgns + "rect")}
            bars = [rect for rect in root.iter(svgns + "rect") if rect.get("class") == "huge"]
            used |= {rect.get("fill") for rect in bars}
            unnamed = [f for f in used if not legend.get(f)]
            expect("map: a drawn legend names every colour used (%d colours)" % len(used),
                   not unnamed and len(used) >= 5 and any(l.startswith("small 16") for l in legend.values()), (unnamed, legend))
            widths = [float(b.get("width")) for b in bars]
            expect("map: huge objects drawn as bars, each counted once (%d objects, %d bars)" % (len(huge), len(bars)),
                   len(huge) >= 22 and sum(int(b.get("data-count")) for b in bars) == len(huge) and
                   all(0 < w < 1024 for w in widths), (len(huge), [(b.get("data-count"), b.get("width")) for b in bars]))
            texts = [t.text or "" for t in root.iter(svgns + "text")]
            expect("map: no line of text per huge object, row labels drawn",
                   len(texts) < len(huge) + 60 and any(re.match(r"arena +\d+ +0x[0-9a-f]+ +\d+% used", t) for t in texts),
                   texts[:20])
    h.cmd("free")


def main():
    h = Host("stats_print_file:1234")
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
    expect("get of an unknown name fails with exit 3 and says so", r.returncode == 3 and "ENOENT" in r.stderr, r.stderr)

    r = ctl("list", pid)
    lines = r.stdout.splitlines()
    expect("list gives every node with indexes filled in", len(lines) > 500 and
           any(l.split() == ["stats.arenas.4096.bins.34.nmalloc", "uint64_t", "read-only"] for l in lines), len(lines))
    r = ctl("list", "--json", pid, "opt.")
    j = json.loads(r.stdout)
    expect("list --json PREFIX", len(j) >= 15 and all(x["name"].startswith("opt.") for x in j), r.stdout[:200])

    r = ctl("set", pid, "arena.4096.dirty_decay_ms", "1234")
    expect("set arena.4096.dirty_decay_ms takes effect in the process",
           r.returncode == 0 and h.value("arena.0.dirty_decay_ms", "getl") == 1234, r.stderr)
    r = ctl("set", pid, "arena.4096.purge")
    expect("set arena.4096.purge (an action, no value)", r.returncode == 0, r.stderr)
    check_typed(h, pid, sock)
    check_command_line()
    check_tools(h, pid)
    check_top_keys(pid)

    r = ctl("dump", pid)
    expect("dump: the text report", r.stdout.startswith("___ Begin bento statistics ___") and "contention:" in r.stdout)
    r = ctl("dump", "--json", pid)
    j = json.loads(r.stdout)
    expect("dump --json parses and agrees with the process",
           j["bento"]["stats"]["allocated"] == h.value("stats.allocated"), j["bento"]["stats"]["allocated"])

    r = ctl("metrics", pid)
    sample = re.compile(r'^bento_[a-z_]+\{[a-z]+="[^"]*"(,[a-z]+="[^"]*")*\} [-0-9.e+]+$')
    bad = [l for l in r.stdout.splitlines() if not l.startswith("#") and not sample.match(l)]
    m = re.search(r'^bento_allocated_bytes\{pid="%d",comm="daemon_host"\} ([0-9.e+]+)$' % pid, r.stdout, re.M)
    # Prometheus's own checker (promtool, Debian's prometheus package) reads the same text.
    if shutil.which("promtool"):
        pc = subprocess.run(["promtool", "check", "metrics"], input=r.stdout, capture_output=True, text=True)
        expect("metrics: promtool check metrics accepts the exposition",
               pc.returncode == 0, pc.stdout + pc.stderr)
    else:
        print("%-66s skipped (promtool not installed)" % "metrics: promtool check metrics")
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
    expect("a request ended by shutting the write side is answered", answer.startswith("ok bento 2 pid=%d" % pid), answer)
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
    expect("a forked child serves its own socket", out.startswith("ok bento 2 pid=%d" % child), out)
    expect("... and the parent still serves its own", raw(sock, b"ping\n").startswith("ok bento 2 pid=%d" % pid))
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
    # A socket an earlier process with the same pid left behind (killed): bound, nobody listening.
    sleeper = subprocess.Popen(["sleep", "30"])
    stale = os.path.join(os.path.dirname(sock), "%d.sock" % sleeper.pid)
    with socket.socket(socket.AF_UNIX) as left:
        left.bind(stale)
        r = ctl("get", sleeper.pid, "stats.allocated")
    os.unlink(stale)
    sleeper.kill()
    sleeper.wait()
    expect("... or one whose pid has an earlier process's stale socket",
           r.returncode == 1 and "refuses connections" in r.stderr and "BENTO_CONF=daemon:true" in r.stderr, r.stderr)
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
    return check_support.exit_code()


if __name__ == "__main__":
    sys.exit(main())
