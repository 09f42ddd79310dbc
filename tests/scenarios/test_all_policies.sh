#!/usr/bin/env bash
# Every scheduler on a contended Philly week, and every placement policy on the OpenB replay (with MPS
# sharing, so fractional pods share GPUs), through the CLI; each run's outputs must pass the invariant
# checker (every job once, consistent times, no GPU over-allocated). Needs ../shared/traces (exit 77
# without it). Usage (from ctest): test_all_policies.sh CLI SOURCE_DIR OUT_DIR
set -euo pipefail
cli=$1 source_dir=$2 out_dir=$3
traces=$(cd "$source_dir/.." && pwd)/shared/traces
[[ -f $traces/philly/philly.csv && -f $traces/openb/openb_pod_list_default.csv ]] || {
  echo "SKIP: public traces missing under $traces" >&2
  exit 77
}
rm -rf "$out_dir"
mkdir -p "$out_dir"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
check() {  # check RUN_DIR: invariants and job accounting
  /usr/bin/python3 "$source_dir/tests/scenarios/check_invariants.py" "$1" >/dev/null || fail "invariants of $1"
  "$cli" check "$1" >/dev/null || fail "aidcsim check of $1"
  /usr/bin/python3 - "$1/summary.json" <<'PY' || fail "job counts of $1"
import json, sys
s = json.load(open(sys.argv[1]))["jobs"]
assert s["submitted"] > 1000 and s["completed"] + s["rejected"] + s["unfinished"] == s["submitted"], s
f = json.load(open(sys.argv[1]))["gpu_fragmentation"]
assert f is not None and 0 <= f <= 1, f
PY
}

"$cli" platform openb "$traces/openb/openb_node_list_all_node.csv" -o "$out_dir/openb.xml" >/dev/null
# A Philly day on a 128-GPU platform (queues build up, preemption and backfilling have work to do).
for policy in fifo sjf backfill las drf priority; do
  "$cli" run "$source_dir/scenarios/philly-fifo.json" --quiet --out "$out_dir/philly-$policy" \
    --set platform="$source_dir/platforms/nasa-ipsc-128.xml" --set scheduler.policy=$policy \
    --set 'workload.jobs.time_window=[3628800, 3715200]' \
    --set monitoring.interval_s=3600 || fail "scheduler $policy on the Philly day"
  check "$out_dir/philly-$policy"
done
for policy in first-fit random best-fit spread packing clustering dotprod topology fgd; do
  "$cli" run "$source_dir/scenarios/openb-replay.json" --quiet --out "$out_dir/openb-$policy" \
    --set platform="$out_dir/openb.xml" --set placement.policy=$policy \
    --set virtualization.gpu_sharing=mps --set workload.jobs.time_scale=0.005 --set monitoring.interval_s=86400 ||
    fail "placement $policy on OpenB"
  check "$out_dir/openb-$policy"
done
# The schedulers must really differ here: queueing happened, and the preemptive one preempted.
/usr/bin/python3 - "$out_dir" <<'PY' || fail "the Philly day did not exercise the schedulers"
import json, sys, csv
out = sys.argv[1]
delays = {p: json.load(open(f"{out}/philly-{p}/summary.json"))["queue_delay_s"]["mean"]
          for p in ["fifo", "sjf", "backfill", "las", "drf", "priority"]}
assert delays["fifo"] > 0 and len(set(delays.values())) >= 3, delays
assert sum(int(r["preemptions"]) for r in csv.DictReader(open(f"{out}/philly-las/jobs.csv"))) > 0
print("mean queueing delay (s):", {p: round(d) for p, d in delays.items()})
PY
echo "OK: 6 schedulers on a Philly day, 9 placement policies on the OpenB replay"
