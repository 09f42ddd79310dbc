#!/usr/bin/env bash
# Benchmarks of the runtimes: 100,000 Poisson jobs of four tenants on the 6,400-GPU fat tree under
# the container runtime (5 GB images pulled from the storage host over the fabric, 20 GB per-server
# caches), the VM runtime (boots, reuse, idle timeouts), and the VM runtime with consolidation
# (10-minute rounds of live migrations). Called by bench/run.sh.
set -euo pipefail
build=${1:-build-release}
data=$build/bench-data
cli=$build/aidcsim
time_it() {  # time_it NAME COMMAND...: wall seconds and peak RSS of one command
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$data/$name.time" "$@" >/dev/null
  read -r wall rss_kib < "$data/$name.time"
  printf '%-28s wall %6.2f s   peak RSS %6.0f MiB\n' "$name" "$wall" "$((rss_kib / 1024))"
}
[[ -f $data/ft800x8.xml ]] || "$cli" platform fat-tree --servers 800 --gpus-per-server 8 --gpu-model A100-80GB --layout per-rack -o "$data/ft800x8.xml" >/dev/null
[[ -f $data/poisson-100k.csv ]] || "$build/bench/make_poisson_trace" 100000 6400 0.9 3600 1.0 "$data/poisson-100k.csv"
for runtime in container vm vm-consolidation; do
  case $runtime in
    container) options='"container": { "image_bytes": 5e9, "cache_bytes": 20e9 }' ;;
    vm) options='"vm": { "boot_s": 60, "idle_timeout_s": 600 }' ;;
    vm-consolidation) options='"vm": { "boot_s": 60, "idle_timeout_s": 600, "consolidation": { "interval_s": 600 } }' ;;
  esac
  cat > "$data/bench-$runtime.json" <<JSON
{ "name": "bench-$runtime-100k", "platform": "ft800x8.xml",
  "workload": { "jobs": { "path": "poisson-100k.csv", "format": "native" } },
  "virtualization": { "runtime": "${runtime%%-*}", $options } }
JSON
  time_it "$runtime-100k-6400gpus" "$cli" run "$data/bench-$runtime.json" --out "$data/out-$runtime" --quiet
done
echo "targets: container and VM runtimes (with or without consolidation), 100k jobs, under 120 s each"
