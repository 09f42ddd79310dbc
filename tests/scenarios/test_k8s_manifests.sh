#!/usr/bin/env bash
# Kubernetes manifests as a workload (format "k8s", docs/traces.md):
#   * round trip: the OpenB default pod list, converted to Pod manifests by
#     scenarios/traces/openb_to_k8s.py, gives the same run as the CSV read by the openb reader
#     (replay "all"): jobs.csv byte-identical, summary.json identical but for wall_s; and the same
#     with --replay time (the pods the openb reader skips are left out of the manifests, so only
#     summary.json's skipped_rows differs);
#   * a bad manifest is an input error: exit 2, the line-numbered message, no output folder.
# Needs ../shared/traces next to the repository; exits 77 (skipped) without it.
# Usage (from ctest): test_k8s_manifests.sh CLI SOURCE_DIR OUT_DIR
set -euo pipefail
cli=$1 source_dir=$2 out_dir=$3
python=/usr/bin/python3
traces=$(cd "$source_dir/.." && pwd)/shared/traces
pods=$traces/openb/openb_pod_list_default.csv nodes=$traces/openb/openb_node_list_all_node.csv
for f in "$pods" "$nodes"; do
  if [[ ! -f $f ]]; then
    echo "SKIP: $f is missing" >&2
    exit 77
  fi
done
rm -rf "$out_dir"
mkdir -p "$out_dir"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

"$cli" platform openb "$nodes" -o "$out_dir/openb.xml" >/dev/null

# scenario FILE JOBS_JSON: the same scenario (same name) around two workloads.
scenario() {
  cat >"$1" <<JSON
{ "name": "k8s-round-trip", "seed": 1, "platform": "$out_dir/openb.xml",
  "workload": { "jobs": $2 },
  "scheduler": { "policy": "fifo" }, "placement": { "policy": "first-fit" },
  "monitoring": { "interval_s": 3600 } }
JSON
}
classes='{ "openb-guaranteed": 3, "openb-ls": 2, "openb-burstable": 1, "openb-be": 0 }'

# round_trip REPLAY: converts with --replay REPLAY, runs both, compares.
round_trip() {
  local replay=$1 dir=$out_dir/$1
  mkdir -p "$dir"
  "$python" "$source_dir/scenarios/traces/openb_to_k8s.py" "$pods" --replay "$replay" -o "$dir/pods.yaml" 2>"$dir/convert.log"
  scenario "$dir/openb.json" "{ \"path\": \"$pods\", \"format\": \"openb\", \"replay\": \"$replay\" }"
  scenario "$dir/k8s.json" "{ \"path\": \"$dir/pods.yaml\", \"format\": \"k8s\", \"priority_classes\": $classes }"
  "$cli" run "$dir/openb.json" --out "$dir/openb" --quiet
  "$cli" run "$dir/k8s.json" --out "$dir/k8s" --quiet
  cmp "$dir/openb/jobs.csv" "$dir/k8s/jobs.csv" || fail "replay $replay: jobs.csv differs between the CSV and the manifests"
  "$python" - "$dir/openb/summary.json" "$dir/k8s/summary.json" "$replay" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
replay = sys.argv[3]
for s in (a, b):
    s.pop("wall_s", None)
skipped = a.pop("skipped_rows", None), b.pop("skipped_rows", None)
if a != b:
    keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    sys.exit(f"FAIL: replay {replay}: summary.json differs in {keys}")
if replay == "all" and skipped[0] != skipped[1]:
    sys.exit(f"FAIL: replay all: skipped_rows differ: {skipped}")
if a["jobs"]["submitted"] == 0 or a["jobs"]["completed"] == 0:
    sys.exit(f"FAIL: replay {replay}: nothing ran: {a['jobs']}")
print(f"replay {replay}: {a['jobs']['submitted']} jobs, identical runs from the CSV and the manifests")
PY
}
round_trip all
round_trip time

# A bad manifest: exit 2, the message with its line, nothing written.
bad=$out_dir/bad
mkdir -p "$bad"
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, annotations: {aidcsim.io/duration-s: "60"}}\nspec:\n  containers:\n  - name: c\n    resources:\n      limits: {nvidia.com/gpu: "-2"}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\n' >"$bad/pods.yaml"
scenario "$bad/k8s.json" "{ \"path\": \"$bad/pods.yaml\", \"format\": \"k8s\" }"
set +e
"$cli" run "$bad/k8s.json" --out "$bad/out" --quiet 2>"$bad/stderr"
code=$?
set -e
[[ $code -eq 2 ]] || fail "bad manifest: exit $code, expected 2"
[[ ! -e $bad/out ]] || fail "bad manifest: $bad/out was written"
for line in "error: $bad/pods.yaml:8: spec.containers[0].resources.limits.nvidia.com/gpu: found \"-2\", expected a quantity >= 0" \
            "error: $bad/pods.yaml:11: kind: found \"Service\", expected one of: Pod, Job, Deployment, List"; do
  grep -qxF -- "$line" "$bad/stderr" || fail "bad manifest: no line '$line' in:
$(cat "$bad/stderr")"
done
echo "test_k8s_manifests: ok"
