#!/usr/bin/env bash
# Runs the quickstart under the container and VM runtimes (scenarios/quickstart-{container,vm}.json),
# checks the run invariants, what each runtime guarantees job by job, and determinism.
# Usage (from ctest): test_runtimes.sh CLI SOURCE_DIR OUT_DIR
set -euo pipefail
cli=$1 source_dir=$2 out_dir=$3
python=/usr/bin/python3
rm -rf "$out_dir"
mkdir -p "$out_dir"
for runtime in container vm; do
  "$cli" run "$source_dir/scenarios/quickstart-$runtime.json" --out "$out_dir/$runtime" --quiet
  "$python" "$source_dir/tests/scenarios/check_invariants.py" "$out_dir/$runtime"
  "$cli" check "$out_dir/$runtime"
done
"$cli" run "$source_dir/scenarios/quickstart-container.json" --out "$out_dir/container-again" --quiet
cmp "$out_dir/container/jobs.csv" "$out_dir/container-again/jobs.csv" || { echo "FAIL: container runs differ" >&2; exit 1; }

"$python" - "$out_dir" <<'PY'
import csv, sys
out = sys.argv[1]
problems = []
def rows(name):
    return [r for r in csv.DictReader(open(f"{out}/{name}/jobs.csv")) if r["state"] == "completed"]

# container: start_s 2 after the image is there; the work itself takes duration_s (bare metal).
c = rows("container")
pulled = [r for r in c if float(r["startup_s"]) > 2 + 1e-9]
cached = [r for r in c if abs(float(r["startup_s"]) - 2) < 1e-9]
for r in c:
    work = float(r["end_s"]) - float(r["start_s"]) - float(r["startup_s"])
    if abs(work - float(r["duration_s"])) > 1e-6:
        problems.append(f"container job {r['job_id']}: work {work} != duration_s {r['duration_s']}")
    if float(r["startup_s"]) < 2 - 1e-9:
        problems.append(f"container job {r['job_id']}: startup_s {r['startup_s']} < start_s 2")
# 4 tenants' images (8 GB) on 2 servers with 40 GB caches: at least one pull per tenant, and caching must hit.
if len(pulled) < 4 or len(cached) < len(c) // 2:
    problems.append(f"container: {len(pulled)} jobs pulled, {len(cached)} found the image cached (of {len(c)})")

# vm: a new VM boots in 60 s, a reused one starts at once; GPU work is 2% slower (passthrough), the
# work of CPU-only jobs 5%.
v = rows("vm")
boots = [r for r in v if abs(float(r["startup_s"]) - 60) < 1e-9]
reuses = [r for r in v if float(r["startup_s"]) == 0]
if len(boots) + len(reuses) != len(v):
    problems.append("vm: a job's startup_s is neither 0 (reused VM) nor 60 (boot)")
if not boots or not reuses:
    problems.append(f"vm: {len(boots)} boots and {len(reuses)} reuses, expected both")
for r in v:
    work = float(r["end_s"]) - float(r["start_s"]) - float(r["startup_s"])
    factor = 1.02 if int(r["gpus"]) > 0 else 1.05
    if abs(work - factor * float(r["duration_s"])) > 1e-6:
        problems.append(f"vm job {r['job_id']}: work {work} != {factor} x duration_s {r['duration_s']}")
if problems:
    print("FAIL: " + "; ".join(problems[:10]), file=sys.stderr)
    sys.exit(1)
print(f"test_runtimes: ok (container: {len(pulled)} pulls, {len(cached)} cached; vm: {len(boots)} boots, {len(reuses)} reuses)")
PY
