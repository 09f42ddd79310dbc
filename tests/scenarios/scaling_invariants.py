"""The autoscaling rules of an aidcsim run (used by check_invariants.py when the run has a scaling.csv).

Each row of scaling.csv names a service of run.json's scenario.autoscaling.services with kind
`service`, or a node group of scenario.autoscaling.nodes.groups with kind `node_group`; its time is a
finite number, not before the previous row's; `from` and `to` are integers, different, `to` within
[min_replicas, max_replicas] for a service and [0, max] for a node group (a node that fails to come up
can take a group below its min); `from` is the count the object had (the previous row's `to`; first
a service's `replicas` clamped into its range, a group's `initial`, default its `min`); every row has a
reason.

nodes.csv (with autoscaling.nodes) logs each node of a group: its first row, at the first scan, is `up`
(within the group's initial size) or `away`; then `requested` (from away), `ready` or `failed` (from
coming), `removed` (from up); rows in time order, groups of run.json. A job of jobs.csv on a host of
such a node ran only while the node was up: over its whole [start_s, end_s] (to the end of the run if
unfinished) for a job neither preempted nor migrated, else at its end_s (the last run's hosts).
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
    check_nodes(run_dir, run_json, v)


_AFTER = {"up": ("unknown", "up"), "away": ("unknown", "away"), "requested": ("away", "coming"),
          "ready": ("coming", "up"), "failed": ("coming", "away"), "removed": ("up", "away")}


def _node_intervals(run_dir, groups, v):
    """host -> (node, [(up_from, up_to)]) from nodes.csv (None when the run has none)."""
    path = os.path.join(run_dir, "nodes.csv")
    if not os.path.exists(path):
        return None
    state, since, node_of, ups, last_time = {}, {}, {}, {}, None
    with open(path, newline="", encoding="utf-8") as f:
        for line, a in enumerate(csv.DictReader(f), start=2):
            node, event = a.get("node"), a.get("event")
            where = f"nodes.csv:{line}: {node}"
            if a.get("group") not in groups:
                v.add(f"{where}: no such node group in run.json's autoscaling (nodes.groups)")
            try:
                t = float(a.get("time_s") or "nan")
            except ValueError:
                t = math.nan
            if not math.isfinite(t):
                v.add(f"{where}: unreadable time")
                continue
            if last_time is not None and t < last_time:
                v.add(f"{where}: at {t:g}, before the previous row ({last_time:g})")
            last_time = t
            if event not in _AFTER:
                v.add(f"{where}: unknown event {event!r}")
                continue
            had = state.get(node, "unknown")
            if had != _AFTER[event][0]:
                v.add(f"{where}: {event}, but it was {had}")
            state[node] = _AFTER[event][1]
            ups.setdefault(node, [])
            if state[node] == "up" and had != "up":
                since[node] = t
            elif had == "up" and state[node] != "up":
                ups[node].append((since.pop(node), t))
            for host in (a.get("hosts") or "").split(";"):
                if host:
                    node_of[host] = node
    for node, t in since.items():
        ups[node].append((t, math.inf))
    return {host: (node, ups[node]) for host, node in node_of.items()}


def check_nodes(run_dir, run_json, v):
    hosts = _node_intervals(run_dir, _groups(run_json), v)
    if hosts is None:
        return
    with open(os.path.join(run_dir, "jobs.csv"), newline="", encoding="utf-8") as f:
        for line, a in enumerate(csv.DictReader(f), start=2):
            try:
                start = float(a["start_s"]) if a.get("start_s") else None
                end = float(a["end_s"]) if a.get("end_s") else None
                whole = int(a.get("preemptions") or 0) == 0 and int(a.get("migrations") or 0) == 0
            except ValueError:
                continue  # the job rules report unreadable values
            if start is None:
                continue
            for host in (a.get("hosts") or "").split(";"):
                if host not in hosts:
                    continue
                node, ups = hosts[host]
                if whole:
                    to = end if end is not None else math.inf
                    if not any(u <= start and to <= d for u, d in ups):
                        span = f"[{start:g}, {end:g}]" if end is not None else f"from {start:g} to the end"
                        v.add(f"jobs.csv:{line}: {a.get('job_id')} ran on {host} (node {node}) over {span}, "
                              f"when the node was not up")
                elif end is not None and not any(u <= end <= d for u, d in ups):
                    v.add(f"jobs.csv:{line}: {a.get('job_id')} ended on {host} (node {node}) at {end:g}, "
                          f"when the node was not up")
