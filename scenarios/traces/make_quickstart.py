#!/usr/bin/python3
"""Writes quickstart.csv: 300 jobs of 4 tenants on a 16-GPU platform, about 60% load (seed 7).

Arrivals are Poisson (mean gap 300 s); durations lognormal (median ~600 s); GPU counts
1/2/4/8/16 with probabilities .5/.2/.15/.1/.05; a few CPU-only jobs. Re-run to regenerate.
"""
import math
import random

rng = random.Random(7)
tenants = ["vision", "nlp", "speech", "recsys"]
t = 0.0
rows = ["job_id,submit_s,duration_s,gpus,gpu_milli,cpus,mem_gib,tenant"]
for i in range(300):
    t += rng.expovariate(1 / 300)
    duration = max(10.0, round(rng.lognormvariate(math.log(600), 1.0)))
    u = rng.random()
    gpus = 1 if u < .5 else 2 if u < .7 else 4 if u < .85 else 8 if u < .95 else 16
    if rng.random() < 0.04:
        gpus = 0
    milli = 500 if gpus == 1 and rng.random() < 0.1 else 1000
    cpus = max(1, gpus) * 4
    mem = max(1, gpus) * 32
    rows.append(f"job-{i:04d},{t:.1f},{duration:.0f},{gpus},{milli},{cpus},{mem},{rng.choice(tenants)}")
with open("quickstart.csv", "w") as f:
    f.write("\n".join(rows) + "\n")
