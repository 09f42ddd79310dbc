#!/usr/bin/env bash
# Benchmark of the iterations model (docs/network.md): the Philly week (14,724 jobs) with every GPU job a
# ResNet-50 ring all-reduce on the Philly-like fat tree (uplinks 4:1), next to the same week under the
# trace model; and the same week with every job's GPUs taken one at a time (spread placement), so that
# every multi-GPU job's ring crosses servers. Target: under 30 s. Reports SimGrid's activities (executions
# and communications started) and steps (clock advances, one LMM solve each) with aidcsim run
# --engine-stats. Called by bench/run.sh with the build folder.
set -euo pipefail
build=${1:-build-release}
data=$build/bench-data
cli=$build/aidcsim
trace=../shared/traces/philly/philly.csv
[[ -f $trace ]] || { echo "network benchmark skipped: $trace not found"; exit 0; }
mkdir -p "$data"
[[ -f $data/philly-os4.xml ]] || "$cli" platform philly --oversubscription 4 -o "$data/philly-os4.xml" >/dev/null
platform=$(cd "$data" && pwd)/philly-os4.xml
run() {  # run NAME SCENARIO SETS... : best of three wall times, with the engine's figures of the last run
  local name=$1 scenario=$2; shift 2
  rm -f "$data/$name.network-times"
  for round in 1 2 3; do
    /usr/bin/time -f "%e %M" -a -o "$data/$name.network-times" "$cli" run "$scenario" \
      --set platform="$platform" "$@" --out "$data/out-$name" --quiet --engine-stats "$data/$name.engine.json"
  done
  read -r wall rss_kib <<< "$(sort -n "$data/$name.network-times" | head -1)"
  /usr/bin/python3 - "$name" "$wall" "$rss_kib" "$data/$name.engine.json" <<'PY'
import json, sys
name, wall, kib, stats = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), json.load(open(sys.argv[4]))
print(f"{name:32s} wall {wall:6.2f} s   peak RSS {kib // 1024:5d} MiB   SimGrid activities {stats['simgrid_activities']:8d}"
      f"   steps (LMM solves) {stats['simgrid_steps']:8d}   core events {stats['core_events']:8d}")
PY
}
run philly-week-trace-model scenarios/philly-fifo.json
run philly-week-iterations-ring scenarios/network-philly.json
run philly-week-iterations-spread scenarios/network-philly.json --set placement.policy=spread --set placement.multi_gpu=spread
echo "target: philly-week-iterations-ring under 30 s"
