#!/usr/bin/python3
"""Table and figure of the Philly-week quota study (scenarios/studies/philly-quota.json; make quota-study).

    analysis/quota_study.py SWEEP_OUT [--docs docs/quota.md --images docs/images]

Reads each point's summary.json under SWEEP_OUT and writes SWEEP_OUT/tables/quota.md (one row per quota
design: jobs, mean and p95 queueing delay, the worst VC's mean delay, borrowed GPU-hours, preemptions, GPU
allocation) and SWEEP_OUT/figures/quota_vc_delay.png (mean queueing delay per virtual cluster and design).
With --docs, the table and figure replace the part of the page between the "quota-study:begin" and
"quota-study:end" markers, and the figure is copied to --images.
"""
import csv
import json
import os

import matplotlib

import study_pages

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

BEGIN = "<!-- quota-study:begin: written by analysis/quota_study.py (make quota-study); edit the script, not this -->"
END = "<!-- quota-study:end -->"


def design_name(quota):
    """The quota design of a point, in words."""
    if quota.get("policy", "none") == "none":
        return "no quota"
    if not quota.get("cohort"):
        return "strict VC quotas"
    if (quota.get("preemption") or {}).get("reclaim_within_cohort", "Never") != "Never":
        return "VC quotas, borrowing + reclaim"
    return "VC quotas, borrowing"


def load(out):
    points = []
    for row in csv.DictReader(open(os.path.join(out, "results.csv"))):
        if row["status"] != "ok":
            raise SystemExit(f"{out}: point {row['point_id']} did not finish ({row['error']})")
        summary = json.load(open(os.path.join(out, row["dir"], "summary.json")))
        points.append((design_name(json.loads(row["quota"])), summary))
    return points


def hours(x):
    return "-" if x is None else f"{x:,.0f}"


def table(points):
    lines = ["| quota design | jobs completed | mean queueing delay (s) | p95 queueing delay (s) | worst VC's mean delay (s) "
             "| borrowed GPU-hours | preemptions | GPU allocation | simulation wall time (s) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, s in points:
        cohort = (s.get("quota") or {}).get("cohorts", {}).get("philly", {})
        worst = max((t["queue_delay_s"]["mean"] or 0, vc) for vc, t in s["tenants"].items())
        lines.append(f"| {name} | {s['jobs']['completed']:,} | {s['queue_delay_s']['mean']:,.0f} | {s['queue_delay_s']['p95']:,.0f} "
                     f"| {worst[0]:,.0f} ({worst[1]}) | {hours(cohort.get('borrowed_gpu_hours'))} "
                     f"| {cohort.get('preemptions', '-')} | {s['gpu_allocation']:.3f} | {s['wall_s']:.2f} |")
    return "\n".join(lines)


def figure(points, path):
    vcs = sorted(points[0][1]["tenants"], key=lambda vc: -points[1][1]["tenants"][vc]["queue_delay_s"]["mean"] if len(points) > 1 else vc)
    fig, ax = plt.subplots(figsize=(10, 4))
    width = 0.8 / len(points)
    for k, (name, s) in enumerate(points):
        ys = [(s["tenants"][vc]["queue_delay_s"]["mean"] or 0) / 60 for vc in vcs]
        ax.bar([i + k * width for i in range(len(vcs))], ys, width, label=name)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(vcs))])
    ax.set_xticklabels(vcs, rotation=45, ha="right")
    ax.set_xlabel("virtual cluster (Philly VC, the jobs' tenant), by delay under strict quotas; no bar: under 6 s")
    ax.set_yscale("log")
    ax.set_ylim(bottom=0.1)
    ax.set_ylabel("mean queueing delay (min, log)")
    ax.set_title("Philly week at 17x its arrival rate: queueing delay per virtual cluster under four quota designs")
    ax.legend()
    fig.tight_layout()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fig.savefig(path, dpi=120)


def main():
    a = study_pages.arguments(__doc__)
    points = load(a.out)
    fig = os.path.join(a.out, "figures", "quota_vc_delay.png")
    figure(points, fig)
    study_pages.publish(a, "quota.md", table(points), [(fig, "Mean queueing delay per virtual cluster under the four quota designs")],
                        BEGIN, END)


if __name__ == "__main__":
    main()
