#!/usr/bin/python3
"""Digests of the outputs of every shipped scenario and study point: the proof that a refactor
changes no number.

Runs every scenarios/*.json, and every grid point of every scenarios/studies/*.json at its first
seed (of the day-long studies in FIRST_POINTS_ONLY, their first points), and hashes jobs.csv, timeseries.csv, every other CSV the run wrote, and summary.json without
its wall-clock fields (wall_s, out_dir). Writes the digests as JSON, or compares them with a stored
file and names every run and file that changed.

  outputs_digest.py CLI SOURCE_DIR OUT_DIR --write tests/golden/outputs.json
  outputs_digest.py CLI SOURCE_DIR OUT_DIR --check tests/golden/outputs.json
"""
import argparse
import concurrent.futures
import hashlib
import itertools
import json
import os
import subprocess
import sys

WALL_CLOCK_KEYS = {"wall_s", "out_dir"}
# Studies whose points are long (a day of requests, tens of seconds each; a week of Philly): only their
# first N points are digested, so the check stays within CI's time; the shipped scenario they vary is
# digested, and tests/engine/test_hpa_runs.cpp checks the keys they vary.
FIRST_POINTS_ONLY = {"hpa-day": 0, "hpa-day-static": 0, "philly-ca": 2, "young-daly": 2, "network-fat-tree": 3}


def strip_wall_clock(value):
    if isinstance(value, dict):
        return {k: strip_wall_clock(v) for k, v in value.items() if k not in WALL_CLOCK_KEYS}
    if isinstance(value, list):
        return [strip_wall_clock(v) for v in value]
    return value


def runs(source_dir):
    """(name, scenario path, [--set arguments]) for every shipped scenario and study point."""
    scenarios = os.path.join(source_dir, "scenarios")
    out = []
    for f in sorted(os.listdir(scenarios)):
        if f.endswith(".json"):
            out.append((f[:-5], os.path.join(scenarios, f), []))
    studies = os.path.join(scenarios, "studies")
    for f in sorted(os.listdir(studies)):
        if not f.endswith(".json"):
            continue
        study = json.load(open(os.path.join(studies, f)))
        scenario = os.path.normpath(os.path.join(studies, study["scenario"]))
        fixed = [f"{k}={json.dumps(v)}" for k, v in sorted(study.get("set", {}).items())]
        # Axes in the sweep's plan order: each grid key, then each zip axis (its keys vary together).
        axes = [[[(k, v)] for v in values] for k, values in study.get("grid", {}).items()]
        zips = study.get("zip", [])
        for z in zips if isinstance(zips, list) else [zips]:
            keys = list(z)
            axes.append([list(zip(keys, values)) for values in zip(*(z[k] for k in keys))])
        for i, choice in enumerate(itertools.product(*axes)):
            if i >= FIRST_POINTS_ONLY.get(f[:-5], i + 1):
                break
            sets = fixed + [f"{k}={json.dumps(v)}" for pairs in choice for k, v in pairs]
            out.append((f"{f[:-5]}/{i}", scenario, sets))
    return out


def digest_run(cli, out_dir, run):
    name, scenario, sets = run
    run_dir = os.path.join(out_dir, name.replace("/", "-"))
    cmd = [cli, "run", scenario, "--out", run_dir, "--quiet", "--seed", "1"]
    for s in sets:
        cmd += ["--set", s]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        return name, {"error": f"exit {p.returncode}: {p.stderr.strip()[-400:]}"}
    digests = {}
    for f in sorted(os.listdir(run_dir)):
        path = os.path.join(run_dir, f)
        if f == "summary.json":
            data = json.dumps(strip_wall_clock(json.load(open(path))), sort_keys=True).encode()
        elif f.endswith(".csv"):
            data = open(path, "rb").read()
        else:
            continue  # run.json names paths, the commit, the machine and wall-clock times (docs/provenance.md)
        digests[f] = hashlib.sha256(data).hexdigest()
    return name, digests


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cli")
    ap.add_argument("source_dir")
    ap.add_argument("out_dir")
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write")
    mode.add_argument("--check")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
        got = dict(pool.map(lambda r: digest_run(a.cli, a.out_dir, r), runs(a.source_dir)))
    if a.write:
        with open(a.write, "w") as f:
            json.dump(got, f, indent=1, sort_keys=True)
            f.write("\n")
        print(f"wrote digests of {len(got)} runs to {a.write}")
        return 0
    want = json.load(open(a.check))
    problems = []
    for name in sorted(set(want) | set(got)):
        w, g = want.get(name), got.get(name)
        if w is None:
            problems.append(f"{name}: not in {a.check} (new scenario? rerun with --write)")
        elif g is None:
            problems.append(f"{name}: expected but not run (scenario removed?)")
        elif w != g:
            for f in sorted(set(w) | set(g)):
                if w.get(f) != g.get(f):
                    problems.append(f"{name}: {f} differs ({w.get(f, 'absent')[:12]} -> {g.get(f, 'absent')[:12]})")
    if problems:
        print("FAIL: outputs changed:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    print(f"{len(got)} runs: outputs byte-identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
