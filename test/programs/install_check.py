#!/usr/bin/env python3
"""`meson install` puts libbento.so, libbento.a, bento/bento.h and bento.pc where a user
finds them: install into a scratch DESTDIR, build a C program with pkg-config's flags
against the shared library and again against the static one, and run both.

usage: install_check.py BUILD_DIR SOURCE_FILE
"""
import glob
import os
import subprocess
import sys
import tempfile

build, source = sys.argv[1], sys.argv[2]


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
    sh(["cc", "-O2", source, "-o", static_exe] + inc +
       [libdir + "/libbento.a", "-lstdc++", "-lpthread", "-lm"])
    out1 = sh([shared_exe], env=dict(os.environ, LD_LIBRARY_PATH=libdir))
    out2 = sh([static_exe])
    print("installed:", ", ".join(sorted(os.path.relpath(p, dest) for p in
          glob.glob(dest + "/**/*", recursive=True) if os.path.isfile(p) and "user_" not in p)))
    print("linked with -lbento (shared):", out1.strip())
    print("linked with libbento.a (static):", out2.strip())
