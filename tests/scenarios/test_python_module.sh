#!/usr/bin/env bash
# The Python module (python/aidcsim, docs/python.md) against the CLI: tests/scenarios/python_module_tests.py
# runs quickstart through the module and compares its files with the CLI's own, checks that an override
# changes the result, that a bad scenario raises the CLI's message, that a small sweep returns its points,
# and that the module's temporary directories are removed.
# Usage (from ctest): test_python_module.sh CLI SOURCE_DIR OUT_DIR
set -euo pipefail
cli=$1 source_dir=$2 out_dir=$3
rm -rf "$out_dir"
mkdir -p "$out_dir"
/usr/bin/python3 -c 'import pandas' 2>/dev/null || { echo "SKIP: no python3-pandas" >&2; exit 77; }
/usr/bin/python3 "$source_dir/tests/scenarios/python_module_tests.py" "$cli" "$source_dir" "$out_dir"
echo "OK: python module"
