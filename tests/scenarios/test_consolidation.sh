#!/usr/bin/env bash
# Runs the quickstart under VMs with consolidation and server power-off
# (scenarios/quickstart-vm-consolidation.json): the invariants (each migrated job's GPUs followed
# through migrations.csv), migrations.csv against summary.json and jobs.csv, what a migration costs
# a job, and determinism.
# Usage (from ctest): test_consolidation.sh CLI SOURCE_DIR OUT_DIR
set -euo pipefail
cli=$1 source_dir=$2 out_dir=$3
python=/usr/bin/python3
rm -rf "$out_dir"
mkdir -p "$out_dir"
scenario=$source_dir/scenarios/quickstart-vm-consolidation.json
"$cli" run "$scenario" --out "$out_dir/run" --quiet
"$python" "$source_dir/tests/scenarios/check_invariants.py" "$out_dir/run"
"$cli" check "$out_dir/run"
"$cli" run "$scenario" --out "$out_dir/again" --quiet
for f in jobs.csv migrations.csv timeseries.csv; do
  cmp "$out_dir/run/$f" "$out_dir/again/$f" || { echo "FAIL: $f differs between two runs" >&2; exit 1; }
done
# EASY backfill with VMs reused while migrations run (it once re-applied a reused VM's GPUs to its
# shadow ledger and aborted): every job completes, invariants hold.
"$cli" run "$source_dir/scenarios/quickstart.json" --out "$out_dir/backfill" --quiet --set scheduler.policy=backfill \
  --set 'virtualization={"runtime":"vm","gpu_sharing":"exclusive","vm":{"boot_s":30,"idle_timeout_s":300,"consolidation":{"interval_s":120,"dirty_bytes_per_s":1e9}}}'
"$python" "$source_dir/tests/scenarios/check_invariants.py" "$out_dir/backfill"
"$cli" check "$out_dir/backfill"
# A Philly week under VMs (2,490 GPUs, 14,724 jobs) with consolidation on: the invariants hold there too.
philly=$source_dir/scenarios/philly-vm.json
if [[ -f $source_dir/../shared/traces/philly/philly.csv ]]; then
  "$cli" platform philly -o "$out_dir/philly.xml" >/dev/null
  "$cli" run "$philly" --out "$out_dir/philly" --quiet --set virtualization.vm.consolidation=true \
    --set platform="$out_dir/philly.xml"
  "$python" "$source_dir/tests/scenarios/check_invariants.py" "$out_dir/philly"
  "$cli" check "$out_dir/philly"
else
  echo "note: ../shared/traces/philly/philly.csv missing; the Philly-week check did not run" >&2
fi
# The quickstart without consolidation, for comparison.
"$cli" run "$scenario" --out "$out_dir/off" --quiet --set virtualization.vm.consolidation=null

"$python" - "$out_dir" <<'PY'
import csv, json, sys
out = sys.argv[1]
problems = []
summary = json.load(open(f"{out}/run/summary.json"))
m = summary["vm_migrations"]
rows = list(csv.DictReader(open(f"{out}/run/migrations.csv")))
jobs = {r["job_id"]: r for r in csv.DictReader(open(f"{out}/run/jobs.csv"))}
if not rows:
    problems.append("no migration happened")
if m["completed"] != len(rows) or m["started"] < m["completed"]:
    problems.append(f"summary says {m['started']} started / {m['completed']} completed, migrations.csv has {len(rows)} rows")
if m["bytes"] != round(sum(float(r["bytes"]) for r in rows)):
    problems.append("vm_migrations.bytes is not the sum of migrations.csv's bytes")
moved = [r for r in rows if r["job_moved"] == "1"]
if m["jobs_moved"] != len(moved) or sum(int(j["migrations"]) for j in jobs.values()) != len(moved):
    problems.append("jobs_moved, migrations.csv and jobs.csv's migrations column disagree")
for r in rows:
    start, paused, end = float(r["start_s"]), float(r["paused_s"]), float(r["end_s"])
    if not start <= paused <= end:
        problems.append(f"migration of VM {r['vm']}: start {start} <= paused {paused} <= end {end} fails")
    # At least the VM's memory crosses the servers' 25 GB/s NICs: no migration is faster than that.
    if end - start < float(r["bytes"]) / 25e9 - 1e-6:
        problems.append(f"migration of VM {r['vm']}: {r['bytes']} bytes in {end - start} s beats the NIC")
# A moved job's work takes longer than 1.02 x duration_s (the passthrough overhead) by at least its
# pause; a job never moved takes exactly that.
for j in jobs.values():
    if j["state"] != "completed":
        continue
    work = float(j["end_s"]) - float(j["start_s"]) - float(j["startup_s"])
    expected = (1.02 if int(j["gpus"]) > 0 else 1.05) * float(j["duration_s"])
    if j["migrations"] == "0" and abs(work - expected) > 1e-6:
        problems.append(f"job {j['job_id']}: never moved, work {work} != {expected}")
    if j["migrations"] != "0":
        paused = sum(float(r["end_s"]) - float(r["paused_s"]) for r in moved if r["job_id"] == j["job_id"])
        if work < expected + paused - 1e-6:
            problems.append(f"job {j['job_id']}: moved, work {work} < {expected} + paused {paused}")
off = json.load(open(f"{out}/off/summary.json"))
if off["vm_migrations"] is not None:
    problems.append("consolidation=null still migrated")
if problems:
    print("FAIL: " + "; ".join(problems[:10]), file=sys.stderr)
    sys.exit(1)
print(f"test_consolidation: ok ({len(rows)} migrations, {len(moved)} moved a running job; mean JCT "
      f"{summary['jct_s']['mean']:.0f} s vs {off['jct_s']['mean']:.0f} s without; "
      f"{summary['energy_j']['servers_powered_off']} vs {off['energy_j']['servers_powered_off']} power-offs)")
PY
