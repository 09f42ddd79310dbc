"""Run aidcsim scenarios and sweeps from Python: summaries as dicts, outputs as pandas DataFrames.

    import sys; sys.path.insert(0, "CHECKOUT/python")      # or PYTHONPATH=CHECKOUT/python
    import aidcsim

    run = aidcsim.run("scenarios/quickstart.json", overrides={"scheduler.policy": "sjf"})
    run.summary["queue_delay_s"]["mean"]    # summary.json as a dict
    run.jobs                                # jobs.csv as a DataFrame (read on first use)

    sweep = aidcsim.sweep("scenarios/quickstart.json", grid={"scheduler.policy": ["fifo", "sjf"]}, seeds=2)
    sweep.points                            # one row per point: parameters, metrics, status, dir

The module drives the `aidcsim` binary (docs/cli.md): it computes nothing itself, so a run made here is
the run `aidcsim run` makes, file for file. The binary is the `binary` argument, else $AIDCSIM_BIN, else
build/aidcsim in this checkout, else `aidcsim` on PATH. Only the standard library and pandas are used
(Debian's python3-pandas). docs/python.md is the reference.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import weakref
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

import pandas as pd

__all__ = ["run", "sweep", "load_run", "load_sweep", "find_binary", "Run", "Sweep", "AidcsimError", "InputError",
           "SimulationError", "BinaryNotFound"]

PathLike = Union[str, "os.PathLike[str]"]

# This file is CHECKOUT/python/aidcsim/__init__.py: the checkout's own build is the default binary.
_CHECKOUT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Column types that pandas must not guess: ids and host lists stay text ("007" is not 7).
_TEXT_COLUMNS = {
    "jobs.csv": ["job_id", "tenant", "state", "hosts", "reason", "queue", "flavor", "preemption_reasons"],
    "requests.csv": ["service", "request_id", "replica", "state"],
    "timeseries.csv": ["metric", "label"],
}


class AidcsimError(Exception):
    """aidcsim failed. `message` is what it printed on stderr (its `error:` lines when it gave some),
    `returncode` its exit code, `command` the command line."""

    def __init__(self, message: str, returncode: Optional[int] = None, command: Sequence[str] = (),
                 stderr: str = ""):
        super().__init__(message)
        self.message = message
        self.returncode = returncode
        self.command = list(command)
        self.stderr = stderr


class InputError(AidcsimError):
    """Exit code 2: a bad scenario, override, sweep file or option. Nothing ran, no output was left."""


class SimulationError(AidcsimError):
    """Exit code 1 (or a signal): the run failed, or some points of a sweep did not finish (`sweep`
    then holds the Sweep with its results.csv, when the CLI wrote one)."""

    sweep: Optional["Sweep"] = None


class BinaryNotFound(AidcsimError, FileNotFoundError):
    """No aidcsim binary where it was looked for."""


def find_binary(binary: Optional[PathLike] = None) -> str:
    """The aidcsim binary: `binary`, else $AIDCSIM_BIN, else CHECKOUT/build/aidcsim, else `aidcsim` on PATH."""
    for candidate, source in ((binary, "the binary argument"), (os.environ.get("AIDCSIM_BIN"), "$AIDCSIM_BIN")):
        if candidate:
            path = os.fspath(candidate)
            if os.path.isfile(path) and os.access(path, os.X_OK):
                return os.path.abspath(path)
            raise BinaryNotFound(f"{path} (from {source}): no executable aidcsim there")
    default = os.path.join(_CHECKOUT, "build", "aidcsim")
    if os.path.isfile(default) and os.access(default, os.X_OK):
        return default
    on_path = shutil.which("aidcsim")
    if on_path:
        return on_path
    raise BinaryNotFound(f"no aidcsim binary: not at {default}, not on PATH; build it (make build), "
                         "or pass binary=... or set AIDCSIM_BIN")


def _set_args(overrides: Optional[Mapping[str, Any]]) -> List[str]:
    """{"scheduler.policy": "sjf"} -> ["--set", 'scheduler.policy="sjf"']: every value as JSON, so the CLI
    reads exactly the Python value (a string "1" stays a string)."""
    args: List[str] = []
    for key, value in (overrides or {}).items():
        args += ["--set", f"{key}={json.dumps(value, separators=(',', ':'))}"]
    return args


def _error_message(stderr: str, returncode: int) -> str:
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    if errors:
        return "\n".join(errors)
    text = stderr.strip()
    return text if text else f"aidcsim exited with code {returncode}"


def _call(command: List[str]) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode == 2:
        raise InputError(_error_message(result.stderr, 2), 2, command, result.stderr)
    return result


def _flatten(obj: Any, prefix: str = "") -> Dict[str, Any]:
    """{"a": {"b": 1}} -> {"a.b": 1}: the dotted paths sweeps and analysis/compare.py use."""
    out: Dict[str, Any] = {}
    if isinstance(obj, dict):
        for key, value in obj.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else key))
    elif prefix:
        out[prefix] = obj
    return out


def _temporary_dir(prefix: str) -> str:
    return tempfile.mkdtemp(prefix=prefix)


class _Outputs:
    """An output directory and the CLI's output. A temporary directory (run() or sweep() without out=)
    goes with the object: close(), the end of a `with` block, garbage collection or the interpreter's
    exit remove it."""

    def __init__(self, out_dir: PathLike, stdout: str, stderr: str, temporary: bool):
        self.out_dir = os.path.abspath(os.fspath(out_dir))
        self.stdout = stdout
        self.stderr = stderr
        self._cleanup = weakref.finalize(self, shutil.rmtree, self.out_dir, True) if temporary else None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Removes the output directory if it is a temporary one; else does nothing."""
        if self._cleanup is not None:
            self._cleanup()


