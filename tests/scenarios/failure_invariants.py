"""The failure rules of an aidcsim run (used by check_invariants.py when the run has a failures.csv).

failure-rows: each row of failures.csv has a finite time (not before the previous row's), a kind
`server` or `gpu`, a finite repair_s >= 0, and jobs_hit equal to the number of its job_ids, each a
job of jobs.csv. failure-hits: a job's `failures` in jobs.csv is the number of rows naming it, its
lost_gpu_s is a finite number >= 0, it was preempted at least as often as it failed, and a completed
hit job ended after its last failure (it restarted). failure-down: no job ran on a host while the host
was down, between a failure and the end of its repair (a server's failure covers its GPU hosts, named
`<server>-...`): a job neither preempted nor migrated over its whole [start_s, end_s] (to the end of the
run if unfinished), the others at their end_s (the last run's hosts).
"""
import csv
import math
import os


def _float(text):
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _int(text):
    try:
        return int(text or "")
    except ValueError:
        return None


def check_failures(run_dir, job_rows, v):
    """job_rows: jobs.csv's rows (csv.DictReader dicts with their _line), in order."""
    ids = {r.get("job_id") for r in job_rows}
    hits, last_hit, downs = {}, {}, []
    last_time = None
    with open(os.path.join(run_dir, "failures.csv"), newline="") as f:
        for line, a in enumerate(csv.DictReader(f), start=2):
            where = f"failures.csv:{line}: {a.get('host')}"
            t, repair, count = _float(a.get("time_s")), _float(a.get("repair_s")), _int(a.get("jobs_hit"))
            if t is None or repair is None or repair < 0 or count is None:
                v.add(f"{where}: unreadable time_s, repair_s or jobs_hit")
                continue
            if last_time is not None and t < last_time:
                v.add(f"{where}: at {t:g}, before the previous row ({last_time:g})")
            last_time = t
            if a.get("kind") not in ("server", "gpu"):
                v.add(f"{where}: kind {a.get('kind')!r}, expected server or gpu")
            named = [j for j in (a.get("job_ids") or "").split(";") if j]
            if count != len(named):
                v.add(f"{where}: jobs_hit is {count}, job_ids names {len(named)}")
            for j in named:
                if j not in ids:
                    v.add(f"{where}: job {j!r} is not in jobs.csv")
                hits[j] = hits.get(j, 0) + 1
                last_hit[j] = t
            downs.append((a.get("host") or "", t, t + repair))
    for r in job_rows:
        where = f"jobs.csv:{r['_line']}: job {r.get('job_id')!r}"
        failures, preemptions = _int(r.get("failures")), _int(r.get("preemptions") or "0")
        if failures is not None and failures != hits.get(r.get("job_id"), 0):
            v.add(f"{where}: failures is {failures}, failures.csv names it {hits.get(r.get('job_id'), 0)} times")
        lost = _float(r.get("lost_gpu_s"))
        if r.get("lost_gpu_s") is not None and (lost is None or lost < 0):
            v.add(f"{where}: lost_gpu_s is {r.get('lost_gpu_s')!r}, expected a finite number >= 0")
        if failures and preemptions is not None and preemptions < failures:
            v.add(f"{where}: preempted {preemptions} times, fewer than its {failures} failures")
        end = _float(r.get("end_s"))
        if r.get("state") == "completed" and end is not None and r.get("job_id") in last_hit and end <= last_hit[r.get("job_id")]:
            v.add(f"{where}: ended at {end:g}, not after its last failure at {last_hit[r.get('job_id')]:g}")
        start = _float(r.get("start_s"))
        if start is None:
            continue
        whole = (preemptions or 0) == 0 and (_int(r.get("migrations") or "0") or 0) == 0
        for host in [h for h in (r.get("hosts") or "").split(";") if h]:
            for down, t0, t1 in downs:
                if host != down and not host.startswith(down + "-"):
                    continue
                if whole and start < t1 and t0 < (end if end is not None else math.inf):
                    span = f"[{start:g}, {end:g}]" if end is not None else f"from {start:g} to the end"
                    v.add(f"{where}: ran on {host} over {span}, when {down} was down ({t0:g} to {t1:g})")
                elif not whole and end is not None and t0 < end < t1:
                    v.add(f"{where}: ended on {host} at {end:g}, when {down} was down ({t0:g} to {t1:g})")
