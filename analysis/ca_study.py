#!/usr/bin/python3
"""Table and figure of the Cluster Autoscaler study on a Philly week (scenarios/studies/philly-ca.json;
make ca-study).

    analysis/ca_study.py SWEEP_OUT ALL_UP_RUN NONE_UP_RUN [--docs docs/autoscaling.md --images docs/images]

Reads the sweep's results.csv and each point's summary.json (the node groups' gpu_hours), and two
baseline runs: the whole platform always up (scenarios/philly-fifo.json) and the node groups never up.
Writes SWEEP_OUT/tables/ca.md and SWEEP_OUT/figures/ca_week.png (mean queueing delay against the
GPU-hours the node groups were provisioned); with --docs, they replace the part of the page between the
"ca-study:begin" and "ca-study:end" markers, and the figure is copied to --images.
"""
import csv
import json
import os

import matplotlib

import study_pages

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

BEGIN = "<!-- ca-study:begin: written by analysis/ca_study.py (make ca-study); edit the script, not this -->"
END = "<!-- ca-study:end -->"


def figures_of(summary):
    nodes = summary.get("autoscaling", {}).get("nodes", {})
    return {"gpu_hours": sum(g["gpu_hours"] for g in nodes.values()),
            "scale_ups": sum(g["scale_ups"] for g in nodes.values()),
            "delay_min": summary["queue_delay_s"]["mean"] / 60, "delay_p95_min": summary["queue_delay_s"]["p95"] / 60,
            "jct_h": summary["jct_s"]["mean"] / 3600, "completed": summary["jobs"]["completed"],
            "span_h": summary["makespan_s"] / 3600 if "makespan_s" in summary else None}


def load(out):
    points, capacity = [], 0
    for row in csv.DictReader(open(os.path.join(out, "results.csv"))):
        if row["status"] != "ok":
            raise SystemExit(f"{out}: point {row['point_id']} did not finish ({row['error']})")
        summary = json.load(open(os.path.join(out, row["dir"], "summary.json")))
        capacity = sum(g["gpus_at_max"] for g in summary["autoscaling"]["nodes"].values())
        p = figures_of(summary)
        p.update(expander=row["autoscaling.nodes.expander"], unneeded_s=float(row["autoscaling.nodes.scale_down_unneeded_time_s"]))
        points.append(p)
    return sorted(points, key=lambda p: (p["expander"], p["unneeded_s"])), capacity


def duration(s):
    return f"{s / 60:g} min" if s < 3600 else f"{s / 3600:g} h"


def table(points, all_up, none_up):
    lines = ["| expander | scale_down_unneeded_time_s | burst GPU-hours | scale-ups | mean queueing delay (min) | p95 queueing delay (min) | mean JCT (h) |",
             "|---|---|---|---|---|---|---|"]
    for p in points:
        lines.append(f"| {p['expander']} | {duration(p['unneeded_s'])} | {p['gpu_hours']:,.0f} | {p['scale_ups']} | {p['delay_min']:.2f} "
                     f"| {p['delay_p95_min']:.1f} | {p['jct_h']:.2f} |")
    for name, p in (("the 25 racks always up (philly-fifo.json)", all_up), ("the 25 racks never up", none_up)):
        lines.append(f"| {name} | — | {p['gpu_hours']:,.0f} | — | {p['delay_min']:.2f} | {p['delay_p95_min']:.1f} | {p['jct_h']:.2f} |")
    return "\n".join(lines)


def figure(points, all_up, none_up, out):
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    colors = plt.get_cmap("tab10")
    markers = {"least-waste": "o", "most-pods": "s", "random": "^"}
    for k, expander in enumerate(sorted({p["expander"] for p in points})):
        series = [p for p in points if p["expander"] == expander]
        xs = [p["unneeded_s"] / 60 for p in series]
        style = dict(color=colors(k), marker=markers.get(expander, "o"), label=f"expander {expander}")
        axes[0].plot(xs, [p["gpu_hours"] for p in series], "-", **style)
        axes[1].plot(xs, [p["delay_min"] for p in series], "-", **style)
    axes[0].set_ylabel("GPU-hours of the 25 autoscaled racks")
    axes[0].set_title(f"burst capacity used (always up: {all_up['gpu_hours'] / 1e6:.2f} M GPU-hours)", fontsize=10)
    axes[1].axhline(none_up["delay_min"], color="black", linestyle="--", linewidth=1,
                    label=f"25 racks never up ({none_up['delay_min']:.1f} min)")
    axes[1].axhline(all_up["delay_min"], color="grey", linestyle=":", linewidth=1, label=f"25 racks always up ({all_up['delay_min']:.1f} min)")
    axes[1].set_ylabel("mean queueing delay (minutes)")
    axes[1].set_title("queueing delay", fontsize=10)
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("scale_down_unneeded_time_s (minutes, log)")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("Philly week, FIFO, 10 racks always up and 25 racks under the Cluster Autoscaler (nodes ready 300 s after a scale-up)",
                 fontsize=10)
    fig.tight_layout()
    path = os.path.join(out, "ca_week.png")
    fig.savefig(path, dpi=110)
    return path


def main():
    a = study_pages.arguments(__doc__, ("all_up", "none_up"))
    points, capacity = load(a.out)
    all_up = figures_of(json.load(open(os.path.join(a.all_up, "summary.json"))))
    # Always up: the 10 racks' GPUs for the whole run (from the first submission to the end).
    s = json.load(open(os.path.join(a.all_up, "summary.json")))
    all_up["gpu_hours"] = capacity * s["makespan_s"] / 3600
    none_up = figures_of(json.load(open(os.path.join(a.none_up, "summary.json"))))
    os.makedirs(os.path.join(a.out, "figures"), exist_ok=True)
    path = figure(points, all_up, none_up, os.path.join(a.out, "figures"))
    study_pages.publish(a, "ca.md", table(points, all_up, none_up),
                        [(path, "Mean queueing delay against the GPU-hours of the autoscaled racks, per expander and unneeded time")], BEGIN, END)


if __name__ == "__main__":
    main()
