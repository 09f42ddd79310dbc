#!/usr/bin/env bash
# Benchmarks of quota (docs/quota.md): the million-job replay under Kueue (16 ClusterQueues of 400
# GPUs in one cohort, BestEffortFIFO, borrowing, no preemption) against the same trace without quota
# (target: within 1.5x), and the points of the Philly-week quota study (target: each under 5 s).
# Called by bench/run.sh with the Release build directory.
set -euo pipefail
build=${1:-build-release}
data=$build/bench-data
cli=$build/aidcsim
here=$(cd "$(dirname "$0")/.." && pwd)
time_it() {  # time_it NAME COMMAND...: wall seconds and peak RSS of one command
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$data/$name.time" "$@" >/dev/null
  read -r wall rss_kib < "$data/$name.time"
  printf '%-28s wall %6.2f s   peak RSS %6.0f MiB\n' "$name" "$wall" "$((rss_kib / 1024))"
}
# The foundation trace with 16 tenants t0..t15 (round robin) instead of 4.
[[ -f $data/poisson-1m-16t.csv ]] ||
  awk -F, 'BEGIN { OFS = "," } NR == 1 { print; next } { $6 = "t" ((NR - 2) % 16); print }' "$data/poisson-1m.csv" > "$data/poisson-1m-16t.csv"
queues="" tenants=""
for q in $(seq 0 15); do
  queues+="${queues:+, }{ \"name\": \"cq$q\", \"cohort\": \"all\", \"queueing_strategy\": \"BestEffortFIFO\", \"resources\": { \"gpus\": 400 } }"
  tenants+="${tenants:+, }\"t$q\": \"cq$q\""
done
for variant in none kueue; do
  quota='{ "policy": "none" }'
  [[ $variant == kueue ]] && quota="{ \"policy\": \"kueue\", \"cluster_queues\": [ $queues ], \"tenants\": { $tenants } }"
  cat > "$data/bench-1m-$variant.json" <<JSON
{ "name": "bench-1m-$variant", "platform": "ft800x8.xml",
  "workload": { "jobs": { "path": "poisson-1m-16t.csv", "format": "native" } },
  "scheduler": { "policy": "fifo" }, "placement": { "policy": "first-fit" }, "quota": $quota }
JSON
  time_it "replay-1m-quota-$variant" "$cli" run "$data/bench-1m-$variant.json" --out "$data/out-1m-quota-$variant" --quiet
done
read -r none_s _ < "$data/replay-1m-quota-none.time"
read -r kueue_s _ < "$data/replay-1m-quota-kueue.time"
printf 'kueue / no quota: %.2fx (target <= 1.5x)\n' "$(/usr/bin/python3 -c "print($kueue_s / $none_s)")"
# The Philly-week quota study's points (scenarios/studies/philly-quota.json), one seed.
if [[ -f $here/../shared/traces/philly/philly.csv ]]; then
  [[ -f $here/build/platforms/philly.xml ]] || "$cli" platform philly -o "$here/build/platforms/philly.xml" >/dev/null
  "$cli" sweep "$here/scenarios/studies/philly-quota.json" --out "$data/out-philly-quota" --quiet >/dev/null
  /usr/bin/python3 - "$data/out-philly-quota" <<'PY'
import csv, json, os, sys
out = sys.argv[1]
walls = []
for row in csv.DictReader(open(os.path.join(out, "results.csv"))):
    walls.append(json.load(open(os.path.join(out, row["dir"], "summary.json")))["wall_s"])
print(f"philly-quota study: {len(walls)} points, slowest {max(walls):.2f} s (target < 5 s)")
PY
fi