class Run(_Outputs):
    """The outputs of one run, in `out_dir`. The CSV files are read when first asked for, then kept."""

    def __init__(self, out_dir: PathLike, stdout: str = "", stderr: str = "", temporary: bool = False):
        super().__init__(out_dir, stdout, stderr, temporary)
        self._frames: Dict[str, pd.DataFrame] = {}
        self._summary: Optional[Dict[str, Any]] = None
        self._run_info: Optional[Dict[str, Any]] = None

    def __repr__(self) -> str:
        return f"<aidcsim.Run {self.out_dir}>"

    def path(self, name: str) -> str:
        return os.path.join(self.out_dir, name)

    def files(self) -> List[str]:
        return sorted(os.listdir(self.out_dir))

    def _json(self, name: str) -> Dict[str, Any]:
        try:
            with open(self.path(name), encoding="utf-8") as f:
                return json.load(f)
        except FileNotFoundError:
            raise FileNotFoundError(f"{self.path(name)}: no {name} in this run directory") from None

    @property
    def summary(self) -> Dict[str, Any]:
        """summary.json as a dict (docs/outputs.md)."""
        if self._summary is None:
            self._summary = self._json("summary.json")
        return self._summary

    @property
    def info(self) -> Dict[str, Any]:
        """run.json as a dict: the resolved scenario, seed, versions."""
        if self._run_info is None:
            self._run_info = self._json("run.json")
        return self._run_info

    def metric(self, dotted: str) -> Any:
        """A summary value by its dotted path, as sweeps name metrics: run.metric("jct_s.p95")."""
        node: Any = self.summary
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                raise KeyError(f"{dotted}: not in {self.path('summary.json')}")
            node = node[part]
        return node

    def frame(self, name: str) -> pd.DataFrame:
        """Any CSV output of the run (alerts.csv, scaling.csv, migrations.csv, ...) as a DataFrame."""
        if name not in self._frames:
            path = self.path(name)
            if not os.path.isfile(path):
                present = ", ".join(f for f in self.files() if f.endswith(".csv")) or "none"
                raise FileNotFoundError(f"{path}: this run wrote no {name} (its CSV files: {present})")
            text_columns = {c: str for c in _TEXT_COLUMNS.get(name, [])}
            frame = pd.read_csv(path, dtype=text_columns, keep_default_na=False, na_values=[""])
            for column in text_columns:  # an empty text cell is the empty string (the total's label ""), not NaN
                if column in frame:
                    frame[column] = frame[column].fillna("")
            self._frames[name] = frame
        return self._frames[name]

    @property
    def jobs(self) -> pd.DataFrame:
        """jobs.csv: one row per job."""
        return self.frame("jobs.csv")

    @property
    def requests(self) -> pd.DataFrame:
        """requests.csv: one row per inference request (runs with workload.services only)."""
        return self.frame("requests.csv")

    @property
    def timeseries(self) -> pd.DataFrame:
        """timeseries.csv: one row per sample time and metric."""
        return self.frame("timeseries.csv")


