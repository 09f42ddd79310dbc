"""Checks `aidcsim export trace-events` output against the run it came from (tests/scenarios/test_trace_events.sh).

Usage: trace_events_check.py RUN_DIR TRACE.json gpu|server [MAX_REQUESTS]

What Perfetto's JSON importer needs (the keys of every event kind), then what the timeline must say:
every job that ran appears exactly once per GPU (or server) it used, with dur = end_s - start_s (split at
the switch-overs of live migrations), no two job slices overlap on one row, phases nest in their job,
every migration arrow has both ends, and the requests of requests.csv are there (sampled above the cap).
"""
import csv, json, math, os, re, sys
from collections import defaultdict

run_dir, trace_path, rows = sys.argv[1], sys.argv[2], sys.argv[3]
max_requests = int(sys.argv[4]) if len(sys.argv) > 4 else 20000
failures = []


def fail(msg):
    failures.append(msg)


with open(trace_path) as f:
    doc = json.load(f)  # valid JSON, or this raises
if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
    sys.exit("FAIL: not the JSON Object Format: no traceEvents list")
events = doc["traceEvents"]

# What the importer reads, per phase (Chrome's Trace Event Format document; Perfetto's json_trace_parser).
required = {"X": ("name", "ph", "ts", "dur", "pid", "tid"), "M": ("name", "ph", "pid", "args"),
            "s": ("name", "ph", "ts", "pid", "tid", "id"), "f": ("name", "ph", "ts", "pid", "tid", "id", "bp")}
for i, e in enumerate(events):
    ph = e.get("ph")
    if ph not in required:
        fail(f"event {i}: phase {ph!r} not one this exporter writes")
        continue
    for k in required[ph]:
        if k not in e:
            fail(f"event {i} ({ph}): missing {k!r}")
    for k in ("ts", "dur"):
        if k in e and (not isinstance(e[k], (int, float)) or e[k] < 0 or math.isnan(e[k])):
            fail(f"event {i}: {k} = {e[k]!r}, expected a number >= 0")
    for k in ("pid", "tid"):
        if k in e and not isinstance(e[k], int):
            fail(f"event {i}: {k} = {e[k]!r}, expected an integer")
    if ph == "M" and e["name"] in ("process_name", "thread_name") and not isinstance(e["args"].get("name"), str):
        fail(f"event {i}: {e['name']} without args.name")
    if ph == "M" and e["name"] == "thread_name" and "tid" not in e:
        fail(f"event {i}: thread_name without tid")

process = {e["pid"]: e["args"]["name"] for e in events if e.get("ph") == "M" and e["name"] == "process_name"}
thread = {(e["pid"], e["tid"]): e["args"]["name"] for e in events if e.get("ph") == "M" and e["name"] == "thread_name"}
slices = [e for e in events if e.get("ph") == "X"]
for e in slices:
    if e["pid"] not in process:
        fail(f"slice {e['name']}: pid {e['pid']} has no process_name")
    if (e["pid"], e["tid"]) not in thread:
        fail(f"slice {e['name']}: (pid {e['pid']}, tid {e['tid']}) has no thread_name")

# No overlap of top-level slices on a row; phases (cat "... phase") inside a slice of their row.
by_row = defaultdict(list)
for e in slices:
    by_row[(e["pid"], e["tid"])].append(e)
eps = 1e-3  # µs: times are rounded to the nanosecond
for row_key, row in by_row.items():
    tops = sorted((e for e in row if not e["cat"].endswith(" phase")), key=lambda e: (e["ts"], -e["dur"]))
    for a, b in zip(tops, tops[1:]):
        if b["ts"] < a["ts"] + a["dur"] - eps:
            fail(f"row {thread.get(row_key)} of {process.get(row_key[0])}: {a['name']} [{a['ts']}, +{a['dur']}] overlaps "
                 f"{b['name']} [{b['ts']}, +{b['dur']}]")
    for p in (e for e in row if e["cat"].endswith(" phase")):
        if not any(t["ts"] - eps <= p["ts"] and p["ts"] + p["dur"] <= t["ts"] + t["dur"] + eps for t in tops):
            fail(f"phase {p['name']} at {p['ts']} lies in no slice of its row")

flows = defaultdict(list)
for e in events:
    if e.get("ph") in ("s", "f"):
        flows[e["id"]].append(e["ph"])
for fid, phs in flows.items():
    if sorted(phs) != ["f", "s"]:
        fail(f"flow {fid}: phases {phs}, expected one s and one f")

# The jobs against jobs.csv.
jobs = list(csv.DictReader(open(os.path.join(run_dir, "jobs.csv"))))
moved = defaultdict(list)
mig_path = os.path.join(run_dir, "migrations.csv")
migrations = list(csv.DictReader(open(mig_path))) if os.path.exists(mig_path) else []
for m in migrations:
    if m["job_moved"] == "1":
        moved[m["job_id"]].append(m)
job_slices = defaultdict(list)
for e in slices:
    if e["cat"] in ("job", "preempted job"):
        job_slices[e["args"]["job_id"]].append(e)
horizon = json.load(open(os.path.join(run_dir, "run.json")))["scenario"].get("horizon_s")


