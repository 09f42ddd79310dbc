#!/usr/bin/python3
"""Puts the example study's results into docs/sweeps.md and docs/images/ (run by `make study`).

    docs/update_study.py STUDY_OUT

Reads what `make study` wrote under STUDY_OUT (the sweep, tables/comparison.md, figures/) and
  - computes each point's offered load (analysis/common.py offered_load: GPU demand over capacity while
    the jobs arrive, from its jobs.csv),
  - draws the CDFs of the runs at the highest load (analysis/plot.py on those runs only, into
    STUDY_OUT/figures-<time_scale>/),
  - copies the figures to docs/images/study_*.png,
  - replaces the part of docs/sweeps.md between the "study:begin" and "study:end" markers with the
    comparison table, the figures and the run time of the points (wall_s of their summary.json).
README.md only links to that section. So the study's numbers in the docs are regenerated, never edited by hand.
"""
import csv
import json
import os
import re
import shutil
import statistics
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ inside the source tree
sys.path.insert(0, os.path.join(here, "..", "analysis"))
import common  # noqa: E402
BEGIN = "<!-- study:begin: written by docs/update_study.py (make study); edit the script, not this -->"
END = "<!-- study:end -->"
# (file under STUDY_OUT, file under docs/images, caption)
FIGURES = [
    ("figures/queue_delay_s_mean_vs_offered_load.png", "study_queue_delay_vs_offered_load.png",
     "Mean queueing delay against offered load, the GPU demand over the GPU capacity while the jobs arrive "
     "(mean and 95% confidence interval over {seeds} seeds)"),
    ("figures-{busiest}/cdf_jct.png", "study_cdf_jct.png",
     "CDF of job completion time at offered load {load:.2f} (time_scale {busiest}, the highest load), "
     "the {seeds} seeds pooled"),
]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip())
    out = sys.argv[1]
    table = open(os.path.join(out, "tables", "comparison.md")).read().strip()
    rows = [r for r in csv.DictReader(open(os.path.join(out, "results.csv"))) if r["status"] == "ok"]

    # The CDFs pool every run of a group: with all 12 groups they cannot be told apart, so they are
    # drawn for the highest load (the smallest time_scale) only.
    busiest = min((r["workload.jobs.time_scale"] for r in rows), key=float)
    seeds = len({r["seed"] for r in rows})
    runs = [os.path.join(out, r["dir"]) for r in rows if r["workload.jobs.time_scale"] == busiest]
    subprocess.run([sys.executable, os.path.join(here, "..", "analysis", "plot.py"), *runs, "--only", "cdf",
                    "--formats", "png", "--out", os.path.join(out, f"figures-{busiest}")], check=True)

    # Offered load of each point (common.offered_load on its jobs.csv): one value per time_scale, whatever
    # the scheduler and seed, since it depends on the trace and the platform only.
    loads = {}
    for row in rows:
        run = common.load_run_dir(os.path.join(out, row["dir"]))
        loads.setdefault(row["workload.jobs.time_scale"], set()).add(round(common.offered_load(run), 9))
    if any(len(v) != 1 for v in loads.values()):
        sys.exit(f"offered load differs between the points of one time_scale: {loads}")
    loads = {scale: v.pop() for scale, v in loads.items()}
    load = loads[busiest]

    images = os.path.join(here, "images")
    os.makedirs(images, exist_ok=True)
    figures = []
    for source, target, caption in FIGURES:
        shutil.copyfile(os.path.join(out, source.format(busiest=busiest, seeds=seeds)), os.path.join(images, target))
        figures.append(f"![{caption.format(busiest=busiest, seeds=seeds, load=load)}](images/{target})")
    scales = sorted(loads, key=float, reverse=True)
    load_text = ("Offered load per `time_scale` (the same for every scheduler and seed): " +
                 ", ".join(f"{scale} → {loads[scale]:.2f}" for scale in scales) + ".")

    # Run time of the points, per scheduler, from the runs themselves (a resumed sweep keeps them).
    times = {}
    for row in rows:
        summary = json.load(open(os.path.join(out, row["dir"], "summary.json")))
        times.setdefault(row["scheduler.policy"], []).append(summary["wall_s"])
    cost = ", ".join(f"`{policy}` {statistics.mean(t):.1f} s ({max(t):.1f} s)" for policy, t in times.items())
    points = sum(len(t) for t in times.values())
    total = sum(sum(t) for t in times.values())

    block = "\n\n".join([
        BEGIN,
        table,
        load_text,
        "\n".join(figures),
        f"Run time of a point (`wall_s` in its `summary.json`) per scheduler, mean (maximum) over its "
        f"{points // len(times)} points: {cost}; {total:.0f} s for the {points} points in all.",
        END,
    ])
    path = os.path.join(here, "sweeps.md")
    text = open(path).read()
    pattern = re.compile(re.escape("<!-- study:begin") + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        sys.exit(f"{path}: no <!-- study:begin ... {END} markers")
    open(path, "w").write(pattern.sub(lambda _: block, text, count=1))
    print(f"updated {path} and docs/images/study_*.png")


if __name__ == "__main__":
    main()
