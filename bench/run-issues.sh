#!/usr/bin/env bash
# Benchmarks of the later capabilities: real-trace reading and replay, the FGD packing experiment,
# and GPU sharing (MPS) at scale. Called by bench/run.sh with the Release build directory.
set -euo pipefail
build=${1:-build-release}
data=$build/bench-data
cli=$build/aidcsim
shared=$(cd "$(dirname "$0")/../.." && pwd)/shared/traces
time_it() {  # time_it NAME COMMAND...: wall seconds and peak RSS of one command
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$data/$name.time" "$@" >/dev/null
  read -r wall rss_kib < "$data/$name.time"
  printf '%-28s wall %6.2f s   peak RSS %6.0f MiB\n' "$name" "$wall" "$((rss_kib / 1024))"
}
if [[ -d $shared ]]; then
  time_it philly-read-82k "$cli" trace stats --format philly "$shared/philly/philly.csv"
  "$cli" platform openb "$shared/openb/openb_node_list_all_node.csv" -o "$data/openb.xml" >/dev/null
  cat > "$data/openb-replay.json" <<JSON
{ "name": "openb-replay", "platform": "openb.xml",
  "workload": { "jobs": { "path": "$shared/openb/openb_pod_list_default.csv", "format": "openb" } } }
JSON
  time_it openb-replay-8k "$cli" run "$data/openb-replay.json" --out "$data/out-openb-replay" --quiet
  "$cli" platform openb "$shared/openb/openb_node_list_gpu_node.csv" -o "$data/openb-gpu.xml" >/dev/null
  for policy in random dotprod clustering packing best-fit fgd; do
    cat > "$data/fgd-$policy.json" <<JSON
{ "name": "fgd-$policy", "seed": 42, "platform": "openb-gpu.xml",
  "workload": { "jobs": { "path": "$shared/openb/openb_pod_list_default.csv", "format": "openb",
                          "replay": "packing", "arrival": "inflation", "target_percent": 130 } },
  "placement": { "policy": "$policy" }, "virtualization": { "gpu_sharing": "mps" } }
JSON
    time_it "fgd-packing-$policy" "$cli" run "$data/fgd-$policy.json" --out "$data/out-fgd-$policy" --quiet
  done
else
  echo "(no $shared: real-trace benchmarks skipped)"
fi
[[ -f $data/poisson-100k-mps.csv ]] || "$build/bench/make_poisson_trace" 100000 6400 0.9 3600 1.0 "$data/poisson-100k-mps.csv" 0.6
cat > "$data/bench-mps.json" <<JSON
{ "name": "bench-mps-100k", "platform": "ft800x8.xml",
  "workload": { "jobs": { "path": "poisson-100k-mps.csv", "format": "native" } },
  "virtualization": { "gpu_sharing": "mps" } }
JSON
time_it mps-100k-6400gpus "$cli" run "$data/bench-mps.json" --out "$data/out-mps" --quiet
echo "targets: philly read < 1 s; openb replay < 5 s; FGD experiment < 5 s per policy and seed; MPS 100k < 60 s"
