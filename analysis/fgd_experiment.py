#!/usr/bin/python3
"""The FGD packing experiment with aidcsim: Weng et al., "Beware of Fragmentation: Scheduling
GPU-Sharing Workloads with Fragmentation Gradient Descent", USENIX ATC'23, Fig. 9(a).

    analysis/fgd_experiment.py [--aidcsim build/aidcsim] [--openb DIR] [--pod-list FILE]
                               [--policies random,dotprod,clustering,packing,best-fit,fgd]
                               [--seeds 42-51] [--target 130] [--jobs N] [--out DIR] [--force]

For every policy and seed it runs `aidcsim run` on a scenario with "arrival": "inflation" (tasks of
the OpenB trace arrive in a seeded random order, never finish, and keep arriving until the arrived
GPU request reaches --target % of the cluster's GPUs; see docs/placement.md), on the platform that
`aidcsim platform openb` builds from openb_node_list_gpu_node.csv, with GPUs shared (gpu_sharing
"mps") as in the paper. Then it writes into OUT (default results/fgd-experiment):

  platform-openb.xml, fgd-packing.json   the platform and the scenario
  runs/<policy>-seed<N>/                 one run directory each (allocation_curve.csv, summary.json, ...)
  curves.csv     policy, arrived_percent, allocated_percent and fragmented_percent (mean over seeds)
  table.csv      per policy: mean (and min, max) allocation at 100 % and at the target, fragmentation,
                 wall time per run (the experiment alone and the whole process)
  fgd_packing.png  GPU allocation ratio against arrived GPU request, one line per policy (mean over
                 seeds), with a zoom on the full cluster, and the fragmentation of the idle GPUs

Runs whose summary.json exists are reused unless --force. Only the standard library, pandas and
matplotlib (Debian's python3-pandas and python3-matplotlib) are used.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import time
from typing import Dict, List, Tuple

import matplotlib

matplotlib.use("Agg")  # files only; no display needed
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_POLICIES = ["random", "dotprod", "clustering", "packing", "best-fit", "fgd"]
LABELS = {"random": "Random", "dotprod": "DotProd", "clustering": "Clustering", "packing": "Packing",
          "best-fit": "Best-fit", "fgd": "FGD", "first-fit": "First-fit", "spread": "Spread",
          "topology": "Topology"}
# Okabe-Ito, as analysis/plot.py: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


def fail(message: str, code: int = 2) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(code)


def parse_seeds(text: str) -> List[int]:
    seeds: List[int] = []
    for part in text.split(","):
        if "-" in part:
            lo, hi = part.split("-", 1)
            seeds.extend(range(int(lo), int(hi) + 1))
        elif part:
            seeds.append(int(part))
    return seeds


def run_one(aidcsim: str, scenario: str, policy: str, seed: int, out: str, force: bool) -> Tuple[str, int, float, str]:
    """Runs one point (or reuses a finished one); returns (policy, seed, process wall seconds, error)."""
    if not force and os.path.exists(os.path.join(out, "summary.json")) and \
            os.path.exists(os.path.join(out, "allocation_curve.csv")):
        return policy, seed, float("nan"), ""
    start = time.monotonic()
    cmd = [aidcsim, "run", scenario, "--out", out, "--seed", str(seed), "--quiet",
           "--set", f"placement.policy={policy}"]
    try:
        done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    except OSError as e:
        return policy, seed, float("nan"), f"{' '.join(cmd)}: {e}"
    if done.returncode != 0:
        return policy, seed, float("nan"), f"{' '.join(cmd)} exited with {done.returncode}:\n{done.stderr}"
    return policy, seed, time.monotonic() - start, ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--aidcsim", default=os.path.join(REPO, "build", "aidcsim"))
    ap.add_argument("--openb", default=os.path.normpath(os.path.join(REPO, "..", "shared", "traces", "openb")),
                    help="folder with openb_node_list_gpu_node.csv and the pod lists")
    ap.add_argument("--pod-list", default="openb_pod_list_default.csv", help="pod list (in --openb unless a path)")
    ap.add_argument("--policies", default=",".join(DEFAULT_POLICIES))
    ap.add_argument("--seeds", default="42-51", help="e.g. 42-51 or 42,43")
    ap.add_argument("--target", type=float, default=130, help="arrived GPU request to reach, %% of the GPUs")
    ap.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 2)), help="runs in parallel")
    ap.add_argument("--out", default=os.path.join("results", "fgd-experiment"))
    ap.add_argument("--force", action="store_true", help="rerun points that already have outputs")
    args = ap.parse_args()

    policies = [p for p in args.policies.split(",") if p]
    seeds = parse_seeds(args.seeds)
    if not policies or not seeds:
        fail("--policies and --seeds must name at least one policy and one seed")
    if not os.access(args.aidcsim, os.X_OK):
        fail(f"--aidcsim {args.aidcsim}: not an executable; build first (cmake --build build)")
    node_list = os.path.join(args.openb, "openb_node_list_gpu_node.csv")
    pod_list = args.pod_list if os.path.sep in args.pod_list else os.path.join(args.openb, args.pod_list)
    for path in (node_list, pod_list):
        if not os.path.exists(path):
            fail(f"{path}: file not found (see --openb, --pod-list)")

    out = os.path.abspath(args.out)
    os.makedirs(os.path.join(out, "runs"), exist_ok=True)
    platform = os.path.join(out, "platform-openb.xml")
    if args.force or not os.path.exists(platform):
        done = subprocess.run([args.aidcsim, "platform", "openb", node_list, "-o", platform],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            fail(f"aidcsim platform openb failed:\n{done.stderr}", 1)
    scenario = os.path.join(out, "fgd-packing.json")
    with open(scenario, "w") as f:
        json.dump({
            "name": "fgd-packing",
            "description": "FGD paper (ATC'23) packing experiment, Fig. 9(a): tasks arrive in a seeded random "
                           "order, never finish, until the arrived GPU request reaches the target",
            "seed": seeds[0],
            "platform": platform,
            "workload": {"jobs": {"path": os.path.abspath(pod_list), "format": "openb", "replay": "packing",
                                  "arrival": "inflation", "target_percent": args.target}},
            "placement": {"policy": policies[0]},
            "virtualization": {"gpu_sharing": "mps"},
        }, f, indent=2)
        f.write("\n")

    points = [(p, s) for p in policies for s in seeds]
    process_s: Dict[Tuple[str, int], float] = {}
    print(f"running {len(points)} points ({len(policies)} policies x {len(seeds)} seeds), {args.jobs} at a time",
          file=sys.stderr)
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(run_one, args.aidcsim, scenario, p, s,
                               os.path.join(out, "runs", f"{p}-seed{s}"), args.force) for p, s in points]
        errors = []
        for fut in concurrent.futures.as_completed(futures):
            p, s, wall, error = fut.result()
            process_s[(p, s)] = wall
            if error:
                errors.append(error)
    if errors:
        fail("\n".join(errors), 1)

    curves, rows = [], []
    target = int(round(args.target))
    for p, s in points:
        run_dir = os.path.join(out, "runs", f"{p}-seed{s}")
        curve = pd.read_csv(os.path.join(run_dir, "allocation_curve.csv"))
        curve["policy"], curve["seed"] = p, s
        curves.append(curve)
        with open(os.path.join(run_dir, "summary.json")) as f:
            summary = json.load(f)
        packing = summary["packing"]
        rows.append({"policy": p, "seed": s,
                     "alloc_100": packing.get("allocated_percent_at_100"),
                     "alloc_target": packing.get(f"allocated_percent_at_{target}"),
                     "frag_100": packing.get("fragmented_percent_at_100"),
                     "frag_target": packing.get(f"fragmented_percent_at_{target}"),
                     "experiment_s": packing.get("experiment_wall_s"),
                     "process_s": process_s.get((p, s), float("nan"))})
    runs = pd.DataFrame(rows)
    runs.to_csv(os.path.join(out, "runs.csv"), index=False)
    all_curves = pd.concat(curves, ignore_index=True)
    mean = (all_curves.groupby(["policy", "arrived_percent"], sort=False)[["allocated_percent", "fragmented_percent"]]
            .mean().reset_index())
    mean.to_csv(os.path.join(out, "curves.csv"), index=False, float_format="%.4f")

    table = runs.groupby("policy", sort=False).agg(
        seeds=("seed", "count"),
        alloc_100_mean=("alloc_100", "mean"), alloc_100_min=("alloc_100", "min"), alloc_100_max=("alloc_100", "max"),
        alloc_target_mean=("alloc_target", "mean"), alloc_target_min=("alloc_target", "min"),
        alloc_target_max=("alloc_target", "max"),
        frag_100_mean=("frag_100", "mean"), frag_target_mean=("frag_target", "mean"),
        experiment_s_mean=("experiment_s", "mean"), experiment_s_max=("experiment_s", "max"),
        process_s_mean=("process_s", "mean")).reset_index()
    table = table.rename(columns=lambda c: c.replace("target", str(target)))
    table.to_csv(os.path.join(out, "table.csv"), index=False, float_format="%.3f")
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.to_string(index=False, float_format=lambda x: f"{x:.2f}"))

    # The figure: allocation against arrival (full range and zoom), and fragmentation.
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    for i, p in enumerate(policies):
        m = mean[mean.policy == p]
        style = dict(color=PALETTE[i % len(PALETTE)], lw=2.2 if p == "fgd" else 1.4, label=LABELS.get(p, p))
        axes[0].plot(m.arrived_percent, m.allocated_percent, **style)
        zoom = m[m.arrived_percent >= 80]
        axes[1].plot(zoom.arrived_percent, zoom.allocated_percent, **style)
        axes[2].plot(m.arrived_percent, m.fragmented_percent, **style)
    top = int(round(args.target))
    axes[0].plot([0, 100], [0, 100], color="grey", ls=":", lw=1, label="allocated = arrived")
    axes[0].set(xlim=(0, top), ylim=(0, 100), title="GPU allocation ratio")
    lo = mean[mean.arrived_percent >= 100].allocated_percent.min()
    axes[1].set(xlim=(80, top), ylim=(max(60, (lo // 2) * 2 - 2), 100), title="GPU allocation ratio (zoom)")
    axes[2].set(xlim=(0, top), title="Fragmented GPUs (FGD measure)")
    for ax in axes:
        ax.set_xlabel("Arrived GPU request (% of cluster GPUs)")
        ax.grid(True, alpha=0.3)
    axes[0].set_ylabel("Allocated GPUs (%)")
    axes[1].set_ylabel("Allocated GPUs (%)")
    axes[2].set_ylabel("Fragmented GPUs (% of cluster GPUs)")
    axes[1].legend(loc="lower right", fontsize=9)
    fig.suptitle(f"OpenB {os.path.basename(pod_list)} on 1,213 nodes / 6,212 GPUs, mean of {len(seeds)} seeds "
                 f"({seeds[0]}-{seeds[-1]})", fontsize=11)
    fig.tight_layout()
    png = os.path.join(out, "fgd_packing.png")
    fig.savefig(png, dpi=130)
    print(f"wrote {png}, {os.path.join(out, 'table.csv')}, {os.path.join(out, 'curves.csv')}", file=sys.stderr)


if __name__ == "__main__":
    main()
