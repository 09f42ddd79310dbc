#!/usr/bin/python3
"""Builds README.md from the sections under docs/ (edit those, then run this script)."""
import os
import re

here = os.path.dirname(os.path.abspath(__file__))


def section(name, top_level="##"):
    """A docs file with its headings shifted so that its first heading is at `top_level`."""
    text = open(os.path.join(here, name)).read().strip() + "\n"
    first = re.search(r"^(#+) ", text, re.M)
    shift = len(top_level) - len(first.group(1))
    if shift:
        text = re.sub(r"^(#+) ", lambda m: "#" * (len(m.group(1)) + shift) + " ", text, flags=re.M)
    return text.replace("](images/", "](docs/images/")


parts = [
    open(os.path.join(here, "README.head.md")).read().split("## Platforms")[0],
    section("platforms.md"),
    "## Job traces" + open(os.path.join(here, "README.head.md")).read().split("## Job traces")[1],
    section("traces.md", "###"),
    open(os.path.join(here, "README.scenario.md")).read().split("## Adding a policy")[0],
    "## Policies\n\n" + "\n".join(section(f, "###") for f in ["schedulers.md", "placement.md", "gpu_sharing.md", "runtimes.md", "energy.md"]
                                 if os.path.exists(os.path.join(here, f))),
    "## Sweeps and papers\n\n" + section("sweeps.md", "###") + "\n" + section("slurm.md", "###"),
    "## Adding a policy" + open(os.path.join(here, "README.scenario.md")).read().split("## Adding a policy")[1],
    open(os.path.join(here, "README.tail.md")).read().replace(
        "BENCH_FIGURES", open(os.path.join(here, "bench_figures.md")).read().strip()
        if os.path.exists(os.path.join(here, "bench_figures.md")) else "(run `make bench`)"),
]
with open(os.path.join(here, "..", "README.md"), "w") as f:
    f.write("\n".join(p.strip() + "\n" for p in parts))
