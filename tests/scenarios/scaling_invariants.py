"""The autoscaling rules of an aidcsim run (used by check_invariants.py when the run has a scaling.csv).

Each row of scaling.csv names a service of run.json's scenario.autoscaling.services with kind
`service`, or a node group of scenario.autoscaling.nodes.groups with kind `node_group`; its time is a
finite number, not before the previous row's; `from` and `to` are integers, different, `to` within
[min_replicas, max_replicas] for a service and [0, max] for a node group (a node that fails to come up
can take a group below its min); `from` is the count the object had (the previous row's `to`; first
a service's `replicas` clamped into its range, a group's `initial`, default its `min`); every row has a
reason.
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


def _groups(run_json):
    """name -> (0, max, initial size) of each node group in run.json."""
    scenario = run_json.get("scenario", {}) if isinstance(run_json, dict) else {}
    autoscaling = scenario.get("autoscaling") if isinstance(scenario, dict) else None
    nodes = autoscaling.get("nodes") if isinstance(autoscaling, dict) else None
    groups = nodes.get("groups") if isinstance(nodes, dict) else None
    out = {}
    for g in groups if isinstance(groups, list) else []:
        if isinstance(g, dict) and isinstance(g.get("name"), str):
            low = _number(g.get("min"), 0)
            out[g["name"]] = (0, _number(g.get("max"), 0), int(_number(g.get("initial"), low)))
    return out


def check_scaling(run_dir, run_json, v):
    path = os.path.join(run_dir, "scaling.csv")
    if not os.path.exists(path):
        return
    objects = {"service": _services(run_json), "node_group": _groups(run_json)}
    current = {(kind, name): start for kind, named in objects.items() for name, (_, _, start) in named.items()}
    last_time = None
    with open(path, newline="", encoding="utf-8") as f:
        for line, a in enumerate(csv.DictReader(f), start=2):
            obj, kind = a.get("object"), a.get("kind")
            where = f"scaling.csv:{line}: {obj}"
            if kind not in objects or obj not in objects[kind]:
                v.add(f"{where}: no such {kind} in run.json's autoscaling (services, or nodes.groups)")
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
            lo, hi, _ = objects[kind][obj]
            if low != current[(kind, obj)]:
                v.add(f"{where}: from {low}, but it had {current[(kind, obj)]}")
            if high == low or high < lo or high > hi:
                v.add(f"{where}: to {high}, expected a change within [{lo:g}, {hi:g}]")
            current[(kind, obj)] = high
            if not (a.get("reason") or "").strip():
                v.add(f"{where}: no reason")
