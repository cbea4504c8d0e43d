#!/usr/bin/env python3
"""Runs one libFuzzer target for a bounded time on a scratch copy of its corpus, and says
how many inputs it executed and whether it found anything (a crash file, exit != 0).

usage: run_fuzzer.py FUZZER SEED_CORPUS_DIR SECONDS
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

fuzzer, seeds, seconds = sys.argv[1], sys.argv[2], sys.argv[3]
name = os.path.basename(fuzzer)
with tempfile.TemporaryDirectory() as tmp:
    corpus = os.path.join(tmp, "corpus")
    shutil.copytree(seeds, corpus)
    r = subprocess.run([fuzzer, "-max_total_time=" + seconds, "-rss_limit_mb=4096", "-timeout=20", "-max_len=2048",
                        "-artifact_prefix=" + tmp + "/", "-print_final_stats=1", corpus],
                       capture_output=True, text=True)
    runs = re.findall(r"Done (\d+) runs in (\d+) second", r.stderr)
    crashes = [f for f in os.listdir(tmp) if f.startswith(("crash-", "leak-", "timeout-", "oom-"))]
    grown = len(os.listdir(corpus))
    execs, secs = (runs[-1] if runs else ("?", seconds))
    print("%s: %s executions in %s s, corpus %d inputs, %d findings" % (name, execs, secs, grown, len(crashes)))
    if r.returncode != 0 or crashes:
        print(r.stderr[-4000:])
        for c in crashes:
            print("finding:", c, open(os.path.join(tmp, c), "rb").read()[:200])
        sys.exit(1)
