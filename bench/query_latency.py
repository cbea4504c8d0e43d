#!/usr/bin/python3
"""bench/query_latency.py: how long a query of a live bento process takes.

    bench/query_latency.py [--build DIR] [--sizes 100,8192] [--runs N] [--busy N] [--serve-mb MB]
                           [--out FILE.md]

For each heap size (MB mapped and touched by bench/micro/query_host.c, 8 arenas):
  daemon get stats.allocated        one request on the daemon's socket, from this script
  daemon get stats.resident_mincore the same, but it walks every mapping (mincore)
  daemon dump prometheus            the whole report (it walks them too)
  bentoctl get PID stats.allocated  end to end: start bentoctl, query, exit
  spawn floor (/bin/true)           what starting any program costs here
Then `bentoctl serve`: GET /metrics with 10 processes of 8 arenas (100 MB each), plain
and gzipped as Prometheus asks for it.
Medians and 90th percentiles in milliseconds, over --runs requests. --busy N keeps N
processes spinning meanwhile (N = the core count: every core busy, as under load). DIR is a build with
-Dctl=true -Dbench=true (default: build). CI does not time these: run it on a quiet machine.
"""
import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARENAS = 8


def quantiles(samples):
    s = sorted(samples)
    return statistics.median(s) * 1e3, s[min(len(s) - 1, int(0.9 * len(s)))] * 1e3


class Host:
    """A query_host under bento with its daemon on."""

    def __init__(self, build, mb, sock_dir):
        env = dict(os.environ, LD_PRELOAD=os.path.join(build, "src", "libbento.so"),
                   BENTO_CONF=f"daemon:true,narenas:{ARENAS}", XDG_RUNTIME_DIR=sock_dir)
        self.proc = subprocess.Popen([os.path.join(build, "bench", "bench_query_host"), str(mb), str(ARENAS)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True)
        if self.proc.stdout.readline().strip() != "ready":
            raise SystemExit(f"query_host {mb} MB did not start")
        self.socket = os.path.join(sock_dir, "bento", f"{self.proc.pid}.sock")
        deadline = time.time() + 10
        while not os.path.exists(self.socket):
            if time.time() > deadline:
                raise SystemExit(f"no daemon socket {self.socket}")
            time.sleep(0.01)

    def request(self, line):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(self.socket)
        s.sendall(line.encode() + b"\n")
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
        s.close()
        if not reply.startswith(b"ok"):
            raise SystemExit(f"{line}: {reply[:200]!r}")
        return reply

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def timed(fn, runs):
    fn()  # warm
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return quantiles(samples)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--sizes", default="100,8192", help="heap sizes in MB, comma-separated")
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--busy", type=int, default=0, help="processes kept spinning while it measures")
    ap.add_argument("--serve-mb", type=int, default=100, help="heap of each of the 10 processes serve scrapes")
    ap.add_argument("--out", help="also write the table (markdown) to this file")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    bentoctl = os.path.join(build, "ctl", "bentoctl")
    sock_dir = f"/tmp/bento-query-latency-{os.getpid()}"
    os.makedirs(sock_dir, exist_ok=True)
    env = dict(os.environ, XDG_RUNTIME_DIR=sock_dir)
    rows = []

    def row(what, size, q):
        rows.append(f"| {what} | {size} | {q[0]:.3f} | {q[1]:.3f} |")
        print(rows[-1], flush=True)

    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)]
    try:
        measure(args, build, bentoctl, sock_dir, env, row)
    finally:
        for p in spinners:
            p.kill()
            p.wait()
        shutil.rmtree(sock_dir, ignore_errors=True)
    if args.out:
        with open(args.out, "w") as f:
            f.write("| query | heap | median ms | p90 ms |\n|---|---|---|---|\n" + "\n".join(rows) + "\n")
    return 0


def measure(args, build, bentoctl, sock_dir, env, row):
    print("| query | heap | median ms | p90 ms |\n|---|---|---|---|", flush=True)
    for mb in (int(x) for x in args.sizes.split(",")):
        host = Host(build, mb, sock_dir)
        size = f"{mb} MB" if mb < 1024 else f"{mb / 1024:g} GB"
        try:
            row("daemon `get stats.allocated`", size, timed(lambda: host.request("get stats.allocated"), args.runs))
            row("daemon `get stats.resident_mincore` (walks)", size,
                timed(lambda: host.request("get stats.resident_mincore"), max(10, args.runs // 5)))
            row("daemon `dump prometheus` (walks)", size,
                timed(lambda: host.request("dump prometheus"), max(10, args.runs // 5)))
            cmd = [bentoctl, "get", str(host.proc.pid), "stats.allocated"]
            row("`bentoctl get PID stats.allocated`", size,
                timed(lambda: subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True), args.runs // 2))
            row("spawn floor (`/bin/true`)", size,
                timed(lambda: subprocess.run(["/bin/true"], check=True), args.runs // 2))
        finally:
            host.close()

    hosts = [Host(build, args.serve_mb, sock_dir) for _ in range(10)]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    serve = subprocess.Popen([bentoctl, "serve", "--listen", f"127.0.0.1:{port}"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/metrics"
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.time() + 10
        while True:
            try:
                body = opener.open(url, timeout=5).read().decode()
                break
            except OSError:
                if time.time() > deadline:
                    raise SystemExit("bentoctl serve did not answer")
                time.sleep(0.05)
        pids = {f'pid="{h.proc.pid}"' for h in hosts}
        missing = [p for p in pids if p not in body]
        if missing:
            raise SystemExit(f"/metrics lacks {missing}")
        each = f"{args.serve_mb} MB each"
        row("`bentoctl serve` GET /metrics, 10 processes x 8 arenas", each,
            timed(lambda: opener.open(url, timeout=5).read(), max(10, args.runs // 5)))
        # What Prometheus sends: the answer gzipped.
        gz = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
        row("the same, gzipped (Prometheus asks for gzip)", each,
            timed(lambda: opener.open(gz, timeout=5).read(), max(10, args.runs // 5)))
    finally:
        serve.terminate()
        serve.wait()
        for h in hosts:
            h.close()


if __name__ == "__main__":
    sys.exit(main())
