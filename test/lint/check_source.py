#!/usr/bin/env python3
"""Source rules that the compiler cannot check (style.md, doc/design.md):

1. Layers point one way: a file under src/<layer>/ includes only its own layer and the
   layers below it.
2. `#if` / `#ifdef` only in base/ and platform/ (elsewhere: `if constexpr`).
3. Nothing in src/ uses an allocating facility: std containers/strings/function,
   spdlog, fmt::format / fmt::print.

usage: check_source.py SRC_DIR
"""
import os
import re
import sys

ORDER = ["base", "platform", "config", "sizeclass", "chunk", "run", "arena", "tcache",
         "prof", "guard", "frontend", "stats", "mallctl", "daemon", "override"]
# The observability layers sit above the frontend in this order: stats (snapshot and
# report) < mallctl (the namespace) < daemon (serves both on a socket).
LEVEL = {name: i for i, name in enumerate(ORDER)}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/')
PREPROC_IF = re.compile(r'^\s*#\s*(if|ifdef|ifndef|elif)\b')
ALLOCATING = re.compile(r'\bstd::(vector|string|map|unordered_map|set|list|deque|function|'
                        r'shared_ptr|unique_ptr|make_shared|make_unique)\b|\bspdlog::|'
                        r'\bfmt::(format|print)\s*\(|std::back_inserter')


def main():
    src = sys.argv[1]
    problems = []
    for layer in sorted(os.listdir(src)):
        path = os.path.join(src, layer)
        if not os.path.isdir(path):
            continue
        if layer not in LEVEL:
            problems.append("src/%s: not a known layer (add it to check_source.py)" % layer)
            continue
        for name in sorted(os.listdir(path)):
            if not name.endswith((".h", ".cc", ".def")):
                continue
            rel = "src/%s/%s" % (layer, name)
            with open(os.path.join(path, name), encoding="utf-8") as f:
                lines = f.read().split("\n")
            for n, line in enumerate(lines, 1):
                code = line.split("//")[0]
                m = INCLUDE.match(code)
                if m:
                    target = m.group(1)
                    if target == "bento":  # the public header: for override/ only
                        if layer != "override":
                            problems.append("%s:%d: public header included below override/" % (rel, n))
                        continue
                    if target not in LEVEL:
                        problems.append("%s:%d: includes unknown layer %s" % (rel, n, target))
                    elif LEVEL[target] > LEVEL[layer]:
                        problems.append("%s:%d: %s (higher layer) included from %s" %
                                        (rel, n, target, layer))
                if PREPROC_IF.match(code) and layer not in ("base", "platform"):
                    if not code.strip().startswith("#pragma"):
                        problems.append("%s:%d: #if outside base/ and platform/" % (rel, n))
                if ALLOCATING.search(code):
                    problems.append("%s:%d: allocating facility in src/: %s" % (rel, n, line.strip()))
    for p in problems:
        print(p)
    print("check_source: %d problem(s)" % len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
