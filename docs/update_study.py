#!/usr/bin/python3
"""Puts the example study's results into docs/sweeps.md and docs/images/ (run by `make study`).

    docs/update_study.py STUDY_OUT

Reads what `make study` wrote under STUDY_OUT (the sweep, tables/comparison.md, figures/) and
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
BEGIN = "<!-- study:begin: written by docs/update_study.py (make study); edit the script, not this -->"
END = "<!-- study:end -->"
# (file under STUDY_OUT, file under docs/images, caption)
FIGURES = [
    ("figures/queue_delay_s_mean_vs_time_scale.png", "study_queue_delay_vs_time_scale.png",
     "Mean queueing delay against time_scale (mean and 95% confidence interval over {seeds} seeds)"),
    ("figures-{busiest}/cdf_jct.png", "study_cdf_jct.png",
     "CDF of job completion time at time_scale {busiest} (the highest load), the {seeds} seeds pooled"),
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

    images = os.path.join(here, "images")
    os.makedirs(images, exist_ok=True)
    figures = []
    for source, target, caption in FIGURES:
        shutil.copyfile(os.path.join(out, source.format(busiest=busiest, seeds=seeds)), os.path.join(images, target))
        figures.append(f"![{caption.format(busiest=busiest, seeds=seeds)}](images/{target})")

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
