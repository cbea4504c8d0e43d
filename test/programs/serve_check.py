#!/usr/bin/env python3
"""bentoctl serve against the real thing: two daemon_host processes under bentoctl run,
bentoctl serve over them, and real clients.

  - /metrics: both processes' series, labelled pid and comm (and arena), each family's
    HELP and TYPE once, bento_info with the version, promtool check metrics;
  - Debian's prometheus, started here with a scrape config pointing at serve: its HTTP
    API returns the bento series of both processes;
  - go tool pprof fetches /debug/pprof/heap?pid=N (and &peak=1) over HTTP;
  - junk: other methods (405), unknown paths (404), bad and unknown pids (400/404), a
    malformed request line, an over-long URI, a client that sends half a request; the
    server answers /healthz after all of them;
  - a stopped process (SIGSTOP) does not stall a scrape: it answers within the timeout
    without that process and counts it in bento_scrape_errors_total{reason="timeout"};
  - a process that exits drops out, with no error counted.

usage: serve_check.py BENTOCTL DAEMON_HOST LIBBENTO
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

import check_support
from check_support import expect, free_port, go_env

BENTOCTL, HOST, LIB = sys.argv[1], sys.argv[2], sys.argv[3]
TIMEOUT_MS = 500
ENV = check_support.LOOPBACK_ENV




def http_get(port, path, method="GET"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request(method, path)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, dict(r.getheaders()), body


def raw_request(port, data, read=True):
    """Sends raw bytes; returns the status code of the answer (0 for none)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(data)
    out = b""
    try:
        while read and b"\r\n" not in out:
            b = s.recv(65536)
            if not b:
                break
            out += b
    except socket.timeout:
        pass
    s.close()
    m = re.match(rb"HTTP/1\.[01] (\d+)", out)
    return int(m.group(1)) if m else 0




