#!/usr/bin/env bash
# Quota with every scheduler, under each runtime and GPU-sharing mode (bare metal, container with
# exclusive GPUs, MPS, time-slicing and dynamic MIG, VMs with consolidation): the quickstart under its
# Kueue cohort (scenarios/quickstart-quota.json, reclaim by preemption), under Kueue with fair sharing
# and priority preemption within a queue, and under Kubernetes ResourceQuota. (With fair sharing and
# reclaim Any on both queues, Kueue's rules let the two queues take an 8-GPU job from each other in
# turn: docs/quota.md; research reclaims only from lower priorities here.) Every run must exit 0,
# finish every job, and pass the invariant checker with its quota rules (quota_invariants.py) and
# `aidcsim check`.
# Usage (from ctest): test_quota_matrix.sh CLI SOURCE_DIR OUT_DIR
set -uo pipefail
cli=$1 source_dir=$2 out_dir=$3
source "$source_dir/tests/scenarios/matrix_run.sh"  # matrix_run, $container, $vm; empties $out_dir
fair='{"policy":"kueue","fair_sharing":true,"cohorts":[{"name":"lab"}],"cluster_queues":[
  {"name":"training","cohort":"lab","resources":{"gpus":8},"fair_sharing":{"weight":2},
   "preemption":{"within_cluster_queue":"LowerPriority","reclaim_within_cohort":"Any"}},
  {"name":"research","cohort":"lab","resources":{"gpus":8},"preemption":{"reclaim_within_cohort":"LowerPriority"}}],
  "tenants":{"nlp":"training","vision":"training","speech":"research","recsys":"research"}}'
rq='{"policy":"resource-quota","tenants":{"nlp":{"gpus":8},"vision":{"gpus":6,"cpus":64},"speech":{"gpus":16},"recsys":{"gpus":4}}}'
failures=0 runs=0
for quota in scenario "$fair" "$rq"; do
  for virt in "{\"runtime\":\"bare-metal\",\"gpu_sharing\":\"exclusive\"}" "{$container,\"gpu_sharing\":\"exclusive\"}" \
              "{$container,\"gpu_sharing\":\"mps\"}" "{$container,\"gpu_sharing\":\"time-slicing\"}" \
              "{$container,\"gpu_sharing\":\"mig\",\"layouts\":\"dynamic\",\"reconfigure_s\":3}" \
              "{$vm,\"gpu_sharing\":\"exclusive\"}"; do
    for scheduler in fifo sjf backfill las drf priority; do
      runs=$((runs + 1))
      dir=$out_dir/run-$runs
      sets=(--set "virtualization=$virt" --set scheduler.policy=$scheduler)
      [[ $quota != scenario ]] && sets+=(--set "quota=$quota")
      what="quota=${quota:0:40} virtualization=$virt scheduler=$scheduler"
      matrix_run "$dir" "$what" 'j["completed"] + j["rejected"] == j["submitted"] == 300' \
        "$source_dir/scenarios/quickstart-quota.json" "${sets[@]}"
    done
  done
done
# The Philly week under VC quotas with borrowing and reclaim (hundreds of evictions) under the checker.
runs=$((runs + 1))
dir=$out_dir/philly
"$cli" platform philly -o "$out_dir/philly.xml" >/dev/null
matrix_run "$dir" philly-vc-quota 'j["completed"] == j["submitted"]' "$source_dir/scenarios/philly-vc-quota.json" \
  --set platform="$out_dir/philly.xml" --set workload.jobs.time_scale=0.06 \
  --set 'quota={"policy":"kueue","from_platform":"vc","cohort":"philly","preemption":{"reclaim_within_cohort":"Any"}}'
if [[ $failures -ne 0 ]]; then
  echo "$failures of $runs runs failed" >&2
  exit 1
fi
echo "test_quota_matrix: ok ($runs runs)"
