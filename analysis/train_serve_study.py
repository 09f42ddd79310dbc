#!/usr/bin/python3
"""Table and figure of the training-and-inference study (scenarios/studies/train-and-serve.json; make train-serve-study).

    analysis/train_serve_study.py SWEEP_OUT [--docs docs/inference.md --images docs/images]

Reads each point's jobs.csv and summary.json under SWEEP_OUT. Training figures are those of the
training jobs alone (the service's replica jobs, NAME/replica-K, are left out); the service's figures
come from summary.json. Writes SWEEP_OUT/tables/train_serve.md and SWEEP_OUT/figures/train_serve.png
(training JCT against the service's SLO attainment, one point per design). With --docs, they replace
the part of the page between the "train-serve-study:begin" and "train-serve-study:end" markers, and the
figure is copied to --images.
"""
import csv
import json
import os

import matplotlib

import study_pages

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

BEGIN = "<!-- train-serve-study:begin: written by analysis/train_serve_study.py (make train-serve-study); edit the script, not this -->"
END = "<!-- train-serve-study:end -->"


def design_name(scheduler, quota):
    if quota.get("policy", "none") != "none":
        return "static split (4 servers serve, 28 train)"
    if scheduler.get("preemptive"):
        return "shared, priority with preemption"
    return "shared, priority without preemption"


def mean(xs):
    return sum(xs) / len(xs) if xs else float("nan")


def p95(xs):
    xs = sorted(xs)
    return xs[max(0, -(-95 * len(xs) // 100) - 1)] if xs else float("nan")  # nearest rank


def load(out):
    points = []
    for row in csv.DictReader(open(os.path.join(out, "results.csv"))):
        if row["status"] != "ok":
            raise SystemExit(f"{out}: point {row['point_id']} did not finish ({row['error']})")
        run = os.path.join(out, row["dir"])
        jobs = list(csv.DictReader(open(os.path.join(run, "jobs.csv"))))
        training = [j for j in jobs if "/replica-" not in j["job_id"] and j["state"] == "completed"]
        replicas = [j for j in jobs if "/replica-" in j["job_id"]]
        chat = json.load(open(os.path.join(run, "summary.json")))["services"]["chat"]
        points.append({
            "design": design_name(json.loads(row["scheduler"]), json.loads(row["quota"])),
            "jobs": len(training),
            "jct_h": mean([float(j["jct_s"]) for j in training]) / 3600,
            "delay_h": mean([float(j["queue_delay_s"]) for j in training]) / 3600,
            "delay_p95_h": p95([float(j["queue_delay_s"]) for j in training]) / 3600,
            "preemptions": sum(int(j["preemptions"]) for j in training),
            "replica_wait_s": [float(j["queue_delay_s"]) for j in replicas],
            "slo": chat["slo_attainment"], "ttft_p99": chat["ttft_s"]["p99"], "tbt_p99": chat["tbt_s"]["p99"],
            "requests": chat["requests"]["completed"],
        })
    return points


def table(points):
    lines = ["| design | training jobs | training JCT, mean (h) | queueing delay, mean / p95 (h) | preemptions of training jobs "
             "| replicas' wait for GPUs (s) | requests within the SLO | TTFT p99 (s) | TBT p99 (s) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for p in points:
        waits = ", ".join(f"{w:,.0f}" for w in sorted(p["replica_wait_s"]))
        lines.append(f"| {p['design']} | {p['jobs']:,} | {p['jct_h']:.2f} | {p['delay_h']:.2f} / {p['delay_p95_h']:.2f} "
                     f"| {p['preemptions']} | {waits} | {p['slo']:.1%} | {p['ttft_p99']:,.2f} | {p['tbt_p99']:.3f} |")
    return "\n".join(lines)


def figure(points, path):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for p in points:
        ax.scatter(p["jct_h"], 100 * p["slo"], s=60)
        ax.annotate(p["design"], (p["jct_h"], 100 * p["slo"]), textcoords="offset points", xytext=(8, -4), fontsize=9)
    lo = min(p["jct_h"] for p in points)
    hi = max(p["jct_h"] for p in points)
    ax.set_xlim(lo - 0.15 * (hi - lo + 0.1), hi + 0.9 * (hi - lo + 0.1))
    ax.set_ylim(-5, 105)
    ax.set_xlabel("training jobs' mean JCT (hours)")
    ax.set_ylabel("chat requests within the SLO (%)")
    ax.set_title("A day of Philly training and a 12-hour chat service\non 32 A100 servers: three ways to share them")
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fig.savefig(path, dpi=110)


def main():
    a = study_pages.arguments(__doc__)
    points = load(a.out)
    fig = os.path.join(a.out, "figures", "train_serve.png")
    figure(points, fig)
    study_pages.publish(a, "train_serve.md", table(points),
                        [(fig, "Training JCT against the chat service's SLO attainment, per design")], BEGIN, END)


if __name__ == "__main__":
    main()
