#!/usr/bin/python3
"""Checks the invariants of an aidcsim run directory (jobs.csv, summary.json, run.json).

Usage: check_invariants.py RUN_DIR [--replay-exact]

  * every job appears exactly once, with a valid state (completed, rejected, unfinished);
  * completed jobs have a start and an end, end >= start >= submit; rejected jobs never started;
    unfinished jobs never ended;
  * queue_delay_s = start_s - submit_s and jct_s = end_s - submit_s (1e-6, plus the rounding of the
    three printed figures to 6 decimals);
  * a started job lists `gpus` distinct GPU hosts (or one server host when it asks for no GPU);
  * no GPU host is over-allocated at any instant: a sweep over the start and end events of every
    host in the `hosts` column sums what each job held in the ledger on each of its GPUs (the
    `gpu_milli_held` column; without it, gpu_milli, or a whole GPU, 1000, per job when run.json says
    the scenario's virtualization.gpu_sharing is exclusive); jobs still running at the end of the run
    (unfinished with a start) hold their GPUs to the end; the platform-wide sum stays within
    summary.json's gpus_total;
  * summary.json's job counts match jobs.csv;
  * with --replay-exact (exclusive GPUs, trace model): end_s - start_s = duration_s.

With a quota policy (run.json's scenario.quota), the quota rules of quota_invariants.py (beside this
file) are checked too: ClusterQueue and cohort limits, ResourceQuota limits, eviction reasons.

With inference services (a requests.csv), the request rules of service_invariants.py are checked too;
with alert rules (an alerts.csv), those of alert_invariants.py; with autoscaling (a scaling.csv), those of
scaling_invariants.py.

Preempted jobs (a `preemptions` column > 0) ran in pieces jobs.csv does not list; they are left out
of the allocation sweep and of the replay rule. Jobs whose VM was live-migrated (a `migrations`
column > 0) occupy, per migrations.csv, the first migration's from_hosts from their start to its end,
then each migration's to_hosts from its start (the destination is reserved while it runs) to the
next one's end or the job's end; their hosts chain must be consistent, and jobs.csv's hosts is the
last destination. They are left out of the replay rule (a migration slows them).

Exits 0 when every check holds, 1 with one line per violation on stderr otherwise, 2 on unusable input.
Python 3 standard library only.
"""
import csv
import json
import math
import os
import sys

STATES = {"completed", "rejected", "unfinished"}
csv.field_size_limit(1 << 30)  # preemption_reasons lists every eviction of a job
REQUIRED = ["job_id", "tenant", "submit_s", "start_s", "end_s", "queue_delay_s", "jct_s", "gpus", "gpu_milli",
            "state", "hosts"]
# Each figure is printed rounded to 6 decimals: a difference of two of them may be off by 1e-6 from
# the printed difference, on top of the 1e-6 we allow.
TOLERANCE = 1e-6 + 1.5e-6
MAX_REPORTED = 50


class Violations:
    def __init__(self):
        self.items = []

    def add(self, message):
        self.items.append(message)


def fail_input(message):
    print(f"check_invariants: {message}", file=sys.stderr)
    sys.exit(2)


def number(text):
    if text is None or text == "":
        return None
    value = float(text)
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"not a finite number: {text!r}")
    return value


def close(a, b):
    return abs(a - b) <= TOLERANCE + 1e-12 * max(abs(a), abs(b))


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        fail_input(f"{path}: file not found")
    except json.JSONDecodeError as e:
        fail_input(f"{path}: invalid JSON: {e}")


def gpu_sharing_of(run_json):
    scenario = run_json.get("scenario", {}) if isinstance(run_json, dict) else {}
    virtualization = scenario.get("virtualization") or {}
    return virtualization.get("gpu_sharing") or "exclusive"


