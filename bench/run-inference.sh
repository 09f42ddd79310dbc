#!/usr/bin/env bash
# Benchmarks of inference services (docs/inference.md): the Azure LLM conversation hour (19,366
# requests) on 8 llama2-70b replicas (A100, tensor parallel 8) with vLLM batching (target: under 3 s
# wall), then ten times its rate on 80 replicas, two ways: the same requests in a tenth of the time, and
# a generated hour at 10x the rate (Poisson, the trace's token counts; ~194,000 requests), whose time
# must grow no more than linearly (<= 10x). Called by bench/run.sh with the Release build directory.
set -euo pipefail
build=${1:-build-release}
data=$build/bench-data
cli=$build/aidcsim
here=$(cd "$(dirname "$0")/.." && pwd)
conv=$here/../shared/traces/azure-llm-2023/AzureLLMInferenceTrace_conv.csv
table=$here/../shared/traces/llm-perf-splitwise/perf_model.csv
[[ -f $conv && -f $table ]] || { echo "inference benchmarks skipped: $conv or $table is missing"; exit 0; }
[[ -f $data/a100x80.xml ]] || "$cli" platform fat-tree --servers 80 --gpus-per-server 8 --gpu-model A100-80GB -o "$data/a100x80.xml" >/dev/null
scenario() {  # scenario NAME REPLICAS REQUESTS-JSON
  cat > "$data/$1.json" <<JSON
{ "name": "$1", "platform": "a100x80.xml",
  "workload": { "services": [ { "name": "chat", "model": "llama2-70b", "gpu_model": "A100-80GB",
      "tensor_parallel": 8, "replicas": $2, "perf_table": "$table", "requests": $3,
      "batching": { "policy": "vllm" }, "router": { "policy": "round-robin" } } ] } }
JSON
}
scenario bench-conv-8 8 "{ \"path\": \"$conv\", \"format\": \"azure-llm\" }"
scenario bench-conv-80-compressed 80 "{ \"path\": \"$conv\", \"format\": \"azure-llm\", \"time_scale\": 0.1 }"
scenario bench-conv-80-10x 80 "{ \"format\": \"poisson\", \"rate_per_s\": 53.8, \"duration_s\": 3600, \"sizes_from\": { \"path\": \"$conv\" } }"
for name in bench-conv-8 bench-conv-80-compressed bench-conv-80-10x; do
  /usr/bin/time -f "%e %M" -o "$data/$name.time" "$cli" run "$data/$name.json" --out "$data/out-$name" --quiet
  read -r wall rss_kib < "$data/$name.time"
  /usr/bin/python3 - "$data/out-$name/summary.json" "$name" "$wall" "$rss_kib" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); name, wall, rss = sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
chat = s["services"]["chat"]
events = s["events"] + chat["events"]
span = s["makespan_s"] or 0
print(f"{name:<28} wall {wall:6.2f} s   peak RSS {rss // 1024:5d} MiB   {chat['requests']['completed']:7d} requests"
      f"   events {events:9d}   {events / max(wall, 1e-9):10.0f} events/s   {span / max(wall, 1e-9):8.0f}x the {span:.0f} s simulated")
PY
done
/usr/bin/python3 - "$data" <<'PY'
import sys
data = sys.argv[1]
wall = {n: float(open(f"{data}/{n}.time").read().split()[0]) for n in ("bench-conv-8", "bench-conv-80-10x")}
print(f"conversation hour on 8 replicas: {wall['bench-conv-8']:.2f} s (target < 3 s); "
      f"10x the rate on 80 replicas: {wall['bench-conv-80-10x'] / wall['bench-conv-8']:.1f}x the time (target <= 10x)")
PY
