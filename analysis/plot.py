#!/usr/bin/python3
"""Figures of aidcsim runs, as PNG and PDF, in one consistent style.

    analysis/plot.py RUN_DIR... [options]
    analysis/plot.py SWEEP_OUT [options]

Groups are formed as in compare.py (runs that differ only by seed are one group). Writes, when the
inputs have the data:

  cdf_jct          CDF of job completion time, completed jobs of every run of a group pooled
  cdf_queue_delay  CDF of queueing delay, likewise
  timeseries       GPU allocation and queue length over time (timeseries.csv), and power draw and
                   servers powered off when the runs report them; one run per group: the one with
                   the lowest seed
  METRIC_vs_PARAM  each metric against a swept numeric parameter (--x, default the first one that
                   varies), mean and 95% Student-t confidence interval over seeds as error bars,
                   one line per combination of the other parameters. --x offered_load puts each
                   run's offered load on the x axis (common.offered_load: GPU demand over capacity
                   while the jobs arrive), computed from its jobs.csv

OUT defaults to SWEEP_OUT/plots for one sweep directory, else ./plots.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Dict, List, Optional, Sequence, Tuple

import matplotlib

matplotlib.use("Agg")  # files only; no display needed
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402,F401
import pandas as pd  # noqa: E402

sys.dont_write_bytecode = True  # no __pycache__ inside the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

# Okabe-Ito: distinguishable with the common colour-vision deficiencies, and in greyscale print.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
LINESTYLES = ["-", "--", "-.", ":"]


def apply_style() -> None:
    plt.rcParams.update({
        "figure.figsize": (6.0, 3.8),
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "savefig.bbox": "tight",
        "font.size": 10,
        "axes.titlesize": 11,
        "axes.labelsize": 10,
        "legend.fontsize": 9,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "grid.linewidth": 0.6,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "legend.frameon": False,
        "lines.linewidth": 1.6,
        "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    })


def style_of(i: int) -> Dict[str, str]:
    return {"color": PALETTE[i % len(PALETTE)], "linestyle": LINESTYLES[(i // len(PALETTE)) % len(LINESTYLES)]}


def time_unit(max_seconds: float) -> Tuple[str, float]:
    """A readable unit for durations up to max_seconds: (name, seconds per unit)."""
    if max_seconds < 1000:
        return "s", 1.0
    if max_seconds < 36000:
        return "min", 60.0
    return "h", 3600.0


class Writer:
    def __init__(self, out: str, formats: Sequence[str]):
        self.out = out
        self.formats = formats
        self.written: List[str] = []
        os.makedirs(out, exist_ok=True)

    def save(self, fig, stem: str) -> None:
        for fmt in self.formats:
            path = os.path.join(self.out, f"{stem}.{fmt}")
            tmp = f"{path}.tmp.{os.getpid()}.{fmt}"
            fig.savefig(tmp, format=fmt)
            os.replace(tmp, path)
            self.written.append(path)
        plt.close(fig)


def legend_title(keys: Sequence[str]) -> Optional[str]:
    if not keys:
        return None
    names = common.short_keys(keys)
    return ", ".join(names[k].replace("_", " ") for k in keys)


def read_jobs(run: common.Run) -> Optional[pd.DataFrame]:
    path = run.file("jobs.csv")
    if not path:
        return None
    jobs = pd.read_csv(path, dtype={"job_id": str, "tenant": str})
    if "state" in jobs:
        jobs = jobs[jobs["state"] == "completed"]
    return jobs


def plot_cdfs(groups: List[common.Group], keys: Sequence[str], writer: Writer, title: str) -> None:
    for column, stem, name in (("jct_s", "cdf_jct", "Job completion time"),
                               ("queue_delay_s", "cdf_queue_delay", "Queueing delay")):
        series: List[Tuple[str, pd.Series]] = []
        for g in groups:
            frames = [read_jobs(r) for r in g.runs]
            values = [f[column].dropna() for f in frames if f is not None and column in f]
            if values:
                series.append((common.group_label(g, keys), pd.concat(values, ignore_index=True)))
        series = [(label, s) for label, s in series if len(s)]
        if not series:
            print(f"note: no jobs.csv with {column}: {stem} skipped", file=sys.stderr)
            continue
        top = max(float(s.max()) for _, s in series)
        unit, scale = time_unit(top)
        fig, ax = plt.subplots()
        positive = all(float(s.min()) > 0 for _, s in series)
        low = min(float(s.min()) for _, s in series)
        for i, (label, s) in enumerate(series):
            x = s.sort_values().to_numpy() / scale
            y = [(k + 1) / len(x) for k in range(len(x))]
            # Start at 0 on the smallest value, so the first step is drawn.
            ax.step([x[0]] + list(x), [0.0] + y, where="post", label=f"{label} ({len(x)} jobs)", **style_of(i))
        if positive and low > 0 and top / low > 100:
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.set_xlabel(f"{name} ({unit})")
        ax.set_ylabel("Fraction of completed jobs")
        ax.set_ylim(0, 1.02)
        ax.set_title(title or f"CDF of {name.lower()}")
        ax.legend(title=legend_title(keys), loc="lower right")
        writer.save(fig, stem)


def read_timeseries(run: common.Run) -> Optional[pd.DataFrame]:
    path = run.file("timeseries.csv")
    if not path:
        return None
    ts = pd.read_csv(path, dtype={"metric": str, "label": str}, keep_default_na=False, na_values={"value": [""]})
    return ts[ts["label"] == ""]


def plot_timeseries(groups: List[common.Group], keys: Sequence[str], writer: Writer, title: str) -> None:
    panels = [("gpu_allocation", "GPU allocation\n(fraction)", 1.0), ("queue_length", "Queue length\n(jobs)", 1.0)]
    data = []
    for g in groups:
        run = min(g.runs, key=lambda r: (r.seed is None, r.seed or 0))
        ts = read_timeseries(run)
        if ts is None or ts.empty:
            continue
        label = common.group_label(g, keys)
        if len(g.runs) > 1 and run.seed is not None:
            label += f" (seed {run.seed})"
        data.append((label, ts))
    if not data:
        print("note: no timeseries.csv: timeseries skipped", file=sys.stderr)
        return
    # Runs with energy data also get their power draw and powered-off servers (docs/energy.md).
    has = lambda metric: any((ts["metric"] == metric).any() for _, ts in data)
    if has("power_w"):
        panels.append(("power_w", "Power\n(kW)", 1e3))
    if has("servers_off") and any(ts[ts["metric"] == "servers_off"]["value"].max() > 0 for _, ts in data):
        panels.append(("servers_off", "Servers off", 1.0))
    top = max(float(ts["time_s"].max()) for _, ts in data)
    unit, scale = time_unit(top)
    fig, axes = plt.subplots(len(panels), 1, sharex=True, figsize=(6.0, 2.3 * len(panels)))
    for ax, (metric, ylabel, divisor) in zip(axes, panels):
        for i, (label, ts) in enumerate(data):
            s = ts[ts["metric"] == metric]
            if s.empty:
                continue
            ax.step(s["time_s"] / scale, s["value"] / divisor, where="post", label=label, linewidth=1.1, **style_of(i))
        ax.set_ylabel(ylabel)
        if metric != "gpu_allocation":
            ax.set_ylim(bottom=0)
        if metric in ("queue_length", "servers_off"):
            ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    axes[0].set_ylim(0, 1.05)
    axes[-1].set_xlabel(f"Simulated time ({unit})")
    axes[0].set_title(title or ("GPU allocation, queue length and power over time" if len(panels) > 2
                                else "GPU allocation and queue length over time"))
    axes[0].legend(title=legend_title(keys), loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.align_ylabels(axes)
    writer.save(fig, "timeseries")


def is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def same_partition(runs: List[common.Run], a: str, b: str) -> bool:
    pairs = {(repr(r.params.get(a)), repr(r.params.get(b))) for r in runs}
    return len(pairs) == len({p[0] for p in pairs}) == len({p[1] for p in pairs})


def plot_metric_vs_param(runs: List[common.Run], keys: Sequence[str], metrics: Sequence[str], x_key: Optional[str],
                         writer: Writer, title: str, confidence: float) -> None:
    if x_key is None:
        numeric = [k for k in keys if all(is_number(r.params.get(k)) for r in runs)]
        x_key = numeric[0] if numeric else None
    if x_key is None:
        if keys:
            print("note: no numeric parameter varies: metric-versus-parameter plots skipped "
                  "(name a parameter with --x)", file=sys.stderr)
        return
    # A parameter that x determines and that determines x (time_scale for offered_load) is the same axis.
    other = [k for k in keys if k != x_key and not same_partition(runs, k, x_key)]
    series = common.group_runs(runs, other)
    categorical = not all(is_number(r.params.get(x_key)) for r in runs)
    x_values = []
    for r in runs:
        if r.params.get(x_key) not in x_values:
            x_values.append(r.params.get(x_key))
    if not categorical:
        x_values.sort()
    for metric in metrics:
        fig, ax = plt.subplots()
        plotted = False
        for i, s in enumerate(series):
            points = common.group_runs(s.runs, [x_key])
            xs, ys, errs = [], [], []
            for p in points:
                stat = common.describe([r.metric(metric) for r in p.runs], confidence)
                if stat.mean is None:
                    continue
                x = p.key[0]
                xs.append(x_values.index(x) + (i - (len(series) - 1) / 2) * 0.08 if categorical else x)
                ys.append(stat.mean)
                errs.append(stat.ci or 0.0)
            if not xs:
                continue
            order = sorted(range(len(xs)), key=lambda k: xs[k])
            xs, ys, errs = [xs[k] for k in order], [ys[k] for k in order], [errs[k] for k in order]
            label = common.group_label(s, other) if other else None
            st = style_of(i)
            ax.errorbar(xs, ys, yerr=errs, marker="o", markersize=4, capsize=3, label=label, color=st["color"],
                        linestyle="none" if categorical else st["linestyle"])
            plotted = True
        if not plotted:
            plt.close(fig)
            continue
        if categorical:
            ax.set_xticks(range(len(x_values)))
            ax.set_xticklabels([common.format_value(v) for v in x_values])
        ax.set_xlabel(common.param_label(x_key))
        ax.set_ylabel(common.metric_label(metric))
        level = f"{confidence * 100:g}%"
        x_name = common.param_label(x_key).split(" (")[0]  # the axis label's name, without its unit or definition
        ax.set_title(title or f"{common.metric_label(metric, with_unit=False)} vs {x_name.lower()} "
                              f"(mean ± {level} CI)")
        if other:
            ax.legend(title=legend_title(other))
        writer.save(fig, f"{metric.replace('.', '_')}_vs_{x_key.rsplit('.', 1)[-1]}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("inputs", nargs="+", metavar="DIR", help="run directories, or sweep output directories")
    parser.add_argument("--out", help="output directory (default SWEEP_OUT/plots or ./plots)")
    parser.add_argument("--formats", default="png,pdf", help="comma-separated file formats (default png,pdf)")
    parser.add_argument("--metrics", help="metrics for the metric-versus-parameter plots (default: the sweep's)")
    parser.add_argument("--group-by", help="comma-separated parameters that define a group (default: those that vary)")
    parser.add_argument("--x", dest="x_key", help="the parameter on the x axis of metric-versus-parameter plots, "
                        "or offered_load (computed per run)")
    parser.add_argument("--confidence", type=float, default=0.95, help="confidence level of error bars (default 0.95)")
    parser.add_argument("--title", default="", help="a title for every figure instead of the default ones")
    parser.add_argument("--only", help="comma-separated subset of: cdf,timeseries,metrics")
    args = parser.parse_args(argv)

    try:
        if not 0 < args.confidence < 1:
            raise common.InputError(f"--confidence {args.confidence}: expected a level in (0, 1)")
        inputs = common.load_inputs(args.inputs)
        keys = [k.strip() for k in args.group_by.split(",")] if args.group_by else common.varying_keys(inputs.runs)
        metrics = [m.strip() for m in args.metrics.split(",")] if args.metrics else inputs.metrics
        if args.x_key in common.DERIVED_PARAMS:
            derive = common.DERIVED_PARAMS[args.x_key]
            for r in inputs.runs:
                r.params[args.x_key] = derive(r)
                if r.params[args.x_key] is None:
                    raise common.InputError(f"--x {args.x_key}: cannot compute it for {r.dir} (it needs jobs.csv "
                                            "and summary.json's gpus_total)")
        if args.x_key and all(args.x_key not in r.params for r in inputs.runs):
            known = sorted({p for r in inputs.runs for p in r.params})
            raise common.InputError(f"--x {args.x_key}: no run has this parameter; known: {', '.join(known)}")
        if args.x_key and args.x_key not in keys and args.x_key not in common.DERIVED_PARAMS:
            keys = keys + [args.x_key]
        only = set(args.only.split(",")) if args.only else {"cdf", "timeseries", "metrics"}
        unknown = only - {"cdf", "timeseries", "metrics"}
        if unknown:
            raise common.InputError(f"--only {','.join(sorted(unknown))}: expected cdf, timeseries or metrics")
        formats = [f.strip() for f in args.formats.split(",") if f.strip()]
        bad = [f for f in formats if f not in ("png", "pdf", "svg")]
        if bad or not formats:
            raise common.InputError(f"--formats {args.formats}: expected png, pdf or svg")
    except common.InputError as e:
        common.fail(str(e))
        return 2

    sweep_dirs = [p for p in args.inputs if os.path.isfile(os.path.join(p, "results.csv"))]
    out = args.out or (os.path.join(sweep_dirs[0], "plots") if len(sweep_dirs) == 1 and len(args.inputs) == 1
                       else "plots")
    apply_style()
    writer = Writer(out, formats)
    groups = common.group_runs(inputs.runs, keys)
    if "cdf" in only:
        plot_cdfs(groups, keys, writer, args.title)
    if "timeseries" in only:
        plot_timeseries(groups, keys, writer, args.title)
    if "metrics" in only:
        plot_metric_vs_param(inputs.runs, keys, metrics, args.x_key, writer, args.title, args.confidence)
    for path in writer.written:
        print(path)
    if not writer.written:
        print("note: nothing to plot", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
