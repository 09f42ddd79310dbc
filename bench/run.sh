#!/usr/bin/env bash
# make bench: the foundation benchmark — 1,000,000 1-GPU jobs (Poisson, ~90% load, lognormal
# durations) on a generated 800 x 8 = 6,400-GPU fat tree, FIFO + first-fit, exclusive GPUs.
set -euo pipefail
build=${1:-build-release}
data=$build/bench-data
mkdir -p "$data"
cli=$build/aidcsim
[[ -f $data/ft800x8.xml ]] || "$cli" platform fat-tree --servers 800 --gpus-per-server 8 --gpu-model A100-80GB --layout per-rack -o "$data/ft800x8.xml" >/dev/null
[[ -f $data/poisson-1m.csv ]] || "$build/bench/make_poisson_trace" 1000000 6400 0.9 3600 1.0 "$data/poisson-1m.csv"
cat > "$data/bench-1m.json" <<JSON
{ "name": "bench-1m", "platform": "ft800x8.xml",
  "workload": { "jobs": { "path": "poisson-1m.csv", "format": "native" } },
  "scheduler": { "policy": "fifo" }, "placement": { "policy": "first-fit" } }
JSON
measure() {  # measure NAME ARGS... : wall time and peak RSS of one aidcsim run
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$data/$name.time" "$cli" "$@" --quiet
  read -r wall rss_kib < "$data/$name.time"
  events=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['events'])" "$data/out-$name/summary.json")
  printf '%-28s wall %6.2f s   peak RSS %6.0f MiB   events %9d   %8.0f events/s\n' "$name" "$wall" "$((rss_kib / 1024))" "$events" "$(/usr/bin/python3 -c "print($events/max($wall,1e-9))")"
}
echo "== aidcsim benchmarks ($(nproc) cores) =="
measure replay-1m-fifo-first-fit run "$data/bench-1m.json" --out "$data/out-replay-1m-fifo-first-fit"
for extra in bench/run-*.sh; do [[ -f $extra ]] && bash "$extra" "$build"; done
echo "targets: replay-1m under 10 s wall and under 1024 MiB"