def server_of(host):
    m = re.match(r"^(.*)-gpu-(\d+)$", host)
    return (m.group(1), int(m.group(2))) if m else (host, None)


checked = {"plain": 0, "migrated": 0, "preempted": 0, "running at end": 0}
for j in jobs:
    got = job_slices.pop(j["job_id"], [])
    if j["start_s"] == "":
        if got:
            fail(f"{j['job_id']}: never started, yet has {len(got)} slices")
        continue
    start = float(j["start_s"])
    end = float(j["end_s"]) if j["end_s"] else None
    if end is None:
        if horizon is None:
            fail(f"{j['job_id']}: running at the end without a horizon")
            continue
        end = max(float(horizon), start)
        checked["running at end"] += 1
    span_us = (end - start) * 1e6
    hosts = [h for h in j["hosts"].split(";") if h]
    if int(j.get("preemptions") or 0) > 0:
        checked["preempted"] += 1
        if len(got) != 1 or got[0]["cat"] != "preempted job" or abs(got[0]["dur"] - span_us) > eps:
            fail(f"{j['job_id']} (preempted): expected one 'preempted job' slice of {span_us} µs, got {got}")
        continue
    if j["job_id"] in moved:
        checked["migrated"] += 1
        # Segments: the distinct (ts, dur) pairs, contiguous from start to end.
        segs = sorted({(e["ts"], e["dur"]) for e in got})
        t = start * 1e6
        for ts, dur in segs:
            if abs(ts - t) > eps:
                fail(f"{j['job_id']} (migrated): segment at {ts}, expected {t}")
            t = ts + dur
        if abs(t - end * 1e6) > eps:
            fail(f"{j['job_id']} (migrated): segments end at {t}, expected {end * 1e6}")
        last = [e for e in got if abs(e["ts"] + e["dur"] - end * 1e6) <= eps]
        where = sorted((process[e["pid"]], thread[(e["pid"], e["tid"])].split(" (")[0]) for e in last)
        expect = sorted((s, f"GPU {g}") for s, g in map(server_of, hosts))
        if rows == "gpu" and where != expect:
            fail(f"{j['job_id']} (migrated): last segment on {where}, expected {expect}")
        continue
    checked["plain"] += 1
    for e in got:
        if abs(e["dur"] - span_us) > eps or abs(e["ts"] - start * 1e6) > eps:
            fail(f"{j['job_id']}: slice [{e['ts']}, +{e['dur']}], expected [{start * 1e6}, +{span_us}]")
    if rows == "gpu":
        where = sorted((process[e["pid"]], thread[(e["pid"], e["tid"])].split(" (")[0]) for e in got)
        expect = sorted((s, f"GPU {g}" if g is not None else "CPU-only jobs") for s, g in map(server_of, hosts))
    else:
        where = sorted(process[e["pid"]] for e in got)
        expect = sorted({server_of(h)[0] for h in hosts})
    if where != expect:
        fail(f"{j['job_id']}: slices on {where}, expected once on each of {expect}")
    startup = float(j.get("startup_s") or 0)
    if startup > 0:
        phases = [e for e in slices if e["cat"] == "job phase" and e["pid"] == got[0]["pid"]
                  and e["tid"] == got[0]["tid"] and abs(e["ts"] - start * 1e6) <= eps]
        if len(phases) != 1 or abs(phases[0]["dur"] - min(startup, end - start) * 1e6) > eps:
            fail(f"{j['job_id']}: expected one start-up phase of {startup} s, got {phases}")
if job_slices:
    fail(f"slices of jobs not in jobs.csv: {sorted(job_slices)[:5]}")

mig_slices = [e for e in slices if e["cat"] == "migration"]
if len(mig_slices) != len(migrations):
    fail(f"{len(mig_slices)} migration slices for {len(migrations)} rows of migrations.csv")
if len(flows) != len([m for m in migrations if m["job_moved"] == "1"]):
    fail(f"{len(flows)} migration arrows for {len(moved)} jobs moved")

req_path = os.path.join(run_dir, "requests.csv")
requests_checked = 0
if os.path.exists(req_path):
    finished = [r for r in csv.DictReader(open(req_path)) if r["end_s"]]
    shown = [e for e in slices if e["cat"] == "request"]
    stride = max(1, math.ceil(len(finished) / max_requests)) if max_requests else 1
    expect = finished[::stride]
    if len(shown) != len(expect):
        fail(f"{len(shown)} request slices, expected {len(expect)} (every {stride}th of {len(finished)})")
    byid = {(e["args"]["service"], e["args"]["request_id"]): e for e in shown}
    for r in expect:
        e = byid.get((r["service"], r["request_id"]))
        if e is None or abs(e["dur"] - (float(r["end_s"]) - float(r["arrival_s"])) * 1e6) > eps:
            fail(f"request {r['service']}/{r['request_id']}: missing or wrong duration")
        requests_checked += 1

if failures:
    print(f"FAIL: {trace_path} ({len(failures)} problems):")
    for m in failures[:30]:
        print("  " + m)
    sys.exit(1)
print(f"{os.path.basename(run_dir)} --by {rows}: {len(events)} events; jobs checked {checked}; "
      f"{len(migrations)} migrations; {requests_checked} requests")
