#!/usr/bin/python3
"""Table and figures of the consolidation study (scenarios/studies/philly-vm-consolidation.json; make
consolidation-study).

    analysis/consolidation_study.py SWEEP_OUT [--docs docs/runtimes.md --images docs/images]

Reads the sweep under SWEEP_OUT (consolidation off, and rounds every 30, 10 and 5 minutes; 3 seeds) and writes
into SWEEP_OUT/tables and SWEEP_OUT/figures:
  consolidation.md               one row per setting: mean ± 95% Student-t interval over the seeds of the energy,
                                 the mean queueing delay and JCT, the migrations and their mean duration;
  consolidation_interval.png     the study's point: energy and mean queueing delay against the interval
                                 (mean and 95% interval over the seeds), the migrations it takes;
  consolidation_timeseries.png   GPU allocation, queue, power draw and servers off over time for seed 1, zoomed
                                 on the burst of arrivals and the two days after it (where the settings part).
The sweep samples its monitor every hour; for the time series, seed 1 of each setting is run again with
monitoring.interval_s = --sample-s (600) through the Python module (python/aidcsim; the binary from --aidcsim,
$AIDCSIM_BIN or build/aidcsim) into SWEEP_OUT/timeseries/ (reused when complete): sampling changes no result.
With --docs, the table and figures replace the part of the page between the "consolidation-study:begin" and
"consolidation-study:end" markers, and the figures are copied to --images.
"""
import argparse
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

sys.dont_write_bytecode = True  # no __pycache__ inside the source tree
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "..", "python"))
import aidcsim  # noqa: E402
import common  # noqa: E402
import plot  # noqa: E402
import study_pages  # noqa: E402

BEGIN = ("<!-- consolidation-study:begin: written by analysis/consolidation_study.py (make consolidation-study); "
         "edit the script, not this -->")
END = "<!-- consolidation-study:end -->"
KEY = "virtualization.vm.consolidation"


def interval_min(value):
    """The consolidation interval in minutes; None when consolidation is off."""
    if isinstance(value, str) and value.startswith("{"):
        value = json.loads(value)
    if isinstance(value, dict):
        return value.get("interval_s", 600) / 60.0
    return None


def setting_name(value):
    minutes = interval_min(value)
    return "no consolidation" if minutes is None else f"consolidation every {minutes:g} min"


def short_name(value):
    minutes = interval_min(value)
    return "off" if minutes is None else f"{minutes:g}"


def load(out):
    runs, _, _ = common.load_sweep_dir(out)
    groups = common.group_runs(runs, [KEY])
    # Off first, then from the longest interval to the shortest: more and more consolidation.
    groups.sort(key=lambda g: (interval_min(g.key[0]) is not None, -(interval_min(g.key[0]) or 0)))
    return groups


def stat(group, metric):
    return common.describe([r.metric(metric) for r in group.runs])


def cell(s, scale=1.0, digits=0):
    if s.mean is None:
        return "-"
    text = f"{s.mean / scale:,.{digits}f}"
    return text if s.ci is None else f"{text} ± {s.ci / scale:,.{digits}f}"


