#!/usr/bin/python3
"""Differential test of the two invariant checkers: mutates run directories (fixed seed: the same
mutations everywhere), runs check_invariants.py and `aidcsim check` on each, and requires the same
exit code and the same violations (the native one's [rule] tags aside; a host named in an
over-allocation may differ, since Python walks a job's hosts in set order).
Usage: check_agreement.py CLI CHECKER WORK_DIR N RUN_DIR...   Python 3 standard library only."""
import csv
import io
import os
import random
import re
import shutil
import subprocess
import sys

POOL = ["", "x", "-1", "0", "nan", "inf", "1e400", " 5 ", "1_0", "4.0", "completed", "rejected", "unfinished",
        "g0", "g0;g0", ";", "1000", "1", "2", "a,b", "+3", "0.0000001"]


def mutate(rows, rng):
    for _ in range(rng.randint(1, 4)):
        r = rng.randrange(1, len(rows))
        if not rows[r]:
            continue
        c = rng.randrange(len(rows[r]))
        choice = rng.random()
        if choice < 0.5:
            rows[r][c] = rng.choice(POOL)
        elif choice < 0.8:
            other = rows[rng.randrange(1, len(rows))]
            rows[r][c] = other[c] if c < len(other) else ""
        elif choice < 0.9:
            rows.insert(r, list(rows[rng.randrange(1, len(rows))]))
        else:
            del rows[r][c:]


def violations(stderr, native):
    lines = [line.strip() for line in stderr.splitlines()[1:]]
    if native:
        lines = [line.split("] ", 1)[1] if line.startswith("[") else line for line in lines]
    return sorted(re.sub(r"^host \S+:", "host *:", line) for line in lines)


def main():
    cli, checker, work, count, sources = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:]
    rng = random.Random(12)
    compared = disagreements = 0
    for i in range(count):
        src = rng.choice(sources)
        d = os.path.join(work, "run")
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(src, d)
        names = ["jobs.csv"] * 4 + (["migrations.csv"] if os.path.exists(os.path.join(d, "migrations.csv")) else [])
        if os.path.exists(os.path.join(d, "alerts.csv")):  # a run with alert rules: their rules too
            names += ["alerts.csv"] * 2
        if os.path.exists(os.path.join(d, "scaling.csv")):  # an autoscaled run: its scaling rules too
            names += ["scaling.csv"] * 3
        if os.path.exists(os.path.join(d, "admissions.csv")):  # a quota run: its quota rules too
            names += ["admissions.csv"] * 4
        if os.path.exists(os.path.join(d, "requests.csv")):  # an inference run: its request rules too
            names += ["requests.csv"] * 4 + ["timeseries.csv"]
        target = os.path.join(d, rng.choice(names))
        with open(target, newline="") as f:
            rows = list(csv.reader(f))
        mutate(rows, rng)
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        with open(target, "w") as f:
            f.write(buf.getvalue())
        flags = ["--replay-exact"] if rng.random() < 0.5 else []
        py = subprocess.run(["/usr/bin/python3", checker, d] + flags, capture_output=True, text=True)
        native = subprocess.run([cli, "check", d] + flags, capture_output=True, text=True)
        if "Traceback" in py.stderr:
            continue  # an input the Python checker does not survive: nothing to compare
        compared += 1
        if py.returncode != native.returncode or violations(py.stderr, False) != violations(native.stderr, True):
            disagreements += 1
            keep = os.path.join(work, f"disagreement-{i}")
            shutil.rmtree(keep, ignore_errors=True)
            shutil.copytree(d, keep)
            print(f"FAIL: the checkers disagree on {keep} ({' '.join(flags)}): python exit {py.returncode}, "
                  f"aidcsim check exit {native.returncode}\n--- python\n{py.stderr}--- aidcsim check\n{native.stderr}",
                  file=sys.stderr)
    shutil.rmtree(os.path.join(work, "run"), ignore_errors=True)
    print(f"check agreement: {compared} mutated run directories compared, {disagreements} disagreement(s)")
    if compared < count // 2:
        print("FAIL: too few comparisons", file=sys.stderr)
        return 1
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