class Sweep(_Outputs):
    """The outputs of one sweep, in `out_dir`: results.csv, and one run directory per point."""

    def __init__(self, out_dir: PathLike, stdout: str = "", stderr: str = "", temporary: bool = False):
        super().__init__(out_dir, stdout, stderr, temporary)
        self._points: Optional[pd.DataFrame] = None

    def __repr__(self) -> str:
        return f"<aidcsim.Sweep {self.out_dir}>"

    @property
    def plan(self) -> Dict[str, Any]:
        """OUT/sweep.json: the expanded plan (columns, metrics, points with their arguments)."""
        with open(os.path.join(self.out_dir, "sweep.json"), encoding="utf-8") as f:
            return json.load(f)

    @property
    def parameters(self) -> List[str]:
        """The swept `--set` paths (and `seed`), in the order of results.csv's columns."""
        return list(self.plan.get("columns", []))

    @property
    def results(self) -> pd.DataFrame:
        """OUT/results.csv as the CLI wrote it (dir relative to OUT)."""
        return pd.read_csv(os.path.join(self.out_dir, "results.csv"), dtype={"point_id": str, "error": str,
                                                                               "dir": str})

    @property
    def points(self) -> pd.DataFrame:
        """One row per point: point_id, the parameters, status, dir (absolute), then every number of the
        point's summary.json by its dotted path (jct_s.mean, jobs.completed, ...; empty for a point that
        did not finish)."""
        if self._points is None:
            results = self.results
            params = [c for c in self.parameters if c in results.columns]
            base = results[["point_id"] + params + ["status"]].copy()
            base["dir"] = [os.path.join(self.out_dir, d) for d in results["dir"].fillna(results["point_id"])]
            rows = []
            for status, directory in zip(base["status"], base["dir"]):
                summary_path = os.path.join(directory, "summary.json")
                if status == "ok" and os.path.isfile(summary_path):
                    with open(summary_path, encoding="utf-8") as f:
                        flat = _flatten(json.load(f))
                    rows.append({k: v for k, v in flat.items() if not isinstance(v, (list, str))
                                 and k not in ("seed", "scenario")})
                else:
                    rows.append({})
            summaries = pd.DataFrame(rows, index=base.index)
            self._points = pd.concat([base, summaries], axis=1)
        return self._points

    def runs(self) -> List[Run]:
        """The finished points as Run objects, in plan order."""
        ok = self.points[self.points["status"] == "ok"]
        return [Run(d) for d in ok["dir"]]


def _prepare_out(out: Optional[PathLike], prefix: str):
    if out is None:
        return _temporary_dir(prefix), True
    return os.path.abspath(os.fspath(out)), False


def run(scenario: PathLike, overrides: Optional[Mapping[str, Any]] = None, seed: Optional[int] = None,
        out: Optional[PathLike] = None, binary: Optional[PathLike] = None) -> Run:
    """Runs `aidcsim run SCENARIO [--set KEY=VALUE]... [--seed N] --out OUT --quiet` and returns its Run.

    overrides: `--set` values by dotted path ({"scheduler.policy": "sjf", "workload.jobs.limit": 100}); values are
          passed as JSON, so any JSON value (numbers, strings, lists, objects, None) works.
    out:  the output directory; without it, a temporary directory that the Run removes when closed.
    Raises InputError (exit 2, with the CLI's `error:` lines as its message) or SimulationError (exit 1).
    """
    command = [find_binary(binary), "run", os.fspath(scenario)] + _set_args(overrides)
    if seed is not None:
        command += ["--seed", str(int(seed))]
    out_dir, temporary = _prepare_out(out, "aidcsim-run-")
    command += ["--out", out_dir, "--quiet"]
    try:
        result = _call(command)
        if result.returncode != 0:
            raise SimulationError(_error_message(result.stderr, result.returncode), result.returncode, command,
                                  result.stderr)
    except BaseException:
        if temporary:
            shutil.rmtree(out_dir, ignore_errors=True)
        raise
    return Run(out_dir, result.stdout, result.stderr, temporary)


