"""Shared loading, grouping, statistics and labels for aidcsim's analysis scripts.

Inputs are run directories (summary.json, jobs.csv, timeseries.csv, run.json, as `aidcsim run`
writes them) and sweep output directories (results.csv and sweep.json, as `aidcsim sweep` writes
them, with one run directory per point). Runs that differ only by seed form one group; the keys
that tell groups apart are found automatically (the scenario values that differ between the runs)
or named with --group-by.

Debian's python3-pandas (tables), python3-scipy (the Student-t quantile) and python3-matplotlib are used.
"""

from __future__ import annotations

import json
import math
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

import pandas as pd
import scipy.stats

DEFAULT_METRICS = [
    "jobs.completed",
    "jct_s.mean",
    "jct_s.p95",
    "queue_delay_s.mean",
    "queue_delay_s.p95",
    "slowdown.mean",
    "gpu_allocation",
    "makespan_s",
]

# Scenario keys that never define a group: they name or describe a run, or are the seed.
IGNORED_KEYS = {"seed", "description", "name"}


class InputError(Exception):
    """A problem with the directories given: reported as `error: ...` and exit 2."""


@dataclass
class Run:
    """One simulation run: its directory, its parameters and its headline metrics."""

    dir: str
    params: Dict[str, Any]  # flattened scenario values (runs) or sweep columns (sweeps), without seed
    seed: Optional[int]
    summary: Dict[str, Any] = field(default_factory=dict)
    row: Dict[str, Any] = field(default_factory=dict)  # the results.csv row (sweeps)
    source: str = ""  # the directory given on the command line

    def metric(self, dotted: str) -> Optional[float]:
        """The metric from results.csv when it has the column, else from summary.json; None if absent."""
        if dotted in self.row:
            return to_number(self.row[dotted])
        node: Any = self.summary
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return to_number(node)

    def file(self, name: str) -> Optional[str]:
        path = os.path.join(self.dir, name)
        return path if os.path.isfile(path) else None


def to_number(value: Any) -> Optional[float]:
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return float(value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def flatten(obj: Any, prefix: str = "") -> Dict[str, Any]:
    """{"a": {"b": 1}} -> {"a.b": 1}; lists and scalars are leaves."""
    out: Dict[str, Any] = {}
    if isinstance(obj, dict):
        for key, value in obj.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else key))
    elif prefix:
        out[prefix] = obj
    return out


def parse_cell(text: str) -> Any:
    """A results.csv cell back to a value: numbers become numbers, the rest stays text."""
    if text == "":
        return None
    try:
        value = json.loads(text)
        if isinstance(value, (int, float, bool)):
            return value
    except ValueError:
        pass
    return text


def _load_json(path: str) -> Dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise InputError(f"{path}: cannot read JSON: {e}") from e


def load_run_dir(path: str) -> Run:
    summary = _load_json(os.path.join(path, "summary.json"))
    params: Dict[str, Any] = {}
    seed = summary.get("seed")
    run_json = os.path.join(path, "run.json")
    if os.path.isfile(run_json):
        info = _load_json(run_json)
        scenario = info.get("scenario", {})
        params = {k: v for k, v in flatten(scenario).items() if k not in IGNORED_KEYS}
        params = {k: json.dumps(v) if isinstance(v, list) else v for k, v in params.items()}
        if "scenario_file" in info:
            params["scenario_file"] = info["scenario_file"]
        seed = info.get("seed", seed)
    return Run(dir=path, params=params, seed=seed, summary=summary, source=path)


def load_sweep_dir(path: str, with_summaries: bool = True) -> Tuple[List[Run], List[str], List[str]]:
    """Runs of a sweep (ok points only), its parameter columns and its metrics."""
    results = os.path.join(path, "results.csv")
    plan_path = os.path.join(path, "sweep.json")
    columns: List[str] = []
    metrics: List[str] = []
    if os.path.isfile(plan_path):
        plan = _load_json(plan_path)
        columns = list(plan.get("columns", []))
        metrics = list(plan.get("metrics", []))
    # Every cell as its text (parse_cell then reads it as the sweep wrote it: "007" stays text).
    table = pd.read_csv(results, dtype=str, keep_default_na=False)
    header = list(table.columns)
    rows = table.to_dict("records")
    if not columns:  # no sweep.json: the columns between point_id and the metrics are unknown
        fixed = {"point_id", "status", "exit_code", "error", "dir"}
        columns = [c for c in header if c not in fixed]
        metrics = []
    if not metrics:
        metrics = [c for c in header if c not in set(columns) | {"point_id", "status", "exit_code", "error", "dir"}]
    runs = []
    skipped = 0
    for row in rows:
        if row.get("status") != "ok":
            skipped += 1
            continue
        values = {c: parse_cell(row.get(c, "")) for c in columns}
        seed = values.pop("seed", None)
        run_dir = os.path.join(path, row.get("dir") or row["point_id"])
        summary: Dict[str, Any] = {}
        if with_summaries and os.path.isfile(os.path.join(run_dir, "summary.json")):
            summary = _load_json(os.path.join(run_dir, "summary.json"))
        runs.append(Run(dir=run_dir, params=values, seed=seed, summary=summary,
                        row={m: parse_cell(row.get(m, "")) for m in metrics}, source=path))
    if skipped:
        print(f"note: {results}: {skipped} point(s) not ok (failed or not run) are left out", file=sys.stderr)
    return runs, [c for c in columns if c != "seed"], metrics