def read_jobs(path):
    try:
        f = open(path, newline="", encoding="utf-8")
    except FileNotFoundError:
        fail_input(f"{path}: file not found")
    with f:
        reader = csv.DictReader(f)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            fail_input(f"{path}: missing column(s) {', '.join(missing)}; header is {reader.fieldnames}")
        rows = []
        for line, row in enumerate(reader, start=2):
            row["_line"] = line
            rows.append(row)
    return rows


def read_migrations(path, v):
    """job_id -> [(start_s, end_s, from_hosts, to_hosts)] of the migrations that moved it, by start."""
    moves = {}
    if not os.path.exists(path):
        return moves
    with open(path, newline="", encoding="utf-8") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            if row.get("job_moved") != "1":
                continue
            try:
                start, end = number(row["start_s"]), number(row["end_s"])
            except (ValueError, KeyError) as e:
                v.add(f"migrations.csv:{line}: unreadable row ({e})")
                continue
            if start is None or end is None or end < start - TOLERANCE:
                v.add(f"migrations.csv:{line}: start_s {row['start_s']!r} / end_s {row['end_s']!r} out of order")
                continue
            moves.setdefault(row["job_id"], []).append(
                (start, end, [h for h in row["from_hosts"].split(";") if h], [h for h in row["to_hosts"].split(";") if h]))
    for m in moves.values():
        m.sort(key=lambda x: x[0])
    return moves


def occupancy(where, start, stop, hosts, moves, v):
    """(host set, from, to) intervals of a job, following its migrations."""
    if not moves:
        return [(set(hosts), start, stop)]
    out = []
    holder, since = moves[0][2], start
    for i, (m_start, m_end, frm, to) in enumerate(moves):
        if frm != holder:
            v.add(f"{where}: migration at {m_start:g} leaves {';'.join(frm)}, but the job was on {';'.join(holder)}")
        out.append((set(holder), since, m_end))
        holder, since = to, m_start
    out.append((set(holder), since, stop))
    if holder != hosts:
        v.add(f"{where}: hosts is {';'.join(hosts)}, but its last migration moved it to {';'.join(holder)}")
    return out


