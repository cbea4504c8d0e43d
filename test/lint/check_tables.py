#!/usr/bin/env python3
"""The docs that are generated from bento's tables must match them:
doc/options.md (between its markers) from src/config/options.def and
src/config/jemalloc_options.def (whose rows are checked against options.def too),
doc/stats.md's counter table from src/config/stat_fields.h, and doc/mallctl.md from the
mallctl tree itself (printed by the mallctl_doc program). And doc/daemon.md's exit
code table must list the codes of ctl/exit_codes.h, each daemon reason with its code.

usage: check_tables.py ROOT MALLCTL_DOC_EXE [--write]   (--write regenerates the docs)
"""
import re
import subprocess
import sys

TYPES = {"Bool": "bool", "Unsigned": "unsigned", "Size": "size_t", "Int": "int64_t",
         "String": "string"}
ROW = re.compile(r'^BENTO_OPT\((\w+),\s*(\w+),\s*("[^"]*"|[-\w]+),\s*([-\w]+),\s*([-\w]+),\s*"(.*)"\)\s*$')
JE_ROW = re.compile(r'^JEMALLOC_OPT\("([\w*]+)",\s*(Same|Alias|Pow2|Ignore),\s*"(\w*)",\s*(None|Bool|Size|Ssize|String),\s*"([-\w]*)",\s*"(.*)"\)\s*$')


def option_rows(root):
    rows = []
    with open(root + "/src/config/options.def") as f:
        for line in f:
            if line.startswith("BENTO_OPT("):
                m = ROW.match(line.strip())
                if not m:
                    raise SystemExit("options.def: cannot parse: " + line)
                name, kind, default, lo, hi, doc = m.groups()
                if kind == "Bool":
                    rng = ""
                elif kind == "String":
                    rng = "up to %s chars" % hi
                else:
                    rng = "%s .. %s" % (lo, hi)
                rows.append("| `%s` | %s | %s | %s | %s |" % (name, TYPES[kind], default, rng, doc))
    return ["| option | type | default | range | meaning |", "|---|---|---|---|---|"] + rows


# Each stat table, where its rows appear in the namespace.
STAT_TABLES = [
    ("BENTO_GLOBAL_STATS", "stats.<name>"),
    ("BENTO_CHUNK_POOL_STATS", "stats.chunk_pool.<name>"),
    ("BENTO_ARENA_STATS", "stats.arenas.<i>.<name>"),
    ("BENTO_PAGE_RUN_STATS", "stats.arenas.<i>.<name>"),
    ("BENTO_HUGE_STATS", "stats.arenas.<i>.huge.<name>"),
    ("BENTO_BIN_STATS", "stats.arenas.<i>.bins.<j>.<name>"),
    ("BENTO_LARGE_STATS", "stats.arenas.<i>.lruns.<j>.<name>"),
    ("BENTO_CONTENTION_STATS", "stats.arenas.<i>.contention.<name>"),
    ("BENTO_MUTEX_STATS", "stats.mutexes.<lock>.<name>, stats.arenas.<i>.mutexes.arena.<name>"),
]
STAT_TYPES = {"Size": "size_t", "Ssize": "ssize_t", "Uint64": "uint64_t", "Uint32": "uint32_t",
              "Unsigned": "unsigned"}
STAT_ROW = re.compile(r'^\s*X\((\w+),\s*(\w+),\s*(\w+),\s*(\w+),\s*"((?:[^"\\]|\\.)*)"')


def stat_rows(root):
    text = open(root + "/src/config/stat_fields.h").read()
    out = ["| name | type | kind | unit | meaning |", "|---|---|---|---|---|"]
    for macro, where in STAT_TABLES:
        start = text.index("#define %s(X)" % macro)
        end = text.index("\n\n", start)
        out.append("| **%s** | | | | |" % where)
        for line in text[start:end].split("\n")[1:]:
            m = STAT_ROW.match(line)
            if not m:
                raise SystemExit("stat_fields.h: cannot parse a row of %s: %s" % (macro, line))
            name, typ, kind, unit, doc = m.groups()
            out.append("| `%s` | %s | %s | %s | %s |" % (name, STAT_TYPES[typ], kind.lower(), unit.lower(), doc))
    return out


