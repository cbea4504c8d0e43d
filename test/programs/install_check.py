#!/usr/bin/env python3
"""`meson install` puts libbento.so, libbento.a, bento/bento.h, bento.pc, bentoctl's man
page and its bash completion where a user finds them: install into a scratch DESTDIR,
build a C program with pkg-config's flags against the shared library and again with
`pkg-config --static --libs` against the static one (-l:libbento.a: the archive, though
the shared library is next to it), and run both. Then a
program that uses no bento_ symbol at all, linked with libbento.a, must still have every
feature: the helper thread, the report at exit, the daemon's socket.

usage: install_check.py BUILD_DIR SOURCE_FILE PLAIN_SOURCE_FILE
"""
import glob
import os
import subprocess
import sys
import tempfile

build, source, plain_source = sys.argv[1], sys.argv[2], sys.argv[3]


def sh(argv, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        print("$ %s\n%s%s" % (" ".join(argv), r.stdout, r.stderr))
        sys.exit(1)
    return r.stdout


with tempfile.TemporaryDirectory() as dest:
    sh(["meson", "install", "-C", build, "--destdir", dest, "--quiet"])
    pcs = glob.glob(dest + "/**/bento.pc", recursive=True)
    assert pcs, "bento.pc not installed"
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.dirname(pcs[0]), PKG_CONFIG_SYSROOT_DIR=dest)
    flags = sh(["pkg-config", "--cflags", "--libs", "bento"], env=env).split()
    libdir = [f[2:] for f in flags if f.startswith("-L")][0]
    shared_exe, static_exe = dest + "/user_shared", dest + "/user_static"
    sh(["cc", "-O2", source, "-o", shared_exe] + flags)
    inc = [f for f in flags if f.startswith("-I")]
    # Libs.private must carry what libbento.a needs (the C++ runtime among it).
    static_flags = sh(["pkg-config", "--static", "--cflags", "--libs", "bento"], env=env).split()
    assert "-lstdc++" in static_flags, "bento.pc has no -lstdc++ in Libs.private: " + " ".join(static_flags)
    static_flags = ["-l:libbento.a" if f == "-lbento" else f for f in static_flags]
    sh(["cc", "-O2", source, "-o", static_exe] + static_flags)
    needed = sh(["readelf", "-d", static_exe])
    assert "libbento" not in needed, "the static link still needs libbento.so:\n" + needed
    out1 = sh([shared_exe], env=dict(os.environ, LD_LIBRARY_PATH=libdir))
    out2 = sh([static_exe])
    installed = [os.path.relpath(p, dest) for p in glob.glob(dest + "/**/*", recursive=True)]
    assert any(p.endswith("share/man/man1/bentoctl.1") for p in installed), "bentoctl.1 not installed: %s" % installed
    assert any(p.endswith("share/bash-completion/completions/bentoctl") for p in installed), \
        "bash completion not installed: %s" % installed
    comp = [p for p in glob.glob(dest + "/**/completions/bentoctl", recursive=True)][0]
    assert "complete -F _bentoctl bentoctl" in open(comp).read(), "the completion file registers no completion"
    print("installed:", ", ".join(sorted(os.path.relpath(p, dest) for p in
          glob.glob(dest + "/**/*", recursive=True) if os.path.isfile(p) and "user_" not in p)))
    print("linked with -lbento (shared):", out1.strip())
    print("linked with libbento.a (static):", out2.strip())

    # Nothing but malloc and free: the link takes bento's objects for those symbols only.
    plain_exe = dest + "/user_plain_static"
    sh(["cc", "-O2", plain_source, "-o", plain_exe] + static_flags)
    out = sh([plain_exe])
    assert "threads 2" in out, "no helper thread in a static link: " + out
    r = subprocess.run([plain_exe], capture_output=True, text=True,
                       env=dict(os.environ, BENTO_CONF="stats_print:true"))
    assert r.returncode == 0 and "Begin bento statistics" in r.stderr, \
        "stats_print:true printed no report in a static link: " + r.stderr[-500:]
    sockdir = os.path.join(dest, "sock")
    os.mkdir(sockdir, 0o700)
    out = sh([plain_exe, sockdir], env=dict(os.environ, BENTO_CONF="daemon:true,daemon_dir:" + sockdir))
    assert "socket yes" in out, "daemon:true served no socket in a static link: " + out
    print("libbento.a with plain malloc only: helper thread, report at exit, daemon socket")
