"""The quota rules of an aidcsim run (used by check_invariants.py when the scenario has a quota policy).

Reads summary.json's "quota" section (each ClusterQueue's, cohort's or tenant's configured quotas under
"config") and admissions.csv (one row per admission: the quota a job held from admitted_s to released_s,
empty = to the end of the run). Sweeping those intervals (releases before admissions at the same instant,
checked once all events of an instant are applied):

  * kueue: no ClusterQueue uses more of a flavor-resource than nominal + borrowing_limit; in every cohort
    tree the usage that reaches the root (each queue's usage beyond the quota it keeps for itself,
    nominal - lending_limit) stays within what the members lend (so no queue lends beyond its
    lending_limit and a cohort never uses more than its members' nominal quotas plus its own); a queue
    with no cohort never exceeds its nominal quota;
  * resource-quota: no tenant holds more than its hard limits;
  * every eviction's reason is one the configuration allows (InClusterQueue: within_cluster_queue is not
    Never; InCohortReclamation and InCohortReclaimWhileBorrowing: some queue of the cohort tree may reclaim,
    and for the latter borrow within the cohort; InCohortFairSharing: fair sharing is on;
    PodsReadyTimeout: wait_for_pods_ready is on);
  * jobs.csv: a started job was admitted no later than its start, and admission_delay_s +
    placement_delay_s = queue_delay_s.
"""
import csv
import math
import os

RESOURCES = ("gpus", "cpus", "mem_gib")
SCALE = {"gpus": 1000, "cpus": 1000, "mem_gib": 1024}  # integer units, as aidcsim counts
EPS = 1e-6


def _num(text):
    return None if text in (None, "") else float(text)


def _demand(row, exclusive):
    """What the job holds in quota units, or None when its row is unreadable (reported elsewhere)."""
    try:
        gpus = int(row["gpus"])
        milli = int(row["gpu_milli"]) if row.get("gpu_milli") else 1000
        if exclusive:
            milli = 1000
        return {"gpus": gpus * milli,
                "cpus": round(float(row.get("cpus") or 0) * 1000),
                "mem_gib": round(float(row.get("mem_gib") or 0) * 1024)}
    except (ValueError, TypeError, OverflowError):
        return None


def _amount(resource, value):
    return None if value is None else round(value * SCALE[resource])


def check_quota(run_dir, summary, rows, exclusive, v):
    quota = summary.get("quota")
    if not isinstance(quota, dict):
        v.add("summary.json: the scenario has a quota policy but summary.json has no \"quota\" section")
        return
    by_id = {row["job_id"]: row for row in rows}
    for row in rows:
        try:
            start, admitted = _num(row.get("start_s")), _num(row.get("admitted_s"))
            delays = [_num(row.get(k)) for k in ("admission_delay_s", "placement_delay_s", "queue_delay_s")]
        except ValueError:
            continue  # an unreadable number: the main checks report it
        if start is not None:
            if admitted is None:
                v.add(f"jobs.csv:{row['_line']}: job {row['job_id']} started at {start:g} but has no admitted_s")
            elif admitted > start + EPS:
                v.add(f"jobs.csv:{row['_line']}: job {row['job_id']} started at {start:g} before its admission at {admitted:g}")
            elif None not in delays:
                total = delays[0] + delays[1]
                if abs(total - delays[2]) > 3e-6:
                    v.add(f"jobs.csv:{row['_line']}: admission_delay_s + placement_delay_s = {total:g}, "
                          f"queue_delay_s = {row['queue_delay_s']}")
    path = os.path.join(run_dir, "admissions.csv")
    if not os.path.exists(path):
        v.add(f"{path}: missing (a quota policy writes one)")
        return
    with open(path, newline="", encoding="utf-8") as f:
        admissions = list(csv.DictReader(f))
    group_key = "queue" if quota.get("policy") == "kueue" else "tenant"
    events = []  # (time, order, +1/-1, admission)
    for line, a in enumerate(admissions, start=2):
        a["_line"] = line
        if a.get("job_id") not in by_id:
            v.add(f"admissions.csv:{line}: unknown job {a.get('job_id')}")
            continue
        a["_demand"] = _demand(by_id[a["job_id"]], exclusive)
        if a["_demand"] is None:
            continue
        released = a.get("released_s")
        try:
            times = [float(a.get("admitted_s"))] + ([] if released in ("", None) else [float(released)])
        except (ValueError, TypeError):
            times = [math.nan]
        if not all(math.isfinite(t) for t in times):
            v.add(f"admissions.csv:{line}: unreadable admitted_s / released_s")
            continue
        events.append((times[0], 1, 1, a))
        if len(times) > 1:
            events.append((times[1], 0, -1, a))
    events.sort(key=lambda e: (e[0], e[1]))
    if quota.get("policy") == "kueue":
        _check_kueue(quota, events, group_key, v)
    else:
        _check_resource_quota(quota, events, v)


