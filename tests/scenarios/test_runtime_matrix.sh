#!/usr/bin/env bash
# The quickstart through every scheduler under each runtime and GPU-sharing mode that combine
# (container with exclusive, mps, time-slicing and dynamic MIG; vm with consolidation), with server
# power-off, on two placements: every run must exit 0, finish every job, and pass the invariant
# checker. A net for interactions between policies (it found a backfill abort with reused VMs and
# schedulers that never looked again at jobs waiting for an idle VM to shut down).
# Usage (from ctest): test_runtime_matrix.sh CLI SOURCE_DIR OUT_DIR
set -uo pipefail
cli=$1 source_dir=$2 out_dir=$3
rm -rf "$out_dir"
mkdir -p "$out_dir"
container='"runtime":"container","container":{"image_bytes":5e9,"cache_bytes":12e9}'
vm='"runtime":"vm","vm":{"boot_s":30,"idle_timeout_s":300,"consolidation":{"interval_s":120,"dirty_bytes_per_s":1e9}}'
failures=0 runs=0
for virt in "{$container,\"gpu_sharing\":\"exclusive\"}" "{$container,\"gpu_sharing\":\"mps\"}" \
            "{$container,\"gpu_sharing\":\"time-slicing\"}" \
            "{$container,\"gpu_sharing\":\"mig\",\"layouts\":\"dynamic\",\"reconfigure_s\":3}" \
            "{$vm,\"gpu_sharing\":\"exclusive\"}"; do
  for scheduler in fifo sjf backfill las drf priority; do
    for placement in first-fit fgd; do
      runs=$((runs + 1))
      dir=$out_dir/run-$runs
      what="virtualization=$virt scheduler=$scheduler placement=$placement"
      if ! "$cli" run "$source_dir/scenarios/quickstart.json" --out "$dir" --quiet --set "virtualization=$virt" \
           --set scheduler.policy=$scheduler --set placement.policy=$placement \
           --set 'power={"off_after_s":120,"boot_s":60}' >"$dir.log" 2>&1; then
        echo "FAIL: $what: exit $?: $(tail -3 "$dir.log")" >&2
        failures=$((failures + 1))
        continue
      fi
      /usr/bin/python3 "$source_dir/tests/scenarios/check_invariants.py" "$dir" >/dev/null 2>"$dir.inv" ||
        { echo "FAIL: $what: $(head -3 "$dir.inv")" >&2; failures=$((failures + 1)); continue; }
      "$cli" check "$dir" >/dev/null 2>"$dir.inv" ||
        { echo "FAIL: $what: aidcsim check: $(head -3 "$dir.inv")" >&2; failures=$((failures + 1)); continue; }
      /usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1]))["jobs"]; sys.exit(0 if j["completed"] == j["submitted"] == 300 else 1)' \
        "$dir/summary.json" || { echo "FAIL: $what: not every job completed" >&2; failures=$((failures + 1)); }
    done
  done
done
if [[ $failures -ne 0 ]]; then
  echo "$failures of $runs runs failed" >&2
  exit 1
fi
echo "test_runtime_matrix: ok ($runs runs)"
