#!/usr/bin/env bash
# Benchmark of the Cluster Autoscaler's cost on the million-job replay of bench/run.sh: the same replay
# with one rack (16 servers, 128 GPUs) as a node group under the Cluster Autoscaler with its defaults
# (scan every 10 s, least-waste, 10 min unneeded time); the target is at most 20 % more wall time than
# the replay without it (best of three runs of each, alternated). Called by bench/run.sh with the build folder.
set -euo pipefail
build=${1:-build-release}
data=$build/bench-data
cli=$build/aidcsim
[[ -f $data/bench-1m.json ]] || { echo "cluster autoscaler benchmark skipped: run bench/run.sh first"; exit 0; }
/usr/bin/python3 - "$data/bench-1m.json" "$data/bench-1m-ca.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["name"] = "bench-1m-ca"
s["autoscaling"] = {"nodes": {"groups": [{"name": "burst", "match": {"rack": "rack-049"}, "min": 0, "max": 16, "provision_s": 300}]}}
json.dump(s, open(sys.argv[2], "w"))
PY
rm -f "$data/bench-1m.ca-times" "$data/bench-1m-ca.ca-times"
for round in 1 2 3; do
  for name in bench-1m bench-1m-ca; do
    /usr/bin/time -f "%e %M" -a -o "$data/$name.ca-times" "$cli" run "$data/$name.json" --out "$data/out-$name-ca" --quiet
  done
done
read -r plain plain_kib <<< "$(sort -n "$data/bench-1m.ca-times" | head -1)"
read -r ca ca_kib <<< "$(sort -n "$data/bench-1m-ca.ca-times" | head -1)"
/usr/bin/python3 - "$plain" "$ca" "$plain_kib" "$ca_kib" "$data/out-bench-1m-ca-ca/summary.json" <<'PY'
import json, sys
plain, ca, pk, ck = map(float, sys.argv[1:5])
n = json.load(open(sys.argv[5]))["autoscaling"]["nodes"]["burst"]
print(f"replay-1m with a node group     wall {ca:6.2f} s (without: {plain:.2f} s, {100 * (ca / plain - 1):+.1f} %, best of 3 each; target <= +20 %)"
      f"   peak RSS {ck / 1024:.0f} MiB (without: {pk / 1024:.0f})   {n['scale_ups']} scale-ups, {n['scale_downs']} scale-downs")
PY
