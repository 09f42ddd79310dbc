#!/usr/bin/env bash
# Replays of real traces on real-cluster platforms (docs/platforms.md):
#   * regenerates the committed platforms (helios-venus.xml, nasa-ipsc-128.xml) and compares them;
#   * generates the large ones (openb.xml, openb-a100.xml, philly.xml: > 2 MB, not committed) into OUT_DIR
#     and checks `platform info`;
#   * runs scenarios/openb-replay.json, philly-fifo.json and nasa-swf.json (platform overridden with the
#     generated file) and checks the counts of summary.json and the invariants of the run;
#   * heterogeneity: the OpenB gpuspec33 pod list on the OpenB platform (1 pod rejected: 120 CPUs on a G2
#     node) and on the all-A100 platform (2,092 pods rejected: their gpu_spec names no A100).
# Needs ../shared/traces next to the repository; exits 77 (skipped) without it.
# Usage (from ctest): test_replays.sh CLI SOURCE_DIR OUT_DIR
set -euo pipefail
cli=$1 source_dir=$2 out_dir=$3
python=/usr/bin/python3
traces=$(cd "$source_dir/.." && pwd)/shared/traces
rm -rf "$out_dir"
mkdir -p "$out_dir"

for f in openb/openb_node_list_all_node.csv openb/openb_pod_list_default.csv openb/openb_pod_list_gpuspec33.csv \
         philly/philly.csv swf-nasa-ipsc/NASA-iPSC-1993-3.1-cln.swf.gz; do
  if [[ ! -f $traces/$f ]]; then
    echo "SKIP: $traces/$f is missing" >&2
    exit 77
  fi
done

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# ---- Platforms ----
"$cli" platform helios -o "$out_dir/helios-venus.xml" >/dev/null
cmp -s "$out_dir/helios-venus.xml" "$source_dir/platforms/helios-venus.xml" ||
  fail "platforms/helios-venus.xml differs from 'aidcsim platform helios' (regenerate it)"
"$cli" platform fat-tree --servers 128 --gpus-per-server 1 --gpu-model A100-80GB -o "$out_dir/nasa-ipsc-128.xml" >/dev/null
cmp -s "$out_dir/nasa-ipsc-128.xml" "$source_dir/platforms/nasa-ipsc-128.xml" ||
  fail "platforms/nasa-ipsc-128.xml differs from 'aidcsim platform fat-tree --servers 128 --gpus-per-server 1 --gpu-model A100-80GB'"

"$cli" platform openb "$traces/openb/openb_node_list_all_node.csv" -o "$out_dir/openb.xml" >/dev/null
"$cli" platform openb "$traces/openb/openb_node_list_all_node.csv" --gpu-model-override A100-80GB \
  -o "$out_dir/openb-a100.xml" >/dev/null
"$cli" platform philly -o "$out_dir/philly.xml" >/dev/null

# `platform info` loads each file in SimGrid: "gpus: N" and the per-model lines.
expect_info() {  # FILE LINE...
  local file=$1 info
  shift
  info=$("$cli" platform info "$file")
  for line in "$@"; do
    grep -qxF -- "$line" <<<"$info" || fail "platform info $(basename "$file"): no line '$line' in:
$info"
  done
}
expect_info "$out_dir/openb.xml" "servers: 1523 (1213 with GPUs), 125514 cores, 597684 GiB memory" "gpus: 6212" \
  "  G2: 4392 GPUs on 549 servers" "  T4: 842 GPUs on 404 servers" "  P100: 265 GPUs on 134 servers" \
  "  V100M16: 195 GPUs on 55 servers" "  G3: 312 GPUs on 39 servers" "  V100M32: 204 GPUs on 30 servers" \
  "  A10: 2 GPUs on 2 servers"
expect_info "$out_dir/openb-a100.xml" "gpus: 6212" "  A100-80GB: 6212 GPUs on 1213 servers"
expect_info "$out_dir/philly.xml" "gpus: 2490" "  P40: 1848 GPUs on 231 servers" "  P100-12GB: 642 GPUs on 321 servers"
expect_info "$source_dir/platforms/helios-venus.xml" "gpus: 1080" "  V100M32: 1080 GPUs on 135 servers"
expect_info "$source_dir/platforms/nasa-ipsc-128.xml" "gpus: 128"

