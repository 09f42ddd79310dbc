#!/usr/bin/env bash
# The placement option "multi_gpu" end to end, on scenarios/quickstart.json (2 servers x 8 A100, jobs
# of 1-16 GPUs) through the CLI; every run must pass the invariant checker:
#   * "spread" with several policies (exact replay rule): some jobs of at most 8 GPUs span both servers,
#     where by default none does;
#   * "one-server" given explicitly gives the same jobs.csv as the default;
#   * "whole-servers" runs; a fractional multi-GPU workload under MPS runs in every mode;
#   * an unknown value is an input error (exit 2) naming the file, the JSON path and the values.
# Usage (from ctest): test_multi_gpu_spread.sh CLI SOURCE_DIR OUT_DIR
set -euo pipefail
cli=$1 source_dir=$2 out_dir=$3
python=/usr/bin/python3
scenario=$source_dir/scenarios/quickstart.json
rm -rf "$out_dir"
mkdir -p "$out_dir"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
check() {  # check RUN_DIR [--replay-exact]
  "$python" "$source_dir/tests/scenarios/check_invariants.py" "$@" >/dev/null || fail "invariants of $1"
  "$cli" check "$@" >/dev/null || fail "aidcsim check of $1"
}
# Jobs of at most 8 GPUs (one server's worth) whose GPUs are on more than one server.
spread_jobs() {
  "$python" - "$1/jobs.csv" <<'PY'
import csv, sys
n = 0
for r in csv.DictReader(open(sys.argv[1])):
    servers = {h.rsplit("-gpu-", 1)[0] for h in r["hosts"].split(";") if h}
    n += 0 < int(r["gpus"]) <= 8 and len(servers) > 1
print(n)
PY
}

"$cli" run "$scenario" --quiet --out "$out_dir/default" || fail "quickstart, default"
check "$out_dir/default" --replay-exact
[[ $(spread_jobs "$out_dir/default") == 0 ]] || fail "by default a job of at most 8 GPUs spans two servers"

"$cli" run "$scenario" --quiet --out "$out_dir/one-server" --set placement.multi_gpu=one-server ||
  fail "quickstart, one-server"
cmp -s "$out_dir/default/jobs.csv" "$out_dir/one-server/jobs.csv" || fail "one-server differs from the default"

for policy in first-fit best-fit spread random packing topology fgd; do
  run=$out_dir/spread-$policy
  "$cli" run "$scenario" --quiet --out "$run" --set placement.policy=$policy --set placement.multi_gpu=spread ||
    fail "quickstart, $policy with spread"
  check "$run" --replay-exact
done
n=$(spread_jobs "$out_dir/spread-first-fit")
[[ $n -gt 0 ]] || fail "first-fit with spread put no job of at most 8 GPUs on two servers"

"$cli" run "$scenario" --quiet --out "$out_dir/whole-servers" --set placement.multi_gpu=whole-servers ||
  fail "quickstart, whole-servers"
check "$out_dir/whole-servers" --replay-exact

# Fractional multi-GPU jobs (shares of several GPUs) under MPS, CPUs and memory split over servers.
"$python" - "$out_dir/fractional.csv" <<'PY'
import random, sys
rng = random.Random(3)
with open(sys.argv[1], "w") as f:
    f.write("job_id,submit_s,duration_s,gpus,gpu_milli,cpus,mem_gib,tenant\n")
    t = 0.0
    for i in range(200):
        t += rng.expovariate(1 / 30)
        gpus = rng.choice([1, 1, 2, 3, 4, 6, 8, 12])
        milli = rng.choice([250, 500, 1000]) if gpus <= 8 else 1000
        f.write(f"f-{i:04d},{t:.1f},{rng.randint(60, 900)},{gpus},{milli},{4 * gpus},{16 * gpus},t{i % 3}\n")
PY
for mode in one-server spread whole-servers; do
  for policy in first-fit best-fit fgd; do
    run=$out_dir/fractional-$mode-$policy
    "$cli" run "$scenario" --quiet --out "$run" --set workload.jobs.path="$out_dir/fractional.csv" \
      --set virtualization.gpu_sharing=mps --set placement.policy=$policy --set placement.multi_gpu=$mode ||
      fail "fractional workload, $policy with $mode"
    check "$run"
    "$python" - "$run/summary.json" <<'PY' || fail "job counts of $run"
import json, sys
s = json.load(open(sys.argv[1]))["jobs"]
assert s["submitted"] == 200 and s["completed"] == 200, s
PY
  done
done
[[ $(spread_jobs "$out_dir/fractional-spread-first-fit") -gt 0 ]] || fail "no fractional job spread over servers"

# An unknown value: exit 2, with the file, line, JSON path and the expected values.
set +e
"$cli" run "$scenario" --quiet --out "$out_dir/bad" --set placement.multi_gpu=spred 2>"$out_dir/bad.err"
rc=$?
set -e
[[ $rc == 2 ]] || fail "multi_gpu=spred exited $rc, expected 2"
grep -q 'quickstart.json.*/placement/multi_gpu: found "spred", expected one of: one-server, spread, whole-servers' \
  "$out_dir/bad.err" || fail "unclear error for multi_gpu=spred: $(cat "$out_dir/bad.err")"

echo "OK: multi_gpu one-server (= default), spread ($n jobs of <= 8 GPUs on two servers with first-fit)," \
  "whole-servers, fractional jobs under MPS, unknown value rejected"