def bento_names(root):
    with open(root + "/src/config/options.def") as f:
        return {ROW.match(l.strip()).group(1) for l in f if l.startswith("BENTO_OPT(")}


def jemalloc_rows(root):
    names = bento_names(root)
    rows = []
    with open(root + "/src/config/jemalloc_options.def") as f:
        for line in f:
            if not line.startswith("JEMALLOC_OPT("):
                continue
            m = JE_ROW.match(line.strip())
            if not m:
                raise SystemExit("jemalloc_options.def: cannot parse: " + line)
            name, action, target, reads, value, doc = m.groups()
            own = name in names
            if action == "Same" and (not own or target):
                raise SystemExit("jemalloc_options.def: %s: Same, but bento has no such option" % name)
            if action in ("Alias", "Pow2") and (own or target not in names):
                raise SystemExit("jemalloc_options.def: %s: %s needs a bento target and a name bento lacks" % (name, action))
            if action == "Ignore" and (own or target):
                raise SystemExit("jemalloc_options.def: %s: ignored, but bento has this option" % name)
            if (reads != "None") != (action == "Ignore" and reads != "None"):
                raise SystemExit("jemalloc_options.def: %s: only an ignored name answers opt.%s" % (name, name))
            bento = {"Same": "`%s` (its own)" % name, "Alias": "`%s`" % target,
                     "Pow2": "`%s` = 2^value" % target, "Ignore": "ignored"}[action]
            answer = "" if reads == "None" else "`%s`" % (('"%s"' % value) if reads == "String" else value)
            rows.append("| `%s` | %s | %s | %s |" % (name, bento, answer, doc))
    return ["| jemalloc option | in bento | `opt.<name>` reads | what bento does |", "|---|---|---|---|"] + rows


def splice(path, tag, lines, write):
    text = open(path).read()
    begin, end = "<!-- %s:begin -->\n" % tag, "<!-- %s:end -->" % tag
    i, j = text.index(begin) + len(begin), text.index(end)
    want = "\n".join(lines) + "\n"
    if text[i:j] == want:
        return True
    if write:
        open(path, "w").write(text[:i] + want + text[j:])
        return True
    print("%s: the %s table differs from its source; run check_tables.py --write" % (path, tag))
    return False


def check_exit_codes(root):
    """doc/daemon.md's "Exit codes" table against ctl/exit_codes.h (checked, not generated)."""
    src = open(root + "/ctl/exit_codes.h").read()
    codes = {name: int(v) for name, v in re.findall(r'^\s*(kExit\w+) = (\d+),', src, re.M)}
    want = {(codes[c], r) for r, c in re.findall(r'\{"(\w+)", (kExit\w+)\}', src)}
    doc = open(root + "/doc/daemon.md").read()
    table = doc[doc.index("### Exit codes"):]
    table = table[:table.index("\n#")]
    rows = re.findall(r'^\| (\d+) \|.*\|(.*)\|$', table, re.M)
    have = {(int(code), r) for code, reasons in rows for r in re.findall(r'`(\w+)`', reasons)}
    ok = True
    if sorted(int(c) for c, _ in rows) != sorted(codes.values()):
        print("doc/daemon.md: exit codes %s, ctl/exit_codes.h: %s" % (sorted(int(c) for c, _ in rows),
                                                                       sorted(codes.values())))
        ok = False
    if have != want:
        print("doc/daemon.md: exit code reasons differ from ctl/exit_codes.h: %s" % sorted(have ^ want))
        ok = False
    return ok


def main():
    root, mallctl_doc = sys.argv[1], sys.argv[2]
    write = "--write" in sys.argv
    ok = splice(root + "/doc/options.md", "options", option_rows(root), write)
    ok = splice(root + "/doc/stats.md", "stats", stat_rows(root), write) and ok
    ok = splice(root + "/doc/options.md", "jemalloc_options", jemalloc_rows(root), write) and ok
    tree = subprocess.run([mallctl_doc], capture_output=True, text=True, check=True).stdout
    ok = splice(root + "/doc/mallctl.md", "mallctl", tree.rstrip("\n").split("\n"), write) and ok
    ok = check_exit_codes(root) and ok
    print("check_tables: %s" % ("ok" if ok else "out of date"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