@dataclass
class Inputs:
    runs: List[Run]
    metrics: List[str]  # the metrics the inputs name (sweep metrics), else DEFAULT_METRICS
    sweep_columns: List[str]


def load_inputs(paths: Sequence[str]) -> Inputs:
    runs: List[Run] = []
    metrics: List[str] = []
    columns: List[str] = []
    for path in paths:
        if os.path.isfile(os.path.join(path, "results.csv")):
            sweep_runs, sweep_columns, sweep_metrics = load_sweep_dir(path)
            runs += sweep_runs
            columns += [c for c in sweep_columns if c not in columns]
            metrics += [m for m in sweep_metrics if m not in metrics]
        elif os.path.isfile(os.path.join(path, "summary.json")):
            runs.append(load_run_dir(path))
        elif os.path.isdir(path):
            raise InputError(f"{path}: neither a run directory (summary.json) nor a sweep directory (results.csv)")
        else:
            raise InputError(f"{path}: no such directory")
    if not runs:
        raise InputError("no successful runs in the inputs")
    return Inputs(runs=runs, metrics=metrics or list(DEFAULT_METRICS), sweep_columns=columns)


def varying_keys(runs: Sequence[Run]) -> List[str]:
    """Parameters whose values differ between runs (seed excluded), in first-seen order."""
    keys: List[str] = []
    for run in runs:
        for k in run.params:
            if k not in keys:
                keys.append(k)
    out = []
    for k in keys:
        values = {json.dumps(r.params.get(k), sort_keys=True) for r in runs}
        if len(values) > 1:
            out.append(k)
    # A changed scenario file usually also changes other keys; keep it only when it alone tells runs apart.
    if "scenario_file" in out and len(out) > 1:
        out.remove("scenario_file")
    return out


@dataclass
class Group:
    key: Tuple[Any, ...]  # values of the group keys
    runs: List[Run]


def group_runs(runs: Sequence[Run], keys: Sequence[str]) -> List[Group]:
    """Runs with equal values of `keys`, in first-appearance order."""
    groups: Dict[str, Group] = {}
    for run in runs:
        values = tuple(run.params.get(k) for k in keys)
        ident = json.dumps(values, sort_keys=True, default=str)
        if ident not in groups:
            groups[ident] = Group(key=values, runs=[])
        groups[ident].runs.append(run)
    return list(groups.values())


def short_keys(keys: Sequence[str]) -> Dict[str, str]:
    """Last dotted component of each key, or the full key where two would collide."""
    last = [k.rsplit(".", 1)[-1] for k in keys]
    return {k: (k if last.count(l) > 1 else l) for k, l in zip(keys, last)}