def check(run_dir, replay_exact):
    jobs_path = os.path.join(run_dir, "jobs.csv")
    summary = load_json(os.path.join(run_dir, "summary.json"))
    run_json = load_json(os.path.join(run_dir, "run.json"))
    gpus_total = summary.get("gpus_total")
    if not isinstance(gpus_total, int) or gpus_total < 0:
        fail_input(f"{run_dir}/summary.json: gpus_total is {gpus_total!r}, expected a non-negative integer")
    sharing = gpu_sharing_of(run_json)
    exclusive = sharing == "exclusive"

    v = Violations()
    rows = read_jobs(jobs_path)
    seen = {}
    counts = {s: 0 for s in STATES}
    events = []  # (time, order, host, milli, job_id): order 0 = release, 1 = acquire (releases first)
    gpu_hosts = set()
    skipped_preempted = 0
    migrations = read_migrations(os.path.join(run_dir, "migrations.csv"), v)

    # The replica jobs of inference services (SERVICE/replica-K) count under services, not jobs.
    services = summary.get("services") if isinstance(summary.get("services"), dict) else {}

    def is_replica(job_id):
        service, sep, k = (job_id or "").rpartition("/replica-")
        return sep != "" and service in services and k.isdigit() and k.isascii()

    replica_rows = sum(1 for row in rows if is_replica(row["job_id"]))
    for row in rows:
        where = f"jobs.csv:{row['_line']}: job {row['job_id']!r}"
        job_id = row["job_id"]
        if job_id in seen:
            v.add(f"{where}: appears more than once (first on line {seen[job_id]})")
            continue
        seen[job_id] = row["_line"]
        state = row["state"]
        if state not in STATES:
            v.add(f"{where}: state {state!r} is not one of {', '.join(sorted(STATES))}")
            continue
        if not is_replica(job_id):
            counts[state] += 1
        try:
            submit = number(row["submit_s"])
            start = number(row["start_s"])
            end = number(row["end_s"])
            queue_delay = number(row["queue_delay_s"])
            jct = number(row["jct_s"])
            gpus = int(row["gpus"])
            gpu_milli = int(row["gpu_milli"])
            duration = number(row.get("duration_s"))
        except ValueError as e:
            v.add(f"{where}: unreadable number ({e})")
            continue
        if submit is None or submit < 0:
            v.add(f"{where}: submit_s is {row['submit_s']!r}, expected a number >= 0")
            continue
        if gpus < 0 or not 1 <= gpu_milli <= 1000:
            v.add(f"{where}: gpus={gpus} gpu_milli={gpu_milli} out of range")
            continue
        hosts = [h for h in row["hosts"].split(";") if h] if row["hosts"] else []

        if state == "completed" and (start is None or end is None):
            v.add(f"{where}: completed without start_s and end_s")
            continue
        if state == "rejected" and (start is not None or end is not None or hosts):
            v.add(f"{where}: rejected but has a start, an end or hosts")
            continue
        if state == "unfinished" and end is not None:
            v.add(f"{where}: unfinished but has end_s {end}")
            continue
        if end is not None and start is None:
            v.add(f"{where}: has end_s but no start_s")
            continue
        if start is not None and start < submit - TOLERANCE:
            v.add(f"{where}: starts at {start} before its submission at {submit}")
        if start is not None and end is not None and end < start - TOLERANCE:
            v.add(f"{where}: ends at {end} before it starts at {start}")

        # Derived columns.
        if start is None:
            if queue_delay is not None:
                v.add(f"{where}: queue_delay_s is {queue_delay} but the job never started")
        elif queue_delay is None or not close(queue_delay, start - submit):
            v.add(f"{where}: queue_delay_s is {row['queue_delay_s']!r}, expected start_s - submit_s = {start - submit:.6f}")
        if end is None:
            if jct is not None:
                v.add(f"{where}: jct_s is {jct} but the job never ended")
        elif jct is None or not close(jct, end - submit):
            v.add(f"{where}: jct_s is {row['jct_s']!r}, expected end_s - submit_s = {end - submit:.6f}")
        # A preempted job (the optional `preemptions` column) ran in several pieces that jobs.csv does not
        # list: its [start_s, end_s] is not one occupancy interval, so it is left out of the sweep.
        preempted = (row.get("preemptions") or "0") not in ("", "0")
        if preempted:
            skipped_preempted += 1
        moves = migrations.get(job_id, [])
        if len(moves) != int(row.get("migrations") or "0"):
            v.add(f"{where}: migrations is {row.get('migrations')!r}, but migrations.csv moved it {len(moves)} time(s)")
        if (replay_exact and not preempted and not moves and state == "completed" and duration is not None
                and not close(end - start, duration)):
            v.add(f"{where}: ran {end - start:.6f} s, expected exactly duration_s = {duration} (replay rule)")

        if start is None or preempted:
            continue
        if gpus == 0:
            if len(hosts) < 1:
                v.add(f"{where}: started without a server host in hosts")
            continue
        if len(hosts) != gpus or len(set(hosts)) != gpus:
            v.add(f"{where}: asks for {gpus} GPUs but hosts lists {len(hosts)} ({len(set(hosts))} distinct): {row['hosts']}")
        # What the mode took in the ledger (jobs.csv gpu_milli_held) when the run says so; else the
        # request (a whole GPU under exclusive).
        held = (row.get("gpu_milli_held") or "").strip()
        milli = int(held) if held else (1000 if exclusive else gpu_milli)
        if held and not 1 <= milli <= 1000:
            v.add(f"{where}: gpu_milli_held is {held}, expected 1..1000")
        stop = end if end is not None else math.inf  # still running when the run stopped
        for held_hosts, since, until in occupancy(where, start, stop, hosts, moves, v):
            for host in held_hosts:
                gpu_hosts.add(host)
                events.append((since, 1, host, milli, job_id))
                events.append((until, 0, host, -milli, job_id))

    # Sweep: at equal times releases come first (a GPU freed at t may be taken at t).
    events.sort(key=lambda e: (e[0], e[1]))
    held = {}
    total = 0
    reported_hosts = set()
    reported_total = False
    for time, _, host, delta, job_id in events:
        held[host] = held.get(host, 0) + delta
        total += delta
        if held[host] > 1000 and host not in reported_hosts:
            reported_hosts.add(host)
            v.add(f"host {host}: {held[host]} milli allocated at t={time:g} s (job {job_id!r} made it exceed 1000; "
                  f"gpu_sharing {sharing})")
        if total > 1000 * gpus_total and not reported_total:
            reported_total = True
            v.add(f"platform: {total / 1000:g} GPUs allocated at t={time:g} s, but summary.json says gpus_total = {gpus_total}")
    if len(gpu_hosts) > gpus_total:
        v.add(f"platform: jobs used {len(gpu_hosts)} distinct GPU hosts, but summary.json says gpus_total = {gpus_total}")

    # Counts against the summary.
    jobs_summary = summary.get("jobs", {})
    besides = f" besides {replica_rows} replica jobs" if replica_rows else ""
    if jobs_summary.get("submitted") != len(rows) - replica_rows:
        v.add(f"summary.json: jobs.submitted is {jobs_summary.get('submitted')}, jobs.csv has {len(rows) - replica_rows} rows{besides}")
    for state in sorted(STATES):
        if jobs_summary.get(state) != counts[state]:
            v.add(f"summary.json: jobs.{state} is {jobs_summary.get(state)}, jobs.csv has {counts[state]}")
    # Quota (quota_invariants.py, beside this file).
    scenario = run_json.get("scenario", {}) if isinstance(run_json, dict) else {}
    quota = scenario.get("quota") if isinstance(scenario, dict) else None
    if isinstance(quota, dict) and quota.get("policy", "none") != "none":
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import quota_invariants
        quota_invariants.check_quota(run_dir, summary, rows, exclusive, v)
    # Alert rules (alert_invariants.py, beside this file).
    if os.path.exists(os.path.join(run_dir, "alerts.csv")):
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import alert_invariants
        alert_invariants.check_alerts(run_dir, run_json, v)
    # Autoscaling (scaling_invariants.py, beside this file).
    if os.path.exists(os.path.join(run_dir, "scaling.csv")):
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import scaling_invariants
        scaling_invariants.check_scaling(run_dir, run_json, v)
    # Failures (failure_invariants.py, beside this file).
    if os.path.exists(os.path.join(run_dir, "failures.csv")):
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import failure_invariants
        failure_invariants.check_failures(run_dir, rows, v)
    # Inference services (service_invariants.py, beside this file).
    if os.path.exists(os.path.join(run_dir, "requests.csv")):
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import service_invariants
        service_invariants.check_services(run_dir, rows, v)
    return v, len(rows), skipped_preempted


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    flags = [a for a in argv[1:] if a.startswith("--")]
    unknown = [f for f in flags if f != "--replay-exact"]
    if len(args) != 1 or unknown:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    run_dir = args[0]
    v, count, skipped_preempted = check(run_dir, "--replay-exact" in flags)
    if v.items:
        print(f"check_invariants: {run_dir}: {len(v.items)} violation(s):", file=sys.stderr)
        for message in v.items[:MAX_REPORTED]:
            print(f"  {message}", file=sys.stderr)
        if len(v.items) > MAX_REPORTED:
            print(f"  ... and {len(v.items) - MAX_REPORTED} more", file=sys.stderr)
        return 1
    note = f"; {skipped_preempted} preempted jobs left out of the allocation sweep" if skipped_preempted else ""
    print(f"check_invariants: {run_dir}: ok ({count} jobs{note})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