def sweep(scenario_or_sweep_file: PathLike, grid: Optional[Mapping[str, Iterable[Any]]] = None,
          seeds: Union[int, Sequence[int], None] = None, overrides: Optional[Mapping[str, Any]] = None,
          zipped: Optional[Mapping[str, Iterable[Any]]] = None, metrics: Optional[Sequence[str]] = None,
          out: Optional[PathLike] = None, jobs: Optional[int] = None, binary: Optional[PathLike] = None,
          check: bool = True) -> Sweep:
    """Runs `aidcsim sweep` and returns its Sweep.

    With `grid`, `zipped`, `seeds`, `overrides` or `metrics` (the sweep file's keys grid, zip, seeds, set and
    metrics: docs/sweeps.md) the first argument is a scenario and the sweep file is written for you (in a
    temporary directory, removed at once); without them the first argument is a sweep file.
    out:   the output directory (re-running into it skips finished points, as the CLI does); without it,
           a temporary directory that the Sweep removes when closed.
    jobs:  points run at once (the CLI's default: the number of cores).
    check: raise SimulationError when a point failed (its `sweep` attribute holds the Sweep); with
           check=False return the Sweep, whose points' `status` say which failed.
    Raises InputError on exit 2 (a bad sweep file, override or scenario).
    """
    binary_path = find_binary(binary)
    spec_dir = None
    source = os.fspath(scenario_or_sweep_file)
    described = any(v is not None for v in (grid, zipped, seeds, overrides, metrics))
    if described:
        spec: Dict[str, Any] = {"scenario": os.path.abspath(source), "grid": {k: list(v) for k, v in (grid or {}).items()}}
        if zipped:
            spec["zip"] = {k: list(v) for k, v in zipped.items()}
        if seeds is not None:
            spec["seeds"] = seeds if isinstance(seeds, int) else list(seeds)
        if overrides:
            spec["set"] = dict(overrides)
        if metrics:
            spec["metrics"] = list(metrics)
        spec_dir = tempfile.mkdtemp(prefix="aidcsim-sweep-spec-")
        sweep_file = os.path.join(spec_dir, "sweep.json")
        with open(sweep_file, "w", encoding="utf-8") as f:
            json.dump(spec, f, indent=2)
    else:
        sweep_file = source
    out_dir, temporary = _prepare_out(out, "aidcsim-sweep-")
    command = [binary_path, "sweep", sweep_file, "--out", out_dir, "--quiet"]
    if jobs is not None:
        command += ["--jobs", str(int(jobs))]
    try:
        try:
            result = _call(command)
        finally:
            if spec_dir:
                shutil.rmtree(spec_dir, ignore_errors=True)
        if result.returncode != 0 and not os.path.isfile(os.path.join(out_dir, "results.csv")):
            raise SimulationError(_error_message(result.stderr, result.returncode), result.returncode, command,
                                  result.stderr)
    except BaseException:
        if temporary:
            shutil.rmtree(out_dir, ignore_errors=True)
        raise
    outcome = Sweep(out_dir, result.stdout, result.stderr, temporary)
    if result.returncode != 0 and check:
        error = SimulationError(_error_message(result.stderr, result.returncode), result.returncode, command,
                                result.stderr)
        error.sweep = outcome
        raise error
    return outcome


def load_run(out_dir: PathLike) -> Run:
    """A Run for a directory that `aidcsim run` already wrote."""
    if not os.path.isfile(os.path.join(os.fspath(out_dir), "summary.json")):
        raise FileNotFoundError(f"{out_dir}: not a run directory (no summary.json)")
    return Run(out_dir)


def load_sweep(out_dir: PathLike) -> Sweep:
    """A Sweep for a directory that `aidcsim sweep` already wrote."""
    if not os.path.isfile(os.path.join(os.fspath(out_dir), "results.csv")):
        raise FileNotFoundError(f"{out_dir}: not a sweep directory (no results.csv)")
    return Sweep(out_dir)