def format_value(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"  # as the scenario file spells it
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and ("/" in value) and value.endswith((".xml", ".csv", ".json", ".gz")):
        return os.path.basename(value)
    return str(value)


def group_label(group: Group, keys: Sequence[str]) -> str:
    if not keys:
        return "all runs"
    if len(keys) == 1:
        return format_value(group.key[0])
    names = short_keys(keys)
    return ", ".join(f"{names[k]}={format_value(v)}" for k, v in zip(keys, group.key))


# ---------------------------------------------------------------------------------------------
# Derived parameters: quantities of a run's inputs that read better on an axis than the knob that set them.


def offered_load(run: Run) -> Optional[float]:
    """GPU demand over GPU capacity while the jobs arrive:

        sum over the jobs of jobs.csv of gpus x gpu_milli/1000 x duration_s
        / (gpus_total x (last submit_s - first submit_s))

    Every job of jobs.csv counts, whatever its state (the demand offered, not the work done); duration_s
    is the trace's run time and gpus_total the platform's GPUs (summary.json). Above 1, the jobs that arrive
    ask for more GPU-time than the cluster has while they arrive. None without jobs.csv, gpus_total, or an
    arrival span."""
    path = run.file("jobs.csv")
    gpus_total = run.metric("gpus_total")
    if not path or not gpus_total:
        return None
    jobs = pd.read_csv(path, usecols=lambda c: c in ("submit_s", "duration_s", "gpus", "gpu_milli"))
    if jobs.empty or not {"submit_s", "duration_s", "gpus"} <= set(jobs.columns):
        return None
    share = jobs["gpu_milli"].fillna(1000) / 1000.0 if "gpu_milli" in jobs else 1.0
    span_s = float(jobs["submit_s"].max() - jobs["submit_s"].min())
    if span_s <= 0:
        return None
    return float((jobs["gpus"] * share * jobs["duration_s"]).sum()) / (gpus_total * span_s)


# Name on the command line (plot.py --x) -> function of a run.
DERIVED_PARAMS = {"offered_load": offered_load}


# ---------------------------------------------------------------------------------------------
# Statistics: mean and Student-t confidence interval over the runs (seeds) of a group.


def t_quantile(p: float, df: float) -> float:
    """Quantile of Student's t distribution (scipy.stats.t)."""
    if not 0 < p < 1:
        raise ValueError("p must be in (0, 1)")
    return float(scipy.stats.t.ppf(p, df))


@dataclass
class Stat:
    n: int
    mean: Optional[float]
    std: Optional[float]  # sample standard deviation (n - 1)
    ci: Optional[float]  # half-width of the confidence interval; None when n < 2


def describe(values: Sequence[Optional[float]], confidence: float = 0.95) -> Stat:
    xs = pd.Series([v for v in values if v is not None], dtype="float64")
    n = len(xs)
    if n == 0:
        return Stat(0, None, None, None)
    mean = float(xs.mean())
    if n == 1:
        return Stat(1, mean, None, None)
    std = float(xs.std(ddof=1))
    ci = t_quantile(0.5 + confidence / 2, n - 1) * std / math.sqrt(n)
    return Stat(n, mean, std, ci)


# ---------------------------------------------------------------------------------------------
# Labels with units


_BASE_LABELS = {
    "jct_s": ("JCT", "s"),
    "queue_delay_s": ("Queueing delay", "s"),
    "slowdown": ("Slowdown", ""),
    "makespan_s": ("Makespan", "s"),
    "gpu_allocation": ("GPU allocation", "fraction"),
    "gpu_utilization": ("GPU utilization", "fraction"),
    "gpus_total": ("GPUs", ""),
    "wall_s": ("Wall time", "s"),
    "events": ("Events", ""),
    "energy_j": ("Energy", "J"),
    "jobs": ("Jobs", ""),
    "vm_migrations": ("VM migrations", ""),
}
# Fields that count things, whatever their parent's unit (energy_j.servers_powered_off).
_COUNT_FIELDS = {"servers_powered_off", "boots", "started", "completed", "jobs_moved", "rejected", "unfinished",
                 "submitted"}
_STAT_LABELS = {"mean": "mean", "p50": "median", "p95": "p95", "p99": "p99", "max": "max", "min": "min"}
_UNIT_SUFFIXES = [("_s", "s"), ("_j", "J"), ("_w", "W"), ("_bytes", "bytes"), ("_flops", "flop"), ("_gib", "GiB")]


def metric_label(dotted: str, with_unit: bool = True) -> str:
    """A readable label with its unit: "jct_s.p95" -> "JCT p95 (s)"."""
    parts = dotted.split(".")
    base, rest = parts[0], parts[1:]
    if base in _BASE_LABELS:
        name, unit = _BASE_LABELS[base]
    else:
        name, unit = base, ""
        for suffix, u in _UNIT_SUFFIXES:
            if base.endswith(suffix):
                name, unit = base[: -len(suffix)], u
                break
        name = name.replace("_", " ")
        name = name[:1].upper() + name[1:]
    if rest and rest[-1] in _COUNT_FIELDS:
        unit = ""
    elif rest and rest[-1] == "bytes":
        unit = "bytes"
    elif rest:
        for suffix, u in _UNIT_SUFFIXES:  # a field's own unit ("mean_s") wins
            if rest[-1].endswith(suffix):
                rest = rest[:-1] + [rest[-1][: -len(suffix)]]
                unit = u
                break
    words = [name] + [_STAT_LABELS.get(p, p.replace("_", " ")) for p in rest]
    label = " ".join(words)
    return f"{label} ({unit})" if with_unit and unit else label


_PARAM_LABELS = {"offered_load": "Offered load (GPU demand / capacity while the jobs arrive)"}


def param_label(key: str) -> str:
    """A readable axis label for a scenario path: "workload.jobs.time_scale" -> "Time scale"."""
    if key in _PARAM_LABELS:
        return _PARAM_LABELS[key]
    last = key.rsplit(".", 1)[-1]
    unit = ""
    for suffix, u in _UNIT_SUFFIXES:
        if last.endswith(suffix):
            last, unit = last[: -len(suffix)], u
            break
    text = last.replace("_", " ")
    text = text[:1].upper() + text[1:]
    return f"{text} ({unit})" if unit else text


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)
