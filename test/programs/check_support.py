"""test/programs/check_support.py: what the programs suite's checks share. One line per
check with its verdict (`expect`) and the count of those that failed; a free loopback
port; the environments for the clients a check starts (no proxy between them and the
loopback servers; go tool pprof with its caches in the check's own directory)."""
import os
import socket
import sys

failures = 0


def expect(name, ok, detail=""):
    """Prints the check's verdict (with the end of detail when it failed); returns ok."""
    global failures
    print("%-70s %s%s" % (name, "ok" if ok else "FAILED", "" if ok else "  " + str(detail)[-800:]))
    sys.stdout.flush()
    failures += not ok
    return ok


def exit_code():
    """0 when every check passed, else 1 (after saying how many failed)."""
    if failures:
        print("%s: %d check(s) failed" % (os.path.basename(sys.argv[0]), failures))
    return 1 if failures else 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Loopback only: no proxy may stand between the clients and the servers a check starts.
LOOPBACK_ENV = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}


def go_env(tmp, base=None):
    """go tool pprof's environment: its home and caches under tmp."""
    return dict(LOOPBACK_ENV if base is None else base, HOME=tmp, GOCACHE=os.path.join(tmp, "gocache"),
                GOPATH=os.path.join(tmp, "gopath"))