class Host:
    """daemon_host under bentoctl run, its socket in the test's own directory."""

    def __init__(self, sockdir):
        conf = "daemon_dir:%s,prof_active:true,lg_prof_sample:12" % sockdir
        self.p = subprocess.Popen([BENTOCTL, "run", "--conf", conf, "--", HOST], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, env=dict(ENV, BENTO_LIB=LIB))
        self.pid = int(self.p.stdout.readline().split()[1])
        self.sock = os.path.join(sockdir, "%d.sock" % self.pid)
        for _ in range(200):
            if os.path.exists(self.sock):
                break
            time.sleep(0.02)

    def cmd(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        return self.p.stdout.readline().strip()

    def close(self):
        if self.p.poll() is None:
            os.kill(self.pid, signal.SIGCONT)
            self.cmd("exit")
            self.p.wait(timeout=10)


def samples(text):
    """[(name, {label: value}, value)] of an exposition's sample lines."""
    out = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$', line)
        if not m:
            out.append((line, None, None))
            continue
        labels = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        out.append((m.group(1), labels, float(m.group(3))))
    return out


def value_of(text, name, **labels):
    for n, l, v in samples(text):
        if n == name and l is not None and all(l.get(k) == str(x) for k, x in labels.items()):
            return v
    return None


def check_metrics(port, a, b):
    status, headers, body = http_get(port, "/metrics")
    text = body.decode()
    expect("/metrics: 200, text exposition 0.0.4",
           status == 200 and headers.get("Content-Type", "").startswith("text/plain; version=0.0.4"), (status, headers))
    pids = {str(a.pid), str(b.pid)}
    info = {l["pid"]: l for n, l, _ in samples(text) if n == "bento_info" and l}
    expect("/metrics: bento_info{pid,comm,version} for both processes",
           set(info) == pids and all(l.get("comm") == "daemon_host" and l.get("version") for l in info.values()), info)
    bad = [n for n, l, _ in samples(text) if l is None]
    expect("/metrics: every sample line parses", not bad, bad[:3])
    unlabelled = [n for n, l, _ in samples(text)
                  if l is not None and not n.startswith(("bento_scrape_", "bento_serve_")) and
                  not ("pid" in l and "comm" in l)]
    expect("/metrics: every process series labelled pid and comm", not unlabelled, unlabelled[:5])
    types = re.findall(r"^# TYPE (\S+) ", text, re.M)
    helps = re.findall(r"^# HELP (\S+) ", text, re.M)
    expect("/metrics: each family's HELP and TYPE once (%d families)" % len(types),
           len(types) == len(set(types)) and sorted(types) == sorted(helps) and len(types) > 20)
    arena = [l for n, l, _ in samples(text) if l and "arena" in l]
    expect("/metrics: per-arena series carry an arena label", len(arena) > 0)
    expect("/metrics: conventional names (dirty pages as bytes, counters _total, times _seconds)",
           any(n.endswith("dirty_bytes") for n in types) and
           all(t.endswith("_total") for t in re.findall(r"^# TYPE (\S+) counter", text, re.M)) and
           any(n.endswith("_seconds") for n in types), [t for t in types if "dirty" in t])
    allocated = value_of(text, "bento_allocated_bytes", pid=a.pid)
    expect("/metrics: A's bento_allocated_bytes covers what it holds (%s)" % allocated,
           allocated is not None and allocated >= 2000 * 4096, allocated)
    expect("/metrics: bento_scrape_processes is 2", value_of(text, "bento_scrape_processes") == 2)
    if shutil.which("promtool"):
        pc = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
        expect("/metrics: promtool check metrics accepts it", pc.returncode == 0, pc.stdout + pc.stderr)
    else:
        print("promtool missing (Debian prometheus): .ci/install-deps installs it")
    status, _, body = http_get(port, "/metrics", "HEAD")
    expect("HEAD /metrics: 200, no body", status == 200 and body == b"", status)
    return text


def check_pages(port, a, b):
    status, _, body = http_get(port, "/healthz")
    expect("/healthz: 200 ok", status == 200 and body == b"ok\n", (status, body))
    status, headers, body = http_get(port, "/")
    page = body.decode()
    expect("/: an HTML page linking both processes' profiles",
           status == 200 and headers.get("Content-Type", "").startswith("text/html") and
           all("/debug/pprof/heap?pid=%d" % p in page for p in (a.pid, b.pid)) and "/metrics" in page, page[:400])


def check_junk(port, a, serve_pid):
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        status, headers, _ = http_get(port, "/metrics", method)
        expect("%s /metrics: 405, Allow: GET" % method, status == 405 and "GET" in headers.get("Allow", ""), status)
    status, _, body = http_get(port, "/nope")
    expect("GET /nope: 404 with a message", status == 404 and b"/metrics" in body, (status, body))
    for query, want in (("", 400), ("?pid=abc", 400), ("?pid=-1", 400), ("?pid=%d" % serve_pid, 404),
                        ("?pid=%d&peak=2" % a.pid, 400)):
        status, _, body = http_get(port, "/debug/pprof/heap" + query)
        expect("GET /debug/pprof/heap%s: %d with a message" % (query, want), status == want and body, (status, body))
    expect("a malformed request line: 400", raw_request(port, b"GARBAGE\r\n\r\n") == 400)
    long_uri = raw_request(port, b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    expect("a 20 KB URI: refused (4xx, %d)" % long_uri, 400 <= long_uri < 500)
    raw_request(port, b"GET /metrics HTTP/1.1\r\nHo", read=False)  # half a request, then gone
    status, _, _ = http_get(port, "/healthz")
    expect("after the junk the server still answers /healthz", status == 200)




def check_pprof(port, a, tmp):
    status, headers, body = http_get(port, "/debug/pprof/heap?pid=%d" % a.pid)
    expect("/debug/pprof/heap?pid=A: 200, gzipped profile.proto",
           status == 200 and body[:2] == b"\x1f\x8b" and headers.get("Content-Type") == "application/octet-stream",
           (status, body[:20]))
    if shutil.which("go") is None:
        print("go missing (Debian golang-go): .ci/install-deps installs it")
        return
    for extra in ("", "&peak=1"):
        url = "http://127.0.0.1:%d/debug/pprof/heap?pid=%d%s" % (port, a.pid, extra)
        r = subprocess.run(["go", "tool", "pprof", "-top", "-unit=B", "-sample_index=inuse_space", url],
                           capture_output=True, text=True, env=go_env(tmp), timeout=120)
        m = re.search(r"of ([\d.]+)B total", r.stdout)
        total = float(m.group(1)) if m else 0
        expect("go tool pprof %s: reads it over HTTP, %d sampled bytes live" % (url[url.index("/debug"):], total),
               r.returncode == 0 and total >= 1000 * 4096 and "daemon_host" in r.stdout, r.stdout[-600:] + r.stderr[-600:])
        # daemon_host is linked without -rdynamic and has no debug information: the names
        # come from its symbol table, written into the profile by bento.
        expect("go tool pprof %s: the profile names daemon_host's functions (main)" % url[url.index("/debug"):],
               re.search(r"%\s+main$", r.stdout, re.M) is not None, r.stdout[-600:])


def check_prometheus(port, a, b, tmp):
    if shutil.which("prometheus") is None:
        print("prometheus missing (Debian prometheus): .ci/install-deps installs it")
        return
    web = free_port()
    cfg = os.path.join(tmp, "prometheus.yml")
    with open(cfg, "w") as f:
        f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                "scrape_configs:\n  - job_name: bento\n    static_configs:\n"
                "      - targets: ['127.0.0.1:%d']\n" % port)
    log = open(os.path.join(tmp, "prometheus.log"), "w")
    prom = subprocess.Popen(["prometheus", "--config.file=" + cfg, "--storage.tsdb.path=" + os.path.join(tmp, "tsdb"),
                             "--web.listen-address=127.0.0.1:%d" % web], stdout=log, stderr=subprocess.STDOUT, env=ENV)
    try:
        def query(q):
            status, _, body = http_get(web, "/api/v1/query?query=" + urllib.parse.quote(q))
            return json.loads(body)["data"]["result"] if status == 200 else []
        found, deadline = [], time.time() + 60
        while time.time() < deadline:
            try:
                found = query("bento_info")
                if {r["metric"].get("pid") for r in found} >= {str(a.pid), str(b.pid)}:
                    break
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.5)
        pids = {r["metric"].get("pid") for r in found}
        expect("prometheus: bento_info of both processes, from its HTTP API", pids >= {str(a.pid), str(b.pid)},
               found)
        up = query('up{job="bento"}')
        expect("prometheus: up{job=\"bento\"} is 1", len(up) == 1 and up[0]["value"][1] == "1", up)
        alloc = query('bento_allocated_bytes{job="bento"}')
        print("prometheus query bento_allocated_bytes{job=\"bento\"}:")
        for r in alloc:
            print("   %s %s" % (json.dumps(r["metric"], sort_keys=True), r["value"][1]))
        by_pid = {r["metric"].get("pid"): float(r["value"][1]) for r in alloc}
        expect("prometheus: bento_allocated_bytes of both, A's >= what it holds",
               set(by_pid) >= {str(a.pid), str(b.pid)} and by_pid.get(str(a.pid), 0) >= 2000 * 4096, by_pid)
    finally:
        prom.terminate()
        prom.wait(timeout=30)
        log.close()


