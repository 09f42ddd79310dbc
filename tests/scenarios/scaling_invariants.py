"""The autoscaling rules of an aidcsim run (used by check_invariants.py when the run has a scaling.csv).

Each row of scaling.csv names a service of run.json's scenario.autoscaling.services with kind
`service`; its time is a finite number, not before the previous row's; `from` and `to` are integers,
different, `to` within [min_replicas, max_replicas]; `from` is the count the service had (the previous
row's `to`, or for its first row its `replicas` clamped into the range); every row has a reason.
"""
import csv
import math
import os


def _number(value, default):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else default


def _services(run_json):
    """name -> (min, max, starting count) of each autoscaled service in run.json."""
    scenario = run_json.get("scenario", {}) if isinstance(run_json, dict) else {}
    autoscaling = scenario.get("autoscaling") if isinstance(scenario, dict) else None
    scaled = autoscaling.get("services") if isinstance(autoscaling, dict) else None
    workload = scenario.get("workload") if isinstance(scenario, dict) else None
    specs = workload.get("services") if isinstance(workload, dict) else None
    replicas = {}
    for s in specs if isinstance(specs, list) else []:
        if isinstance(s, dict) and isinstance(s.get("name"), str):
            replicas[s["name"]] = _number(s.get("replicas"), 1)
    out = {}
    for name, h in (scaled.items() if isinstance(scaled, dict) else []):
        if not isinstance(h, dict):
            continue
        low, high = _number(h.get("min_replicas"), 1), _number(h.get("max_replicas"), 1)
        out[name] = (low, high, int(min(max(replicas.get(name, 1), low), high)))
    return out


def check_scaling(run_dir, run_json, v):
    path = os.path.join(run_dir, "scaling.csv")
    if not os.path.exists(path):
        return
    services = _services(run_json)
    current = {name: start for name, (_, _, start) in services.items()}
    last_time = None
    with open(path, newline="", encoding="utf-8") as f:
        for line, a in enumerate(csv.DictReader(f), start=2):
            obj = a.get("object")
            where = f"scaling.csv:{line}: {obj}"
            if a.get("kind") != "service" or obj not in services:
                v.add(f"{where}: no such autoscaled service in run.json's autoscaling.services")
                continue
            try:
                t = float(a.get("time_s") or "nan")
                low, high = int(a.get("from") or ""), int(a.get("to") or "")
            except ValueError:
                v.add(f"{where}: unreadable time or replica counts")
                continue
            if not math.isfinite(t):
                v.add(f"{where}: unreadable time or replica counts")
                continue
            if last_time is not None and t < last_time:
                v.add(f"{where}: at {t:g}, before the previous row ({last_time:g})")
            last_time = t
            lo, hi, _ = services[obj]
            if low != current[obj]:
                v.add(f"{where}: from {low}, but the service had {current[obj]} replicas")
            if high == low or high < lo or high > hi:
                v.add(f"{where}: to {high}, expected a change within [min_replicas {lo:g}, max_replicas {hi:g}]")
            current[obj] = high
            if not (a.get("reason") or "").strip():
                v.add(f"{where}: no reason")
