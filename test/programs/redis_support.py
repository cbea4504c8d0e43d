"""Helpers for the tests that drive Debian's redis-server (run_programs.py,
redis_memory_check.py): whether it is installed, a free port, starting it (with LD_PRELOAD
and LD_DEBUG=bindings when asked), a minimal RESP client, waiting for PONG, shutting it
down, and reading which library each symbol bound to."""
import os
import re
import shutil
import socket
import subprocess
import time

from check_support import free_port


def missing(*programs):
    """None when redis-server and the other programs named are installed, else why not."""
    for p in ("redis-server",) + programs:
        if shutil.which(p) is None:
            return "%s not installed" % p
    return None




class RespError(Exception):
    """An error reply (-ERR ...) from the server."""


class Client:
    """One connection speaking RESP2: call() sends a command, returns the parsed reply
    (str, int, None, list) and raises RespError for an error reply."""

    def __init__(self, port, timeout=120):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RespError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n).decode(errors="replace")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise ValueError("unexpected RESP reply %r" % line[:80])

    def call(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        reply = self._reply()
        if isinstance(reply, RespError):
            raise reply
        return reply


def info(client, section):
    """INFO <section> as a dict of its fields (values as str)."""
    fields = {}
    for line in client.call("INFO", section).splitlines():
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            fields[k] = v
    return fields


class Server:
    """redis-server on a free port, no persistence, in directory tmp; preload is a library
    for LD_PRELOAD (or None), bind_log a path prefix for LD_DEBUG=bindings (or None).
    Use as a context manager: it waits for PONG on entry and shuts down on exit."""

    def __init__(self, tmp, preload=None, bind_log=None, extra_args=()):
        self.port = free_port()
        self.tmp = tmp
        env = dict(os.environ)
        env.pop("LD_PRELOAD", None)
        env.pop("BENTO_CONF", None)
        if preload:
            env["LD_PRELOAD"] = preload
        if bind_log:
            env.update(LD_DEBUG="bindings", LD_DEBUG_OUTPUT=bind_log)
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", tmp] + list(extra_args),
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.returncode = None

    def __enter__(self):
        self.wait_for_pong()
        return self

    def __exit__(self, *exc):
        self.shutdown()

    def wait_for_pong(self, timeout=10):
        end = time.monotonic() + timeout
        while True:
            try:
                c = Client(self.port, timeout=2)
                try:
                    if c.call("PING") == "PONG":
                        return
                finally:
                    c.close()
            except (OSError, ConnectionError, RespError):
                pass
            if self.proc.poll() is not None or time.monotonic() > end:
                raise RuntimeError("redis-server did not answer PING (exit %r)" % self.proc.poll())
            time.sleep(0.05)

    def client(self):
        return Client(self.port)

    def vm_rss(self):
        """VmRSS of the server process, in bytes."""
        with open("/proc/%d/status" % self.proc.pid) as f:
            return int(re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M).group(1)) * 1024

    def shutdown(self):
        if self.proc.poll() is None:
            try:
                c = Client(self.port, timeout=10)
                try:
                    c.call("SHUTDOWN", "NOSAVE")
                except (ConnectionError, OSError):
                    pass  # the server closes the connection as it exits
                c.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.returncode = self.proc.returncode


def bindings(bind_log, binary="redis-server"):
    """{symbol: library file} for the symbols binary bound, from LD_DEBUG=bindings logs
    written with LD_DEBUG_OUTPUT=bind_log (one file per process, bind_log.<pid>)."""
    text = ""
    d, base = os.path.split(bind_log)
    for f in os.listdir(d):
        if f.startswith(base + "."):
            with open(os.path.join(d, f), errors="replace") as fh:
                text += fh.read()
    bound = {}
    for lib, sym in re.findall(r"binding file \S*%s \[0\] to (\S+) \[0\]: normal symbol `([^']+)'" %
                               re.escape(binary), text):
        bound.setdefault(sym, lib)
    return bound