# ---- Replays ----
# run NAME SCENARIO PLATFORM SUBMITTED REJECTED GPUS_TOTAL [--set ...]
run() {
  local name=$1 scenario=$2 platform=$3 submitted=$4 rejected=$5 gpus_total=$6
  shift 6
  local dir=$out_dir/$name start end
  start=$(date +%s.%N)
  "$cli" run "$source_dir/scenarios/$scenario" --set "platform=$platform" "$@" --out "$dir" --quiet
  end=$(date +%s.%N)
  for f in summary.json jobs.csv timeseries.csv run.json; do
    [[ -s $dir/$f ]] || fail "$dir/$f is missing or empty"
  done
  "$python" - "$dir/summary.json" "$name" "$submitted" "$rejected" "$gpus_total" "$start" "$end" <<'PY'
import json, sys
path, name, submitted, rejected, gpus_total, start, end = sys.argv[1:]
s = json.load(open(path))
jobs = s["jobs"]
problems = []
if jobs["submitted"] != int(submitted):
    problems.append(f"submitted is {jobs['submitted']}, expected {submitted}")
if jobs["completed"] + jobs["rejected"] + jobs["unfinished"] != jobs["submitted"]:
    problems.append(f"completed + rejected + unfinished = {jobs['completed'] + jobs['rejected'] + jobs['unfinished']}, "
                    f"expected submitted = {jobs['submitted']}")
if jobs["rejected"] != int(rejected):
    problems.append(f"rejected is {jobs['rejected']}, expected {rejected}")
if jobs["completed"] == 0:
    problems.append("no job completed")
if s["gpus_total"] != int(gpus_total):
    problems.append(f"gpus_total is {s['gpus_total']}, expected {gpus_total}")
if not 0 < s["gpu_allocation"] <= 1:
    problems.append(f"gpu_allocation is {s['gpu_allocation']}, expected in (0, 1]")
if problems:
    print(f"FAIL: {name}: " + "; ".join(problems), file=sys.stderr)
    sys.exit(1)
print(f"{name}: {jobs['submitted']} submitted, {jobs['completed']} completed, {jobs['rejected']} rejected, "
      f"{jobs['unfinished']} unfinished; gpu_allocation {s['gpu_allocation']}, "
      f"queue_delay_s mean {s['queue_delay_s']['mean']}, wall {float(end) - float(start):.2f} s")
PY
  # Exclusive whole GPUs, bare metal, trace model: the replay rule holds exactly.
  if [[ -f $source_dir/tests/scenarios/check_invariants.py ]]; then
    "$python" "$source_dir/tests/scenarios/check_invariants.py" "$dir" --replay-exact
  fi
  "$cli" check "$dir" --replay-exact
}

run openb-replay openb-replay.json "$out_dir/openb.xml" 7255 0 6212
run philly-fifo philly-fifo.json "$out_dir/philly.xml" 14724 0 2490
run nasa-swf nasa-swf.json "$source_dir/platforms/nasa-ipsc-128.xml" 18066 0 128

# Heterogeneity: gpu_spec restricts placement; requests no eligible node can hold are rejected with a reason.
gpuspec33=workload.jobs.path=$traces/openb/openb_pod_list_gpuspec33.csv
run openb-gpuspec33 openb-replay.json "$out_dir/openb.xml" 7255 1 6212 --set "$gpuspec33"
grep -q '^openb-pod-1639,.*,rejected,.*no server can hold 120 CPUs' "$out_dir/openb-gpuspec33/jobs.csv" ||
  fail "openb-gpuspec33: openb-pod-1639 (8 G2 GPUs, 120 CPUs; G2 nodes have 96-104) is not rejected for its CPUs"
run openb-gpuspec33-a100 openb-replay.json "$out_dir/openb-a100.xml" 7255 2092 6212 --set "$gpuspec33"
not_on_platform=$(grep -c ',rejected,.*is not on the platform (models: A100-80GB)' "$out_dir/openb-gpuspec33-a100/jobs.csv" || true)
[[ $not_on_platform -eq 2092 ]] ||
  fail "openb-gpuspec33-a100: $not_on_platform pods rejected for a gpu_model not on the platform, expected 2092"

echo "test_replays: ok"