def table(groups):
    lines = ["| setting | seeds | energy (MWh) | mean queueing delay (s) | mean JCT (s) | server power-offs "
             "| VM migrations | mean migration (s) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for g in groups:
        lines.append(" | ".join([
            f"| {setting_name(g.key[0])}", str(len(g.runs)),
            cell(stat(g, "energy_j.total"), 3.6e9, 2),
            cell(stat(g, "queue_delay_s.mean")),
            cell(stat(g, "jct_s.mean")),
            cell(stat(g, "energy_j.servers_powered_off")),
            cell(stat(g, "vm_migrations.completed")),
            cell(stat(g, "vm_migrations.mean_s"), 1, 1)]) + " |")
    lines.append("")
    lines.append("Mean ± half-width of the 95% Student-t confidence interval over the seeds (random placement).")
    return "\n".join(lines)


def interval_figure(groups, path):
    names = [short_name(g.key[0]) for g in groups]
    x = list(range(len(groups)))
    panels = [("energy_j.total", 3.6e9, "Energy (MWh)"),
              ("queue_delay_s.mean", 60.0, "Mean queueing delay (min)"),
              ("vm_migrations.completed", 1.0, "VM migrations")]
    fig, axes = plt.subplots(1, len(panels), figsize=(9.0, 3.2))
    for ax, (metric, scale, label) in zip(axes, panels):
        stats = [stat(g, metric) for g in groups]
        ys = [(s.mean or 0.0) / scale for s in stats]
        errs = [(s.ci or 0.0) / scale for s in stats]
        ax.errorbar(x, ys, yerr=errs, marker="o", markersize=5, capsize=3, color=plot.PALETTE[0], linestyle="-")
        ax.set_xticks(x)
        ax.set_xticklabels(names)
        ax.set_xlabel("Consolidation interval (min)")
        ax.set_ylabel(label)
        ax.set_ylim(bottom=0)  # from zero: the sizes of the changes read true
        if metric == "energy_j.total" and stats[0].mean:
            for xi, y, st in zip(x[1:], ys[1:], stats[1:]):
                ax.annotate(f"{(st.mean / stats[0].mean - 1) * 100:+.0f}%", (xi, y), textcoords="offset points",
                            xytext=(0, -14), ha="center", fontsize=8)
    seeds = min(len(g.runs) for g in groups)
    fig.suptitle(f"Consolidating more often saves energy and does not delay jobs (Philly week under VMs; "
                 f"mean and 95% CI over {seeds} seeds)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def timeseries_window(frames, hours_after_queue=48):
    """[start, end] in seconds: from time 0 to `hours_after_queue` hours after the last sample with a queue
    in any run: the burst of arrivals, and the power-off that follows it, where the settings part.
    Afterwards the runs keep their gap (a few more servers off with consolidation) for weeks while the last
    long jobs run alone: the totals of consolidation_interval.png count it."""
    start = min(0.0, min(float(ts["time_s"].min()) for _, ts in frames))
    queued = [ts[(ts["metric"] == "queue_length") & (ts["value"] > 0)]["time_s"] for _, ts in frames]
    last_queue = max([float(q.max()) for q in queued if len(q)] or [start])
    return start, last_queue + hours_after_queue * 3600.0


def sampled_runs(groups, out, sample_s, binary):
    """Seed 1 (the lowest) of each setting, run again with its monitor sampling every sample_s seconds."""
    runs = []
    for g in groups:
        point = min(g.runs, key=lambda r: r.seed or 0)
        target = os.path.join(out, "timeseries", os.path.basename(point.dir))
        if not os.path.isfile(os.path.join(target, "summary.json")):
            info = json.load(open(os.path.join(point.dir, "run.json")))
            value = g.key[0] if not isinstance(g.key[0], str) else json.loads(g.key[0])
            aidcsim.run(info["scenario_file"], overrides={KEY: value, "monitoring.interval_s": sample_s},
                        seed=point.seed, out=target, binary=binary)
        sampled = aidcsim.load_run(target)
        if sampled.summary.get("energy_j") != point.summary.get("energy_j"):
            raise SystemExit(f"{target}: sampling every {sample_s} s changed the energy of {point.dir}")
        runs.append((setting_name(g.key[0]), point.seed, sampled.timeseries))
    return runs


def timeseries_figure(runs, path, sample_s):
    frames = [(name, ts[ts["label"] == ""]) for name, _, ts in runs]
    start, end = timeseries_window(frames)
    panels = [("gpu_allocation", "GPU allocation\n(fraction)", 1.0), ("queue_length", "Queue length\n(jobs)", 1.0),
              ("power_w", "Power\n(kW)", 1e3), ("servers_off", "Servers off", 1.0)]
    fig, axes = plt.subplots(len(panels), 1, sharex=True, figsize=(7.0, 7.0))
    for ax, (metric, ylabel, divisor) in zip(axes, panels):
        for i, (name, ts) in enumerate(frames):
            s = ts[(ts["metric"] == metric) & (ts["time_s"] <= end + 3600)]
            ax.step(s["time_s"] / 3600.0, s["value"] / divisor, where="post", label=name, linewidth=1.3,
                    **plot.style_of(i))
        ax.set_ylabel(ylabel)
        ax.set_ylim(bottom=0)
    axes[0].set_xlim(start / 3600.0, end / 3600.0)
    axes[-1].set_xlabel("Simulated time (h)")
    axes[0].set_title(f"The burst of arrivals and the two days after it (seed {runs[0][1]}, "
                      f"sampled every {sample_s / 60:g} min)")
    axes[0].legend(loc="upper right")
    fig.align_ylabels(axes)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--docs")
    parser.add_argument("--images", default="docs/images")
    parser.add_argument("--aidcsim", help="the aidcsim binary (default $AIDCSIM_BIN, else build/aidcsim)")
    parser.add_argument("--sample-s", type=float, default=600, help="monitor interval of the time-series runs")
    args = parser.parse_args()
    groups = load(args.out)
    plot.apply_style()
    figures_dir = os.path.join(args.out, "figures")
    os.makedirs(figures_dir, exist_ok=True)
    interval_png = os.path.join(figures_dir, "consolidation_interval.png")
    timeseries_png = os.path.join(figures_dir, "consolidation_timeseries.png")
    interval_figure(groups, interval_png)
    timeseries_figure(sampled_runs(groups, args.out, args.sample_s, args.aidcsim), timeseries_png, args.sample_s)
    study_pages.publish(args, "consolidation.md", table(groups), [
        (interval_png, "Energy, mean queueing delay and VM migrations against the consolidation interval "
                       "(mean and 95% confidence interval over the seeds)"),
        (timeseries_png, "GPU allocation, queue length, power draw and servers off during the burst of arrivals, "
                         "each consolidation setting, seed 1"),
    ], BEGIN, END)


if __name__ == "__main__":
    main()
