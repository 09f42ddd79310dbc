#!/usr/bin/env bash
# The quickstart through every scheduler under each runtime and GPU-sharing mode that combine
# (container with exclusive, mps, time-slicing and dynamic MIG; vm with consolidation), with server
# power-off, on two placements: every run must exit 0, finish every job, and pass the invariant
# checker. A net for interactions between policies (it found a backfill abort with reused VMs and
# schedulers that never looked again at jobs waiting for an idle VM to shut down).
# Usage (from ctest): test_runtime_matrix.sh CLI SOURCE_DIR OUT_DIR
set -uo pipefail
cli=$1 source_dir=$2 out_dir=$3
source "$source_dir/tests/scenarios/matrix_run.sh"  # matrix_run, $container, $vm; empties $out_dir
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
      matrix_run "$dir" "$what" 'j["completed"] == j["submitted"] == 300' "$source_dir/scenarios/quickstart.json" \
        --set "virtualization=$virt" --set scheduler.policy=$scheduler --set placement.policy=$placement \
        --set 'power={"off_after_s":120,"boot_s":60}'
    done
  done
done
if [[ $failures -ne 0 ]]; then
  echo "$failures of $runs runs failed" >&2
  exit 1
fi
echo "test_runtime_matrix: ok ($runs runs)"
