#!/usr/bin/env bash
# The native `aidcsim check` and tests/scenarios/check_invariants.py agree (same exit code, same
# violations) on 200 mutated copies of real run directories (quickstart, its VM-consolidation variant
# with migrations, an inference run with its requests, an autoscaled one with its scaling.csv, two quota runs with their admissions, and the
# fixed runs of tests/data/runs).
# Usage (from ctest): test_check_agreement.sh CLI SOURCE_DIR OUT_DIR
set -euo pipefail
cli=$1 source_dir=$2 out_dir=$3
rm -rf "$out_dir"
mkdir -p "$out_dir"
"$cli" run "$source_dir/scenarios/quickstart.json" --out "$out_dir/quickstart" --quiet
"$cli" run "$source_dir/scenarios/quickstart-vm-consolidation.json" --out "$out_dir/consolidation" --quiet
"$cli" run "$source_dir/scenarios/inference-chat.json" --out "$out_dir/inference" --quiet
# The HPA on the first 600 requests of the conversation hour: its scaling.csv.
"$cli" run "$source_dir/scenarios/inference-hpa.json" --out "$out_dir/hpa" --quiet --set workload.services.0.requests.limit=600
# Quota runs with their admissions.csv: Kueue (a cohort, reclaim by preemption) and ResourceQuota.
"$cli" run "$source_dir/scenarios/quickstart-quota.json" --out "$out_dir/kueue" --quiet
"$cli" run "$source_dir/scenarios/quickstart-quota.json" --out "$out_dir/resource-quota" --quiet \
  --set 'quota={"policy":"resource-quota","tenants":{"nlp":{"gpus":8},"vision":{"gpus":6,"cpus":64},"speech":{"gpus":16},"recsys":{"gpus":4}}}'
/usr/bin/python3 "$source_dir/tests/scenarios/check_agreement.py" "$cli" "$source_dir/tests/scenarios/check_invariants.py" \
  "$out_dir/work" 200 "$out_dir/quickstart" "$out_dir/consolidation" "$out_dir/inference" "$out_dir/hpa" "$out_dir/kueue" "$out_dir/resource-quota" \
  "$source_dir/tests/data/runs/fifo-seed1" \
  "$source_dir/tests/data/runs/sjf-seed2"
