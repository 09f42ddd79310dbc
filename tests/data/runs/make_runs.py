#!/usr/bin/python3
"""Writes the small hand-made run directories used by tests/scenarios/test_analysis.sh.

Five runs of a 4-job workload on one 8-GPU server: FIFO with seeds 1-3 and SJF with seeds 1-2. The
seed changes only the duration of job j4 (as a synthetic generator would), and each schedule is
worked out by hand below, so the test can check compare.py's numbers exactly:

  FIFO: j1 0-60, j2 10-90, j3 (8 GPUs) 90-130, j4 130-(130+d4)   d4 = 50, 90, 130 -> JCT mean 100, 110, 120
  SJF:  j1 0-60, j2 10-90, j4 60-(60+d4), j3 max(90, 60+d4)+40  d4 = 50, 70      -> JCT mean 87.5, 97.5
  j5 asks for 16 GPUs and is rejected in every run.

Run it from anywhere: python3 tests/data/runs/make_runs.py
"""
import json
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
GPUS = 8


def nearest_rank(values, pct):
    v = sorted(values)
    return v[max(1, math.ceil(pct / 100 * len(v))) - 1]


def stats(values):
    return {"mean": round(sum(values) / len(values), 6), "p50": nearest_rank(values, 50),
            "p95": nearest_rank(values, 95), "p99": nearest_rank(values, 99), "max": max(values)}


def schedule(policy, d4):
    # (id, submit, duration, gpus, start)
    if policy == "fifo":
        starts = {"j1": 0, "j2": 10, "j3": 90, "j4": 130}
    else:
        starts = {"j1": 0, "j2": 10, "j4": 60, "j3": max(90, 60 + d4)}
    jobs = [("j1", 0, 60, 4), ("j2", 10, 80, 4), ("j3", 20, 40, 8), ("j4", 30, d4, 2)]
    return [(j, sub, dur, g, starts[j]) for j, sub, dur, g in jobs]


def write_run(name, policy, seed, d4):
    d = os.path.join(HERE, name)
    os.makedirs(d, exist_ok=True)
    jobs = schedule(policy, d4)
    rows = ["job_id,tenant,submit_s,start_s,end_s,queue_delay_s,jct_s,gpus,gpu_milli,state,hosts,duration_s,slowdown"]
    jct, qd, sd = [], [], []
    tenants = {"j1": "vision", "j2": "nlp", "j3": "vision", "j4": "nlp"}
    for j, sub, dur, g, start in jobs:
        end = start + dur
        jct.append(end - sub)
        qd.append(start - sub)
        sd.append(round((end - sub) / dur, 6))
        first = 4 if j == "j2" else 0  # j1 on GPUs 0-3, j2 on 4-7, j3 on all, j4 on 0-1 (after j1 or j3)
        hosts = ";".join(f"srv-0-gpu-{i}" for i in range(first, first + g))
        rows.append(f"{j},{tenants[j]},{sub},{start},{end},{start - sub},{end - sub},{g},1000,completed,{hosts},{dur},"
                    f"{round((end - sub) / dur, 6)}")
    rows.append("j5,speech,40,,,,,16,1000,rejected,,100,")
    with open(os.path.join(d, "jobs.csv"), "w") as f:
        f.write("\n".join(rows) + "\n")

    # Allocation and queue over time, sampled at every event.
    events = sorted({t for _, sub, dur, _, start in jobs for t in (sub, start, start + dur)} | {40})
    last_end = max(start + dur for _, _, dur, _, start in jobs)
    ts = ["time_s,metric,label,value"]
    area = 0.0
    prev_t, prev_alloc = 0.0, 0
    for t in events:
        alloc = sum(g for _, _, dur, g, start in jobs if start <= t < start + dur)
        running = sum(1 for _, _, dur, _, start in jobs if start <= t < start + dur)
        queued = sum(1 for _, sub, _, _, start in jobs if sub <= t < start)
        area += prev_alloc * (t - prev_t)
        prev_t, prev_alloc = t, alloc
        ts += [f"{t},gpu_allocation,,{alloc / GPUS:g}", f"{t},gpus_allocated,,{alloc}",
               f"{t},queue_length,,{queued}", f"{t},running_jobs,,{running}"]
    with open(os.path.join(d, "timeseries.csv"), "w") as f:
        f.write("\n".join(ts) + "\n")

    summary = {
        "scenario": "mini", "seed": seed,
        "jobs": {"submitted": 5, "completed": 4, "rejected": 1, "unfinished": 0},
        "queue_delay_s": stats(qd), "jct_s": stats(jct), "slowdown": stats(sd),
        "gpu_allocation": round(area / (last_end * GPUS), 6),
        "gpus_total": GPUS, "makespan_s": last_end, "events": 2 * len(jobs) + 1, "wall_s": 0.001,
    }
    with open(os.path.join(d, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2, sort_keys=True)
        f.write("\n")
    run = {
        "aidcsim_version": "0.1.0", "git_commit": "handmade", "simgrid_version": "3.32.0",
        "scenario_file": "tests/data/runs/mini.json", "seed": seed,
        "scenario": {"name": "mini", "seed": seed, "platform": "mini.xml",
                     "workload": {"jobs": {"path": "mini.csv", "format": "native"}, "services": []},
                     "scheduler": {"policy": policy}, "placement": {"policy": "first-fit"},
                     "virtualization": {"runtime": "bare-metal", "gpu_sharing": "exclusive"},
                     "monitoring": {"interval_s": 60}, "horizon_s": None},
    }
    with open(os.path.join(d, "run.json"), "w") as f:
        json.dump(run, f, indent=2, sort_keys=True)
        f.write("\n")


for seed, d4 in [(1, 50), (2, 90), (3, 130)]:
    write_run(f"fifo-seed{seed}", "fifo", seed, d4)
for seed, d4 in [(1, 50), (2, 70)]:
    write_run(f"sjf-seed{seed}", "sjf", seed, d4)
