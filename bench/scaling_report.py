#!/usr/bin/python3
"""bench/scaling_report.py: tables (and a plot) from the raw lines of bench/scaling.

    bench/scaling_report.py RAW [--out STEM] [--label TEXT]

For each workload and thread count: the median ops/s of every allocator, and bento's
median over the best peer's (> 1: bento is ahead). Writes markdown to stdout, and to
STEM.md with STEM.png (one panel per workload, ops/s against threads) when --out is given.
A run that failed (timeout, crash) is listed, never counted.
"""
import argparse
import collections
import re
import statistics
import sys

ORDER = ["bento", "glibc", "jemalloc", "tcmalloc", "mimalloc"]
FIELD = re.compile(r"(\w+)=(\S+)")


def parse(path):
    header, runs, failed = [], collections.defaultdict(list), []
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                header.append(line[1:].strip())
                continue
            if not line.startswith("scaling "):
                continue
            kv = dict(FIELD.findall(line))
            key = (kv["workload"], int(kv["want"]), kv["alloc"])
            if kv.get("failed") == "1" or "ops_per_s" not in kv:
                failed.append(key)
            else:
                runs[key].append(float(kv["ops_per_s"]))
    return header, runs, failed


def millions(x):
    m = x / 1e6
    return f"{m:.0f}" if m >= 100 else f"{m:.3g}"


def tables(runs):
    workloads = list(dict.fromkeys(k[0] for k in runs))
    allocs = [a for a in ORDER if any(k[2] == a for k in runs)]
    medians = {k: statistics.median(v) for k, v in runs.items()}
    out = []
    for w in workloads:
        threads = sorted({k[1] for k in runs if k[0] == w})
        out.append(f"### {w}\n")
        out.append("| threads | " + " | ".join(allocs) + " | bento / best peer |")
        out.append("|---:|" + "---:|" * len(allocs) + "---:|")
        for t in threads:
            cells = [millions(medians[(w, t, a)]) if (w, t, a) in medians else "-" for a in allocs]
            peers = [medians[(w, t, a)] for a in allocs if a != "bento" and (w, t, a) in medians]
            ratio = "-"
            if (w, t, "bento") in medians and peers:
                ratio = f"{medians[(w, t, 'bento')] / max(peers):.2f}"
            out.append(f"| {t} | " + " | ".join(cells) + f" | {ratio} |")
        out.append("")
    return workloads, allocs, medians, "\n".join(out)


def plot(workloads, allocs, medians, png):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(python3-matplotlib missing: no plot)", file=sys.stderr)
        return
    cols = 4
    rows = (len(workloads) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3.2 * rows), squeeze=False)
    for i, w in enumerate(workloads):
        ax = axes[i // cols][i % cols]
        for a in allocs:
            pts = sorted((t, m) for (ww, t, aa), m in medians.items() if ww == w and aa == a)
            if pts:
                ax.plot([p[0] for p in pts], [p[1] / 1e6 for p in pts], marker="o", label=a)
        ax.set_title(w)
        ax.set_xscale("log", base=2)
        ax.set_xlabel("threads")
        ax.set_ylabel("M ops/s")
    for j in range(len(workloads), rows * cols):
        axes[j // cols][j % cols].axis("off")
    axes[0][0].legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(png, dpi=80)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("raw")
    ap.add_argument("--out", help="write STEM.md and STEM.png")
    ap.add_argument("--label", default="", help="a line naming the machine and command")
    args = ap.parse_args()
    header, runs, failed = parse(args.raw)
    if not runs:
        sys.exit(f"{args.raw}: no scaling runs")
    workloads, allocs, medians, body = tables(runs)
    reps = max(len(v) for v in runs.values())
    text = ["# Thread scaling", ""]
    if args.label:
        text += [args.label, ""]
    text += [f"Raw: `{args.raw}` ({sum(len(v) for v in runs.values())} runs, up to {reps} per cell)."]
    text += ["Machine and settings: " + "; ".join(header), ""] if header else [""]
    text += ["Median M ops/s per allocator; last column: bento's median over the best peer's.", ""]
    text.append(body)
    if failed:
        text.append("Failed runs (timed out or crashed, not counted): " +
                    ", ".join(f"{a} {w} x{t}" for w, t, a in failed))
    md = "\n".join(text) + "\n"
    sys.stdout.write(md)
    if args.out:
        with open(args.out + ".md", "w") as f:
            f.write(md)
        plot(workloads, allocs, medians, args.out + ".png")


if __name__ == "__main__":
    main()