def check_stopped_and_exited(port, a, b):
    before = value_of(http_get(port, "/metrics")[2].decode(), "bento_scrape_errors_total", reason="timeout")
    os.kill(b.pid, signal.SIGSTOP)
    try:
        t0 = time.time()
        status, _, body = http_get(port, "/metrics")
        took = time.time() - t0
        text = body.decode()
        pids = {l["pid"] for n, l, _ in samples(text) if n == "bento_info" and l}
        after = value_of(text, "bento_scrape_errors_total", reason="timeout")
        expect("a stopped process: the scrape answers in %.2f s (timeout %d ms) without it" % (took, TIMEOUT_MS),
               status == 200 and took < TIMEOUT_MS / 1000 + 1.5 and pids == {str(a.pid)}, pids)
        expect("a stopped process: bento_scrape_errors_total{reason=\"timeout\"} %s -> %s" % (before, after),
               after == before + 1)
    finally:
        os.kill(b.pid, signal.SIGCONT)
    b.close()
    text = http_get(port, "/metrics")[2].decode()
    pids = {l["pid"] for n, l, _ in samples(text) if n == "bento_info" and l}
    errors = sum(v for n, l, v in samples(text) if n == "bento_scrape_errors_total")
    expect("an exited process drops out, no error counted", pids == {str(a.pid)} and errors == before + 1,
           (pids, errors))


def main():
    tmp = tempfile.mkdtemp(prefix="bento-serve-")
    sockdir = os.path.join(tmp, "sockets")
    os.mkdir(sockdir, 0o700)
    a, b = Host(sockdir), Host(sockdir)
    serve = None
    try:
        expect("host A holds 2000 pages", a.cmd("alloc 2000 4096") == "ok")
        expect("host B holds a few objects", b.cmd("alloc 100 64") == "ok")
        serve = subprocess.Popen([BENTOCTL, "serve", "--listen", "127.0.0.1:0", "--dir", sockdir,
                                  "--timeout-ms", str(TIMEOUT_MS)], stdout=subprocess.PIPE, text=True, env=ENV)
        first = serve.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", first)
        if not expect("serve says where it listens (loopback, port 0 picked)", m, first):
            return 1
        port = int(m.group(1))
        check_pages(port, a, b)
        check_metrics(port, a, b)
        check_junk(port, a, serve.pid)
        check_pprof(port, a, tmp)
        check_prometheus(port, a, b, tmp)
        check_stopped_and_exited(port, a, b)
        serve.send_signal(signal.SIGTERM)
        expect("SIGTERM ends serve with status 0", serve.wait(timeout=10) == 0)
        bad = subprocess.run([BENTOCTL, "serve", "--listen", "nonsense"], capture_output=True, text=True, env=ENV)
        expect("serve --listen nonsense: exit 2 with a message", bad.returncode == 2 and "HOST:PORT" in bad.stderr,
               bad.stderr)
    finally:
        if serve is not None and serve.poll() is None:
            serve.kill()
        for h in (a, b):
            try:
                h.close()
            except (OSError, ValueError, subprocess.TimeoutExpired):
                h.p.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    return check_support.exit_code()


if __name__ == "__main__":
    sys.exit(main())
