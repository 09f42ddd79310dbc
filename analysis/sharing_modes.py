#!/usr/bin/python3
"""The GPU-sharing modes side by side: one row per mode (exclusive, mps, time-slicing, mig).

    analysis/sharing_modes.py RUN_DIR... | SWEEP_OUT  [--window-s S] [--out DIR] [--name sharing_modes]
    analysis/sharing_modes.py --run [--sweep scenarios/studies/openb-sharing-modes.json]
                              [--aidcsim build/aidcsim] [--set KEY=VALUE]... [--jobs N] [--window-s S]
                              [--out DIR]

Inputs are run directories (`aidcsim run` outputs: summary.json, jobs.csv, run.json) and/or sweep
output directories; each run's mode is its resolved `virtualization.gpu_sharing` (run.json). With
--run, the sweep file is run first with `aidcsim sweep` into OUT/runs: a copy of it is written to
OUT/sweep.json with the scenario as an absolute path and the --set values added to its `set` (for
example `--set platform=/path/openb-a100.xml` when the build directory is not `build/`, or
`--set workload.jobs.limit=2000`); complete points are reused, as `aidcsim sweep` does.

Writes OUT/NAME.md (Markdown table) and OUT/NAME.csv (every figure at full precision), and prints
the Markdown. OUT defaults to the current directory. The output depends only on the runs' files
(no wall times), so the same runs give byte-identical tables.

Columns (G = the platform's GPUs, summary.json `gpus_total`; a job's interval is [start_s, end_s] of
jobs.csv, or [start_s, end of the run] for a job still running at the end):

  completed, rejected   job counts (summary.json)
  GPU allocation        time-weighted mean of the GPU capacity the ledger holds for jobs, as a fraction
                        of G: sum over jobs of milli/1000 x GPUs x time / (G x window). The milli a job
                        holds per GPU is jobs.csv's gpu_milli_held (what the simulator's ledger held);
                        for runs without that column it follows the mode (docs/gpu_sharing.md):
                        exclusive 1000; mps ceil(gpu_milli / oversubscription) for a fractional job;
                        time-slicing 1 for a single-GPU job (the trace has no gpu_mem_gib); static mig
                        floor(1000 k / K) of the smallest covering instance of the layout; whole GPUs
                        otherwise. Over the whole run this is summary.json's `gpu_allocation` (the CSV
                        has both, as a check).
  GPUs in use           fraction of GPU-time during which a GPU hosts at least one job (under
                        time-slicing the ledger holds 1 milli per pod, so this is the column to read).
  busy                  fraction of the GPU capacity computing the work the jobs asked for. A job's
                        work on each of its GPUs is gpu_milli/1000 x duration_s full-GPU-seconds (its
                        requested share for its trace run time: the replay rule). exclusive and mig
                        jobs run alone (on their GPUs, on their instance), at a constant rate: work /
                        (end_s - start_s - startup_s) from the end of their start-up (a dynamic MIG
                        reconfiguration) to their end. So under exclusive a fractional pod holds a
                        whole GPU but keeps only its share of it busy. mps and time-slicing GPUs are
                        shared: their fair sharing is replayed GPU by GPU from the jobs' starts (each
                        job capped at its share when fractional, max-min fair otherwise: SimGrid's
                        sharing on one host), which gives the exact busy time in any window and each
                        job's end; `reconstruction_error_s` in the CSV is the largest difference from
                        jobs.csv's end_s (a check of the simulator's sharing). Extra work from
                        interference_factor or context_switch_overhead is replayed but not counted
                        as busy.
  queue delay mean/p95, JCT mean   summary.json (completed jobs)
  slowdown_sharing mean/p95/max    jobs.csv, completed jobs (run_s / alone_s, docs/gpu_sharing.md)

The window of the three time-weighted columns is [first submission, first submission + --window-s]
(default 3600 s); --window-s 0 takes the whole run (first submission to last completion, as
summary.json). Percentiles are nearest-rank, as in summary.json.

Only the standard library (and common.py) is used.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import subprocess
import sys
from typing import Any, Dict, List, Optional, Sequence, Tuple

sys.dont_write_bytecode = True  # no __pycache__ inside the source tree
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import common  # noqa: E402

MODE_ORDER = ["exclusive", "mps", "time-slicing", "mig"]
DEFAULT_SWEEP = os.path.join(here, "..", "scenarios", "studies", "openb-sharing-modes.json")
WHOLE_GPU = 1000


# ---------------------------------------------------------------------------------------------
# The milli a job holds in the ledger, per mode (models/sharing/*.cpp)


def mig_compute_slices(gpu_model: str) -> int:
    return 4 if gpu_model.startswith("A30") else 7


def ledger_milli_function(virtualization: Dict[str, Any]):
    """f(gpus, gpu_milli) -> milli held on each of the job's GPUs."""
    mode = virtualization.get("gpu_sharing", "exclusive")

    def fractional(gpus: int, milli: int) -> bool:
        return gpus == 1 and milli < WHOLE_GPU

    if mode == "mps":
        over = float(virtualization.get("oversubscription", 1))
        return lambda gpus, milli: (min(max(math.ceil(milli / over - 1e-9), 1), WHOLE_GPU)
                                    if fractional(gpus, milli) else WHOLE_GPU)
    if mode == "time-slicing":
        # Admission by gpu_mem_gib, which jobs.csv does not carry: 1 milli when the trace has none (OpenB).
        return lambda gpus, milli: 1 if gpus == 1 else WHOLE_GPU
    if mode == "mig":
        # Instances of every listed model: (k / K, floor(1000 k / K)); a job takes the smallest covering one.
        instances = []
        layouts = virtualization.get("layouts") or {}
        if not isinstance(layouts, dict) or any(not isinstance(p, list) for p in layouts.values()):
            return None  # dynamic layouts: only jobs.csv's gpu_milli_held tells
        for model, profiles in sorted(layouts.items()):
            big_k = mig_compute_slices(model)
            for name in profiles:
                k = int(name.split("g.")[0])
                instances.append((k / big_k, WHOLE_GPU * k // big_k))
        instances.sort()

        def mig(gpus: int, milli: int) -> int:
            if not fractional(gpus, milli):
                return WHOLE_GPU
            for share, held in instances:
                if share + 1e-9 >= milli / WHOLE_GPU:
                    return held
            return WHOLE_GPU  # no covering instance: the job was rejected and holds nothing anyway
        return mig
    return lambda gpus, milli: WHOLE_GPU


# ---------------------------------------------------------------------------------------------
# One run


def number(text: str) -> Optional[float]:
    if text is None or text == "":
        return None
    x = float(text)
    return None if math.isnan(x) else x


def nearest_rank(values: Sequence[float], p: float) -> Optional[float]:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def covered_time(intervals: List[Tuple[float, float]], lo: float, hi: float) -> float:
    """Length of the union of the intervals within [lo, hi]."""
    total, cur_start, cur_end = 0.0, None, None
    for a, b in sorted(intervals):
        a, b = max(a, lo), min(b, hi)
        if b <= a:
            continue
        if cur_end is None or a > cur_end:
            if cur_end is not None:
                total += cur_end - cur_start
            cur_start, cur_end = a, b
        else:
            cur_end = max(cur_end, b)
    if cur_end is not None:
        total += cur_end - cur_start
    return total


def overlap(a: float, b: float, lo: float, hi: float) -> float:
    return max(0.0, min(b, hi) - max(a, lo))


class Piece:
    """One job's run on one GPU, for the fair-sharing reconstruction."""

    __slots__ = ("key", "start", "work", "cap", "useful", "left", "end")

    def __init__(self, key: int, start: float, work: float, cap: float, useful: float):
        self.key, self.start, self.work, self.cap, self.useful = key, start, work, cap, useful
        self.left = work
        self.end: Optional[float] = None


def water_fill(caps: Sequence[float]) -> List[float]:
    """Max-min fair shares of one GPU (capacity 1) under per-job caps (SimGrid's sharing on one host)."""
    order = sorted(range(len(caps)), key=lambda i: caps[i])
    rates = [0.0] * len(caps)
    capacity, left = 1.0, len(caps)
    for i in order:
        rates[i] = min(caps[i], capacity / left)
        capacity -= rates[i]
        left -= 1
    return rates


def fair_share_busy(pieces: List[Piece], lo: float, hi: float) -> float:
    """Replays the GPU's fair sharing from the pieces' starts and works; returns the useful GPU-seconds
    computed within [lo, hi] and sets each piece's end."""
    pieces = sorted(pieces, key=lambda p: (p.start, p.key))
    busy, t, i, active = 0.0, 0.0, 0, []
    while i < len(pieces) or active:
        if not active:
            t = max(t, pieces[i].start)
        while i < len(pieces) and pieces[i].start <= t:
            active.append(pieces[i])
            i += 1
        rates = water_fill([p.cap for p in active])
        step = min(p.left / r for p, r in zip(active, rates) if r > 0)
        t1 = min(t + step, pieces[i].start if i < len(pieces) else math.inf)
        busy += overlap(t, t1, lo, hi) * sum(p.useful * r for p, r in zip(active, rates))
        for p, r in zip(active, rates):
            p.left -= r * (t1 - t)
            if p.left <= 1e-9 * max(1.0, p.work):
                p.end = t1
        active = [p for p in active if p.end is None]
        t = t1
    return busy


def analyse(run: common.Run, window_s: float) -> Dict[str, Any]:
    summary = run.summary or common._load_json(os.path.join(run.dir, "summary.json"))
    info = common._load_json(os.path.join(run.dir, "run.json")) if run.file("run.json") else {}
    scenario = info.get("scenario", {})
    virtualization = scenario.get("virtualization") or {}
    mode = virtualization.get("gpu_sharing", "exclusive")
    held = ledger_milli_function(virtualization)
    jobs_path = run.file("jobs.csv")
    if not jobs_path:
        raise common.InputError(f"{run.dir}: no jobs.csv")
    gpus_total = int(summary["gpus_total"])

    with open(jobs_path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    submits = [number(r["submit_s"]) for r in rows]
    first = min(s for s in submits if s is not None) if rows else 0.0
    ends = [number(r["end_s"]) for r in rows if r["state"] == "completed"]
    run_end = max(ends) if ends else first
    # A run stopped at its horizon: jobs still running hold their GPUs up to the horizon.
    if summary.get("horizon_reached") and scenario.get("horizon_s") is not None:
        run_end = max(run_end, float(scenario["horizon_s"]))
    lo = first
    hi = first + window_s if window_s > 0 else run_end
    span_run = run_end - first
    span_win = hi - lo

    # Overheads that add work (extra, not useful): per co-runner on the GPU at the job's start.
    overhead = 0.0
    if mode == "mps":
        overhead = float(virtualization.get("interference_factor", 0))
    elif mode == "time-slicing":
        overhead = float(virtualization.get("context_switch_overhead", 0))
    shared = mode in ("mps", "time-slicing")

    alloc_run = alloc_win = busy_win = 0.0
    per_gpu: Dict[str, List[Tuple[float, float]]] = {}
    pieces: Dict[str, List[Piece]] = {}
    recorded_end: Dict[int, float] = {}
    slowdowns: List[float] = []
    for index, r in enumerate(rows):
        start = number(r["start_s"])
        gpus = int(r["gpus"])
        if start is None or gpus == 0:
            continue
        end = number(r["end_s"])
        if end is not None:
            recorded_end[index] = end
        end = run_end if end is None else end
        milli = int(r["gpu_milli"])
        share = milli / WHOLE_GPU
        # What the simulator's ledger held (jobs.csv gpu_milli_held); older runs: the mode's rule.
        held_text = (r.get("gpu_milli_held") or "").strip()
        if held_text:
            ledger = int(held_text) / WHOLE_GPU * gpus
        elif held is not None:
            ledger = held(gpus, milli) / WHOLE_GPU * gpus
        else:
            raise common.InputError(f"{run.dir}: dynamic MIG layouts need jobs.csv's gpu_milli_held column "
                                    "(written by this aidcsim version)")
        alloc_run += ledger * max(0.0, end - start)
        alloc_win += ledger * overlap(start, end, lo, hi)
        hosts = [h for h in r["hosts"].split(";") if h]
        for host in hosts:
            per_gpu.setdefault(host, []).append((start, end))
        if shared:
            # Each GPU's share of the job's work: its requested share for its trace run time (x the
            # overhead); capped at the share when fractional (mps, time-slicing), uncapped otherwise.
            fractional = gpus == 1 and milli < WHOLE_GPU
            for host in hosts:
                pieces.setdefault(host, []).append(
                    Piece(index, start, share * float(r["duration_s"]), share if fractional else 1.0, 1.0))
        elif r["state"] == "completed" and end > start:
            # Alone on its GPUs or its MIG instance, at a constant rate once its work started (after
            # startup_s: a dynamic MIG reconfiguration): exclusive keeps only the requested share of
            # its GPUs busy; a MIG instance computes the job's work W in its work time.
            work_start = min(end, start + (number(r.get("startup_s", "")) or 0.0))
            if end > work_start:
                busy_win += gpus * share * float(r["duration_s"]) * overlap(work_start, end, lo, hi) / (end - work_start)
    # mps and time-slicing: replay each GPU's fair sharing (co-runners counted at each start).
    reconstruction_error = 0.0
    if shared:
        for host, items in sorted(pieces.items()):
            items.sort(key=lambda p: (p.start, p.key))
            if overhead > 0:
                for n, p in enumerate(items):
                    co = sum(1 for q in items[:n] if q.start <= p.start and recorded_end.get(q.key, math.inf) > p.start)
                    if mode == "time-slicing" or p.cap < 1.0:
                        p.work *= 1 + overhead * co
                        p.left = p.work
                        p.useful = 1 / (1 + overhead * co)
            busy_win += fair_share_busy(items, lo, hi)
            for p in items:
                if p.key in recorded_end and p.end is not None:
                    reconstruction_error = max(reconstruction_error, abs(p.end - recorded_end[p.key]))
    fractional_slowdowns: List[float] = []
    for r in rows:
        s = number(r.get("slowdown_sharing", ""))
        if r["state"] == "completed" and s is not None:
            slowdowns.append(s)
            if int(r["gpus"]) == 1 and int(r["gpu_milli"]) < WHOLE_GPU:
                fractional_slowdowns.append(s)
    in_use = sum(covered_time(iv, lo, hi) for iv in per_gpu.values())

    def ratio(x: float, span: float) -> Optional[float]:
        return x / (gpus_total * span) if gpus_total > 0 and span > 0 else None

    jobs = summary["jobs"]
    layout = ""
    if mode == "mig":
        layouts = virtualization.get("layouts") or {}
        if isinstance(layouts, dict):
            layout = "; ".join(f"{m}: {'+'.join(p) if isinstance(p, list) else p}" for m, p in sorted(layouts.items()))
        else:
            layout = str(layouts)
        if virtualization.get("reconfigure_s"):
            layout += f" (reconfigure_s {virtualization['reconfigure_s']:g})"
    return {
        "mode": mode,
        "layout": layout,
        "dir": run.dir,
        "submitted": jobs["submitted"],
        "completed": jobs["completed"],
        "rejected": jobs["rejected"],
        "unfinished": jobs["unfinished"],
        "gpus_total": gpus_total,
        "window_s": span_win,
        "gpu_allocation": ratio(alloc_win, span_win),
        "gpus_in_use": ratio(in_use, span_win),
        "busy": ratio(busy_win, span_win),
        "gpu_allocation_run": ratio(alloc_run, span_run),
        "summary_gpu_allocation": summary.get("gpu_allocation"),
        "queue_delay_mean_s": summary["queue_delay_s"]["mean"],
        "queue_delay_p95_s": summary["queue_delay_s"]["p95"],
        "queue_delay_max_s": summary["queue_delay_s"]["max"],
        "jct_mean_s": summary["jct_s"]["mean"],
        "slowdown_sharing_mean": sum(slowdowns) / len(slowdowns) if slowdowns else None,
        "slowdown_sharing_p95": nearest_rank(slowdowns, 95),
        "slowdown_sharing_max": max(slowdowns) if slowdowns else None,
        "slowdown_sharing_above_1": sum(1 for s in slowdowns if s > 1 + 1e-6),
        "slowdown_sharing_fractional_mean": (sum(fractional_slowdowns) / len(fractional_slowdowns)
                                             if fractional_slowdowns else None),
        "reconstruction_error_s": reconstruction_error if shared else None,
        "makespan_s": summary.get("makespan_s"),
    }


# ---------------------------------------------------------------------------------------------
# Output

CSV_COLUMNS = ["mode", "layout", "submitted", "completed", "rejected", "unfinished", "gpus_total", "window_s",
               "gpu_allocation", "gpus_in_use", "busy", "gpu_allocation_run", "summary_gpu_allocation",
               "queue_delay_mean_s", "queue_delay_p95_s", "queue_delay_max_s", "jct_mean_s",
               "slowdown_sharing_mean", "slowdown_sharing_p95", "slowdown_sharing_max",
               "slowdown_sharing_above_1", "slowdown_sharing_fractional_mean", "reconstruction_error_s",
               "makespan_s", "dir"]


def fmt(x: Optional[float], decimals: int) -> str:
    if x is None:
        return "-"
    text = f"{x:,.{decimals}f}"
    return "0" if decimals == 0 and text == "-0" else text


def markdown(rows: List[Dict[str, Any]], window_s: float) -> str:
    header = ["mode", "completed", "rejected", "GPU allocation", "GPUs in use", "busy",
              "queue delay mean (s)", "queue delay p95 (s)", "JCT mean (s)",
              "slowdown_sharing mean", "p95", "max"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    for r in rows:
        mode = r["mode"] + (f" ({r['layout']})" if r["layout"] else "")
        cells = [mode, fmt(r["completed"], 0), fmt(r["rejected"], 0),
                 fmt(r["gpu_allocation"], 3), fmt(r["gpus_in_use"], 3), fmt(r["busy"], 3),
                 fmt(r["queue_delay_mean_s"], 2), fmt(r["queue_delay_p95_s"], 2), fmt(r["jct_mean_s"], 0),
                 fmt(r["slowdown_sharing_mean"], 3), fmt(r["slowdown_sharing_p95"], 3),
                 fmt(r["slowdown_sharing_max"], 3)]
        lines.append("| " + " | ".join(cells) + " |")
    note = (f"GPU allocation, GPUs in use and busy: time-weighted over the first {fmt(window_s, 0)} s after the "
            "first submission" if window_s > 0 else
            "GPU allocation, GPUs in use and busy: time-weighted over the whole run (first submission to last completion)")
    return "\n".join(lines) + "\n\n" + note + "; queueing delay, JCT and slowdown_sharing: completed jobs.\n"


def csv_value(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, float):
        return repr(round(x, 9))
    return str(x)


def mode_key(row: Dict[str, Any]) -> Tuple[int, str, str]:
    rank = MODE_ORDER.index(row["mode"]) if row["mode"] in MODE_ORDER else len(MODE_ORDER)
    return (rank, row["mode"], row["layout"] + "\0" + row["dir"])


# ---------------------------------------------------------------------------------------------
# --run: the sweep, with the --set values added


def run_sweep(args: argparse.Namespace) -> str:
    if not os.access(args.aidcsim, os.X_OK):
        common.fail(f"{args.aidcsim}: no aidcsim binary there (build it, or give --aidcsim)")
    sweep_path = os.path.abspath(args.sweep)
    with open(sweep_path, encoding="utf-8") as f:
        sweep = json.load(f)
    sweep["scenario"] = os.path.normpath(os.path.join(os.path.dirname(sweep_path), sweep["scenario"]))
    extra = dict(sweep.get("set") or {})
    for item in args.set:
        if "=" not in item:
            common.fail(f"--set {item}: expected KEY=VALUE")
        key, value = item.split("=", 1)
        try:
            extra[key] = json.loads(value)
        except ValueError:
            extra[key] = value
    if extra:
        sweep["set"] = extra
    os.makedirs(args.out, exist_ok=True)
    derived = os.path.join(args.out, "sweep.json")
    with open(derived + ".tmp", "w", encoding="utf-8") as f:
        json.dump(sweep, f, indent=2)
        f.write("\n")
    os.replace(derived + ".tmp", derived)
    runs_dir = os.path.join(args.out, "runs")
    command = [args.aidcsim, "sweep", derived, "--out", runs_dir, "--quiet"]
    if args.jobs:
        command += ["--jobs", str(args.jobs)]
    print("+ " + " ".join(command), file=sys.stderr)
    code = subprocess.call(command)
    if code != 0:
        common.fail(f"aidcsim sweep exited with {code}; see {runs_dir}/results.csv")
    return runs_dir


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="*", help="run directories and/or sweep output directories")
    parser.add_argument("--run", action="store_true", help="run the sweep first (into OUT/runs)")
    parser.add_argument("--sweep", default=DEFAULT_SWEEP, help="sweep file for --run (default: %(default)s)")
    parser.add_argument("--aidcsim", default=os.path.join(here, "..", "build", "aidcsim"),
                        help="the aidcsim binary for --run (default: build/aidcsim)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="with --run: a value added to the sweep's `set` (repeatable)")
    parser.add_argument("--jobs", "-j", type=int, default=0, help="with --run: points run at once")
    parser.add_argument("--window-s", type=float, default=3600.0,
                        help="window of the time-weighted columns from the first submission; 0 = whole run")
    parser.add_argument("--out", default=".", help="output directory (default: current directory)")
    parser.add_argument("--name", default="sharing_modes", help="output file stem (default: %(default)s)")
    args = parser.parse_args(argv)

    inputs = list(args.inputs)
    if args.run:
        inputs.append(run_sweep(args))
    if not inputs:
        parser.error("give run or sweep directories, or --run")
    try:
        loaded = common.load_inputs(inputs)
        rows = sorted((analyse(run, args.window_s) for run in loaded.runs), key=mode_key)
    except common.InputError as e:
        common.fail(str(e))
        return 2
    for r in rows:
        r["dir"] = os.path.relpath(r["dir"], args.out)
    os.makedirs(args.out, exist_ok=True)
    table = markdown(rows, args.window_s)
    md_path = os.path.join(args.out, args.name + ".md")
    csv_path = os.path.join(args.out, args.name + ".csv")
    with open(md_path + ".tmp", "w", encoding="utf-8") as f:
        f.write(table)
    os.replace(md_path + ".tmp", md_path)
    with open(csv_path + ".tmp", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for r in rows:
            writer.writerow([csv_value(r[c]) for c in CSV_COLUMNS])
    os.replace(csv_path + ".tmp", csv_path)
    print(table, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
