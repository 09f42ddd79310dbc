#!/usr/bin/env bash
# Runs scenarios/quickstart.json, checks the run's invariants and its summary counts.
# Usage (from ctest): test_quickstart.sh CLI SOURCE_DIR OUT_DIR
set -euo pipefail
cli=$1 source_dir=$2 out_dir=$3
python=/usr/bin/python3
rm -rf "$out_dir"
mkdir -p "$out_dir"

"$cli" run "$source_dir/scenarios/quickstart.json" --out "$out_dir/run" --quiet
for f in summary.json jobs.csv timeseries.csv run.json; do
  [[ -s $out_dir/run/$f ]] || { echo "FAIL: $out_dir/run/$f is missing or empty" >&2; exit 1; }
done

# Quickstart runs with exclusive GPUs, bare metal and the trace model: the replay rule holds exactly.
"$python" "$source_dir/tests/scenarios/check_invariants.py" "$out_dir/run" --replay-exact
"$cli" check "$out_dir/run" --replay-exact

"$python" - "$out_dir/run/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
jobs = s["jobs"]
problems = []
if jobs["submitted"] != 300:
    problems.append(f"submitted is {jobs['submitted']}, expected 300")
if jobs["completed"] + jobs["rejected"] + jobs["unfinished"] != 300:
    problems.append(f"completed + rejected + unfinished = {jobs['completed'] + jobs['rejected'] + jobs['unfinished']}, expected 300")
if jobs["completed"] == 0:
    problems.append("no job completed")
if s["gpus_total"] != 16:
    problems.append(f"gpus_total is {s['gpus_total']}, expected 16 (2 servers x 8 GPUs)")
if not 0 < s["gpu_allocation"] <= 1:
    problems.append(f"gpu_allocation is {s['gpu_allocation']}, expected in (0, 1]")
for key in ("queue_delay_s", "jct_s", "slowdown"):
    st = s[key]
    if not st["p50"] <= st["p95"] <= st["p99"] <= st["max"]:
        problems.append(f"{key} percentiles are not ordered: {st}")
if s["slowdown"]["p50"] < 1 - 1e-9:
    problems.append(f"median slowdown {s['slowdown']['p50']} < 1: a job ran faster than its duration")
if problems:
    print("FAIL: summary.json: " + "; ".join(problems), file=sys.stderr)
    sys.exit(1)
print(f"quickstart: {jobs['submitted']} submitted, {jobs['completed']} completed, "
      f"{jobs['rejected']} rejected, {jobs['unfinished']} unfinished")
PY
