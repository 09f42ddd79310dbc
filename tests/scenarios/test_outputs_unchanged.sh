#!/usr/bin/env bash
# Every shipped scenario and every study point (first seed) gives the outputs whose digests are
# stored in tests/golden/outputs.json: a refactor proves itself here. After an intended change of
# results, rewrite the digests with
#   /usr/bin/python3 tests/golden/outputs_digest.py build/aidcsim . /tmp/digests --write tests/golden/outputs.json
# and say in the commit which numbers moved and why.
# Usage (from ctest): test_outputs_unchanged.sh CLI SOURCE_DIR OUT_DIR
set -euo pipefail
cli=$1 source_dir=$2 out_dir=$3
rm -rf "$out_dir"
/usr/bin/python3 "$source_dir/tests/golden/outputs_digest.py" "$cli" "$source_dir" "$out_dir" \
  --check "$source_dir/tests/golden/outputs.json"
rm -rf "$out_dir"
