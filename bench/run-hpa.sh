#!/usr/bin/env bash
# Benchmark of the HPA (docs/autoscaling.md): a day of chat traffic (scenarios/inference-hpa-day.json:
# about 270,000 requests on up to 8 llama2-70b replicas) with Prometheus scraping every 15 s and the
# HPA syncing every 15 s; the target is under 10 s wall. The same day without the HPA (its 8 replicas
# fixed, no scrapes) shows what the control loop costs. Best of three runs each (wall times on this
# kind of machine vary by tens of percent). Called by bench/run.sh with the build folder.
set -euo pipefail
build=${1:-build-release}
data=$build/bench-data
cli=$build/aidcsim
mkdir -p "$data"
scenario=scenarios/inference-hpa-day.json
rm -f "$data/hpa-day.times" "$data/hpa-day-fixed.times"
for round in 1 2 3; do
  /usr/bin/time -f "%e %M" -a -o "$data/hpa-day.times" "$cli" run "$scenario" --out "$data/out-hpa-day" --quiet
  /usr/bin/time -f "%e %M" -a -o "$data/hpa-day-fixed.times" "$cli" run "$scenario" --out "$data/out-hpa-day-fixed" --quiet \
    --set autoscaling=null --set workload.services.0.replicas=8
done
read -r hpa hpa_kib <<< "$(sort -n "$data/hpa-day.times" | head -1)"
read -r fixed fixed_kib <<< "$(sort -n "$data/hpa-day-fixed.times" | head -1)"
/usr/bin/python3 - "$hpa" "$fixed" "$hpa_kib" "$data/out-hpa-day/summary.json" <<'PY'
import json, sys
hpa, fixed, kib = map(float, sys.argv[1:4])
s = json.load(open(sys.argv[4]))
c, a = s["services"]["chat"], s["autoscaling"]["services"]["chat"]
print(f"hpa-day (HPA + scrapes, 15 s)   wall {hpa:6.2f} s (8 fixed replicas, no control loop: {fixed:.2f} s; best of 3 each; target < 10 s)"
      f"   peak RSS {kib / 1024:.0f} MiB   {c['requests']['submitted']} requests, {a['syncs']} syncs, {a['scale_events']} scale events, "
      f"{s['events'] + c['events']} events")
PY
