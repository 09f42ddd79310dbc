# Sourced by the matrix tests (test_runtime_matrix.sh, test_quota_matrix.sh) after they set $cli,
# $source_dir and $out_dir: empties $out_dir, defines the runtimes they combine ($container, $vm) and
# matrix_run, one run of a scenario with the checks every run of a matrix must pass (counts into $failures).
rm -rf "$out_dir"
mkdir -p "$out_dir"
container='"runtime":"container","container":{"image_bytes":5e9,"cache_bytes":12e9}'
vm='"runtime":"vm","vm":{"boot_s":30,"idle_timeout_s":300,"consolidation":{"interval_s":120,"dirty_bytes_per_s":1e9}}'

# matrix_run DIR WHAT ACCEPT SCENARIO [ARGS...]: runs `aidcsim run SCENARIO --out DIR ARGS`, then both
# invariant checkers, then ACCEPT (a Python expression over the summary's "jobs" object j, e.g.
# 'j["completed"] == j["submitted"]'). A failure prints "FAIL: WHAT: ..." and adds one to $failures.
matrix_run() {
  local dir=$1 what=$2 accept=$3 scenario=$4
  shift 4
  if ! "$cli" run "$scenario" --out "$dir" --quiet "$@" >"$dir.log" 2>&1; then
    echo "FAIL: $what: exit $?: $(tail -3 "$dir.log")" >&2
    failures=$((failures + 1))
    return
  fi
  if ! /usr/bin/python3 "$source_dir/tests/scenarios/check_invariants.py" "$dir" >/dev/null 2>"$dir.inv"; then
    echo "FAIL: $what: $(head -3 "$dir.inv")" >&2
    failures=$((failures + 1))
  elif ! "$cli" check "$dir" >/dev/null 2>"$dir.inv"; then
    echo "FAIL: $what: aidcsim check: $(head -3 "$dir.inv")" >&2
    failures=$((failures + 1))
  elif ! /usr/bin/python3 -c "import json,sys; j=json.load(open(sys.argv[1]))['jobs']; sys.exit(0 if ($accept) else 1)" \
         "$dir/summary.json"; then
    echo "FAIL: $what: jobs do not satisfy $accept" >&2
    failures=$((failures + 1))
  fi
}
