#!/usr/bin/env python3
"""The report at exit: a program that never calls bento prints it under LD_PRELOAD with
BENTO_CONF=stats_print:true; stats_print_opts:J gives JSON that python's json parses;
stats_print_file with %p gives each forked child its own file; a program that ends with
_exit prints nothing.

usage: exit_report_check.py LIBBENTO FORK_CHILDREN_BINARY
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

import check_support
from check_support import expect

LIB, FORKER = sys.argv[1], sys.argv[2]


def run(argv, conf):
    env = dict(os.environ, LD_PRELOAD=LIB, BENTO_CONF=conf)
    return subprocess.run(argv, env=env, capture_output=True, text=True)




r = run(["/usr/bin/python3", "-c", "x = [bytes(i) for i in range(5000)]"], "stats_print:true")
expect("text report at exit of python3 (never calls bento)",
       r.returncode == 0 and r.stderr.startswith("___ Begin bento statistics ___")
       and r.stderr.rstrip().endswith("--- End bento statistics ---"), r.stderr)
r = run(["/usr/bin/python3", "-c", "import json; json.dumps(list(range(100000)))"],
        "stats_print:true,stats_print_opts:J")
try:
    doc = json.loads(r.stderr)
    ok = doc["bento"]["version"] == 2 and doc["bento"]["stats"]["allocated"] >= 0
except Exception as e:  # noqa: BLE001
    ok = False
    r.stderr += " / " + str(e)
expect("JSON report at exit parses with python json", ok and r.returncode == 0, r.stderr)
# sort closes stderr in its own atexit handler (gnulib close_stdout): the report to stderr
# is lost quietly, and a file still works.
with tempfile.TemporaryDirectory() as tmp:
    r = run(["sort", "/etc/passwd"], "stats_print:true,stats_print_file:%s/sort.txt" % tmp)
    text = open(tmp + "/sort.txt").read() if os.path.exists(tmp + "/sort.txt") else ""
    expect("sort (closes its stderr) writes the report to a file",
           r.returncode == 0 and text.startswith("___ Begin bento statistics ___"), r.stderr)
r = run(["/usr/bin/python3", "-c", "import os; os._exit(0)"], "stats_print:true")
expect("a program that ends with _exit prints nothing", r.returncode == 0 and r.stderr == "", r.stderr)
with tempfile.TemporaryDirectory() as tmp:
    r = run([FORKER], "stats_print:true,stats_print_opts:J,stats_print_file:%s/stats.%%p.json" % tmp)
    files = sorted(glob.glob(tmp + "/stats.*.json"))
    parsed = 0
    for f in files:
        with open(f) as fh:
            parsed += "bento" in json.load(fh)
    expect("parent and 3 forked children each write their own file",
           r.returncode == 0 and len(files) == 4 and parsed == 4 and r.stderr == "",
           "files %s stderr %r" % ([os.path.basename(f) for f in files], r.stderr))
    r = run(["true"], "stats_print:true,stats_print_file:/nonexistent-dir/x")
    expect("an unwritable stats_print_file is one warning, not a crash",
           r.returncode == 0 and "cannot open '/nonexistent-dir/x'" in r.stderr, r.stderr)
sys.exit(check_support.exit_code())
