#!/usr/bin/python3
"""Table and figure of the Young/Daly study (scenarios/studies/young-daly.json; make failures-study).

    analysis/failures_study.py SWEEP_OUT [--docs docs/failures.md --images docs/images]

Reads the sweep's results.csv and each point's summary.json and run.json (the scenario's work, MTBF and
checkpoint cost), and compares the mean JCT at each checkpoint interval C with the exact expectation
for exponential failures of mean M, checkpoints of cost d, no repair or restart time: a segment of
C + d seconds (C of work, then its checkpoint) completes only if no failure comes within it, which
takes M (exp((C + d) / M) - 1) on average, so a job of W seconds of work in n = ceil(W / C) segments
(the last one L = W - (n - 1) C, without checkpoint) takes (n - 1) M (exp((C + d) / M) - 1) +
M (exp(L / M) - 1). Young's approximation of the best interval is sqrt(2 d M). Writes
SWEEP_OUT/tables/failures.md and SWEEP_OUT/figures/young_daly.png; with --docs, they replace the part of
the page between the "failures-study:begin" and "failures-study:end" markers.
"""
import csv
import json
import math
import os
from collections import defaultdict

import matplotlib

import study_pages

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

BEGIN = "<!-- failures-study:begin: written by analysis/failures_study.py (make failures-study); edit the script, not this -->"
END = "<!-- failures-study:end -->"
KEY = "workload.jobs.checkpoint_interval_s"


def expected_jct_s(work_s, mtbf_s, cost_s, interval_s):
    n = math.ceil(work_s / interval_s - 1e-9)
    last_s = work_s - (n - 1) * interval_s
    return (n - 1) * mtbf_s * math.expm1((interval_s + cost_s) / mtbf_s) + mtbf_s * math.expm1(last_s / mtbf_s)


def load(out):
    """interval -> the summaries of its points; and (work, MTBF, checkpoint cost) of the study's scenario."""
    by_interval, setting = defaultdict(list), None
    for row in csv.DictReader(open(os.path.join(out, "results.csv"))):
        if row["status"] != "ok":
            raise SystemExit(f"{out}: point {row['point_id']} did not finish ({row['error']})")
        point = os.path.join(out, row["dir"])
        by_interval[float(row[KEY])].append(json.load(open(os.path.join(point, "summary.json"))))
        if setting is None:
            scenario = json.load(open(os.path.join(point, "run.json")))["scenario"]
            works = {float(job["duration_s"]) for job in csv.DictReader(open(os.path.join(point, "jobs.csv")))}
            if len(works) != 1:
                raise SystemExit(f"{point}: the study's jobs should all have the same duration, found {sorted(works)}")
            setting = (works.pop(), scenario["failures"]["server"]["mtbf_s"], scenario["workload"]["jobs"]["checkpoint_cost_s"])
    return by_interval, setting


def main():
    args = study_pages.arguments(__doc__)
    by_interval, (work_s, mtbf_s, cost_s) = load(args.out)
    first = next(iter(by_interval.values()))[0]
    young_s = math.sqrt(2 * cost_s * mtbf_s)
    intervals = sorted(by_interval)
    rows = []
    for c in intervals:
        runs = by_interval[c]
        jct_h = [s["jct_s"]["mean"] / 3600 for s in runs]
        rows.append({"c": c, "jct_h": sum(jct_h) / len(jct_h), "low": min(jct_h), "high": max(jct_h),
                     "expected_h": expected_jct_s(work_s, mtbf_s, cost_s, c) / 3600,
                     "lost_h": sum(s["failures"]["lost_gpu_hours"] for s in runs) / len(runs) / s_jobs(runs[0]),
                     "goodput": sum(s["failures"]["goodput"] for s in runs) / len(runs),
                     "failures": sum(s["failures"]["jobs_hit"] for s in runs) / len(runs) / s_jobs(runs[0])})
    best = min(rows, key=lambda r: r["jct_h"])
    grid = [young_s * 10 ** (k / 100) for k in range(-150, 151)]
    exact_best = min(grid, key=lambda c: expected_jct_s(work_s, mtbf_s, cost_s, c))
    lines = [f"Jobs of {work_s / 3600:g} h of work, failures every {mtbf_s / 3600:g} h on average (exponential), checkpoints of "
             f"{cost_s:g} s; {len(by_interval[intervals[0]])} seeds x {s_jobs(first)} jobs per interval. Young's optimum "
             f"sqrt(2 d M) = {young_s:,.0f} s; the exact expectation is lowest at {exact_best:,.0f} s; the simulated mean JCT is "
             f"lowest at {best['c']:,.0f} s.", "",
             "| checkpoint interval | mean JCT (h), simulated | seeds' range (h) | expected (h) | simulated / expected | failures hitting a job | lost GPU-h per job | goodput |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {minutes(r['c'])} min | {r['jct_h']:.2f} | {r['low']:.2f}-{r['high']:.2f} | {r['expected_h']:.2f} | "
                     f"{r['jct_h'] / r['expected_h']:.4f} | {r['failures']:.1f} | {r['lost_h']:.2f} | {r['goodput']:.3f} |")
    text = "\n".join(lines)
    os.makedirs(os.path.join(args.out, "figures"), exist_ok=True)
    figure = os.path.join(args.out, "figures", "young_daly.png")
    fig, ax = plt.subplots(figsize=(7, 4))
    smooth = [c for c in grid if intervals[0] * 0.8 <= c <= intervals[-1] * 1.1]
    ax.plot([c / 60 for c in smooth], [expected_jct_s(work_s, mtbf_s, cost_s, c) / 3600 for c in smooth], color="tab:gray",
            label="expected (exponential failures, exact)")
    ax.errorbar([r["c"] / 60 for r in rows], [r["jct_h"] for r in rows],
                yerr=[[r["jct_h"] - r["low"] for r in rows], [r["high"] - r["jct_h"] for r in rows]], fmt="o", color="tab:blue",
                capsize=3, label="simulated mean JCT (range over seeds)")
    ax.axvline(young_s / 60, color="tab:red", linestyle="--", label=f"Young's optimum sqrt(2 d M) = {young_s / 60:.0f} min")
    ax.set_xscale("log")
    ax.set_xlabel("checkpoint interval (minutes, log scale)")
    ax.set_ylabel("mean job completion time (hours)")
    ax.set_title(f"{work_s / 3600:g} h jobs, a failure every {mtbf_s / 3600:g} h on average, {cost_s:g} s checkpoints")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(figure, dpi=120)
    study_pages.publish(args, "failures.md", text, [(figure, "Mean JCT against the checkpoint interval: simulated, expected, Young's optimum")],
                        BEGIN, END)


def minutes(seconds):
    m = seconds / 60
    return f"{m:.0f}" if abs(m - round(m)) < 1e-9 else f"{m:.1f}"


def s_jobs(summary):
    return summary["jobs"]["submitted"]


if __name__ == "__main__":
    main()
