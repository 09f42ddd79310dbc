#!/usr/bin/env bash
# The native `aidcsim check` and tests/scenarios/check_invariants.py agree (same exit code, same
# violations) on 150 mutated copies of real run directories (quickstart, its VM-consolidation variant
# with migrations, an inference run with its requests, and the fixed runs of tests/data/runs).
# Usage (from ctest): test_check_agreement.sh CLI SOURCE_DIR OUT_DIR
set -euo pipefail
cli=$1 source_dir=$2 out_dir=$3
rm -rf "$out_dir"
mkdir -p "$out_dir"
"$cli" run "$source_dir/scenarios/quickstart.json" --out "$out_dir/quickstart" --quiet
"$cli" run "$source_dir/scenarios/quickstart-vm-consolidation.json" --out "$out_dir/consolidation" --quiet
"$cli" run "$source_dir/scenarios/inference-chat.json" --out "$out_dir/inference" --quiet
/usr/bin/python3 "$source_dir/tests/scenarios/check_agreement.py" "$cli" "$source_dir/tests/scenarios/check_invariants.py" \
  "$out_dir/work" 150 "$out_dir/quickstart" "$out_dir/consolidation" "$out_dir/inference" "$source_dir/tests/data/runs/fifo-seed1" \
  "$source_dir/tests/data/runs/sjf-seed2"