def _check_resource_quota(quota, events, v):
    hard = {name: t.get("config", {}).get("hard", {}) for name, t in quota.get("tenants", {}).items()}
    used = {}
    reported = set()
    for i, (time, _, sign, a) in enumerate(events):
        u = used.setdefault(a.get("tenant"), {r: 0 for r in RESOURCES})
        for r in RESOURCES:
            u[r] += sign * a["_demand"][r]
        if sign < 0 and a.get("released_by") not in ("", "completed"):
            v.add(f"admissions.csv:{a['_line']}: resource-quota never evicts, but {a['job_id']} was released by {a.get('released_by')}")
        if i + 1 < len(events) and events[i + 1][0] == time:
            continue
        for tenant, u in used.items():
            for r in RESOURCES:
                limit = _amount(r, hard.get(tenant, {}).get(r))
                if limit is not None and u[r] > limit and (tenant, r) not in reported:
                    reported.add((tenant, r))
                    v.add(f"admissions.csv: tenant {tenant} holds {u[r] / SCALE[r]:g} {r} at t={time:g} s, "
                          f"over its ResourceQuota of {limit / SCALE[r]:g}")


def _check_kueue(quota, events, group_key, v):
    queues = quota.get("cluster_queues", {})
    cohorts = quota.get("cohorts", {})
    parent = {name: q["config"].get("cohort") for name, q in queues.items()}
    parent.update({name: c["config"].get("parent") for name, c in cohorts.items()})

    def limits(name, flavor, resource):
        node = queues.get(name) or cohorts.get(name)
        q = node["config"]["flavors"].get(flavor, {}).get(resource)
        if q is None:
            return None
        return (_amount(resource, q["nominal"]), _amount(resource, q.get("borrowing_limit")), _amount(resource, q.get("lending_limit")))

    def root(name):
        while parent.get(name):
            name = parent[name]
        return name

    children = {}
    for name, p in parent.items():
        if p:
            children.setdefault(p, []).append(name)

    def local_quota(name, fr, subtree):
        lim = limits(name, *fr)
        if lim is None or lim[2] is None:
            return 0
        return max(0, subtree - lim[2])

    def subtree_and_usage(name, fr, usage):
        """Kueue's SubtreeQuota and Usage of a node (resource_node.go)."""
        if name in queues:
            lim = limits(name, *fr)
            return (lim[0] if lim else 0), usage.get((name,) + fr, 0)
        lim = limits(name, *fr)
        quota_sum, used = (lim[0] if lim else 0), 0
        for child in children.get(name, []):
            s, u = subtree_and_usage(child, fr, usage)
            lq = local_quota(child, fr, s)
            quota_sum += s - lq
            used += max(0, u - lq)
        return quota_sum, used

    # Reasons the configuration allows, per cohort tree (by root) or queue.
    settings_ok = {"InCohortFairSharing": bool(quota.get("fair_sharing")),
                   "PodsReadyTimeout": bool(quota.get("wait_for_pods_ready"))}
    usage = {}
    frs = set()
    for i, (time, _, sign, a) in enumerate(events):
        name = a.get(group_key)
        if name not in queues:
            v.add(f"admissions.csv:{a['_line']}: unknown ClusterQueue {name}")
            continue
        for r in RESOURCES:
            if limits(name, a.get("flavor"), r) is None or a["_demand"][r] == 0:
                continue
            key = (name, a.get("flavor"), r)
            usage[key] = usage.get(key, 0) + sign * a["_demand"][r]
            frs.add((a.get("flavor"), r))
        if sign < 0 and a.get("released_by") not in ("", "completed"):
            _check_reason(a, queues, root, settings_ok, v)
        if i + 1 < len(events) and events[i + 1][0] == time:
            continue
        for (q, flavor, r), u in usage.items():
            nominal, borrowing, _ = limits(q, flavor, r)
            cap = nominal + borrowing if (borrowing is not None and parent.get(q)) else None
            if not parent.get(q):
                cap = nominal
            if cap is not None and u > cap:
                v.add(f"t={time:g} s: ClusterQueue {q} uses {u / SCALE[r]:g} {r} of flavor {flavor}, over nominal"
                      f" + borrowing_limit = {cap / SCALE[r]:g}")
        for top in {root(q) for q in queues if parent.get(q)}:
            for fr in frs:
                s, u = subtree_and_usage(top, fr, usage)
                if u > s:
                    v.add(f"t={time:g} s: cohort {top} uses {u / SCALE[fr[1]]:g} {fr[1]} of flavor {fr[0]} beyond what its "
                          f"members may lend ({s / SCALE[fr[1]]:g}: nominal quotas within their lending limits)")


def _check_reason(a, queues, root, settings_ok, v):
    why = a.get("released_by")
    q = a.get("queue")
    same_tree = [name for name in queues if root(name) == root(q)]
    policies = [queues[name]["config"]["preemption"] for name in same_tree]
    if why == "InClusterQueue":
        ok = queues[q]["config"]["preemption"]["within_cluster_queue"] != "Never"
    elif why == "InCohortReclamation":
        ok = any(p["reclaim_within_cohort"] != "Never" for name, p in zip(same_tree, policies) if name != q)
    elif why == "InCohortReclaimWhileBorrowing":
        ok = any(p["borrow_within_cohort"] != "Never" for name, p in zip(same_tree, policies) if name != q)
    elif why in settings_ok:
        ok = settings_ok[why]
    else:
        ok = False
    if not ok:
        v.add(f"admissions.csv:{a['_line']}: {a['job_id']} evicted for {why}, which the configuration does not allow")
