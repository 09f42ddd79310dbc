#!/usr/bin/env bash
# The cost concern through the CLI (docs/cost.md): scenarios/quickstart-cost.json's summary.json cost
# against the same figures recomputed from its jobs.csv; input errors (format, exit code 2, nothing
# written); `aidcsim list instances`; `aidcsim platform cloud` and a run priced by the preset alone.
# Usage (from ctest): test_cost.sh CLI SOURCE_DIR OUT_DIR
set -euo pipefail
cli=$1 source_dir=$2 out_dir=$3
python=/usr/bin/python3
rm -rf "$out_dir"
mkdir -p "$out_dir"
source_dir=$(cd "$source_dir" && pwd) out_dir=$(cd "$out_dir" && pwd)  # the scenarios written below name absolute paths

# 1. The shipped scenario: srv-00000 at p4de.24xlarge's price, srv-00001 in group "burst" at 40 $/h.
"$cli" run "$source_dir/scenarios/quickstart-cost.json" --out "$out_dir/run" --quiet
"$cli" list instances --json >"$out_dir/instances.json"
"$python" - "$out_dir/run" "$out_dir/instances.json" <<'PY'
import csv, json, sys
run, instances = sys.argv[1], json.load(open(sys.argv[2]))
s = json.load(open(f"{run}/summary.json"))
c = s["cost"]
p4de = [i for i in instances if i["name"] == "p4de.24xlarge"][0]["usd_per_hour"]
price = {"srv-00000": p4de, "srv-00001": 40.0}
jobs = list(csv.DictReader(open(f"{run}/jobs.csv")))
first = min(float(j["submit_s"]) for j in jobs)
ends = [float(j["end_s"]) for j in jobs if j["end_s"]]
span_h = (max(ends) - first) / 3600
problems = []
def close(name, got, want, tol=2e-6):
    if abs(got - want) > tol * max(1, abs(want)):
        problems.append(f"{name} = {got}, expected {want}")
close("server_hours", c["server_hours"], 2 * span_h)
close("total", c["total"], (p4de + 40) * span_h)
close("by_group.burst", c["by_group"]["burst"], 40 * span_h)
close("by_group.ungrouped", c["by_group"]["ungrouped"], p4de * span_h)
close("by_gpu_model.A100-80GB", c["by_gpu_model"]["A100-80GB"], (p4de + 40) * span_h)
# Quickstart: FIFO, exclusive whole GPUs, no preemption: each job held its GPUs from start_s to end_s.
tenants = {}
for j in jobs:
    if not j["start_s"]:
        continue
    held_s = float(j["end_s"]) - float(j["start_s"])
    # A job without GPUs lists its server: CPUs of a GPU server are not charged (the GPUs carry its price).
    rate = sum(price[h.split("-gpu-")[0]] / 8 / 3600 for h in j["hosts"].split(";") if "-gpu-" in h)
    tenants[j["tenant"]] = tenants.get(j["tenant"], 0) + held_s * rate
if set(tenants) != set(c["by_tenant"]):
    problems.append(f"by_tenant has {sorted(c['by_tenant'])}, expected {sorted(tenants)}")
for t, v in tenants.items():
    close(f"by_tenant.{t}", c["by_tenant"].get(t, 0), v)
close("idle", c["idle"], c["total"] - sum(tenants.values()), 1e-5)
if c["currency"] != "USD" or not 0 < c["idle"] < c["total"]:
    problems.append(f"currency {c['currency']!r}, idle {c['idle']} of {c['total']}")
if problems:
    print("FAIL: quickstart-cost summary.json cost: " + "; ".join(problems), file=sys.stderr)
    sys.exit(1)
print(f"quickstart-cost: total {c['total']} USD over {c['server_hours']} server-hours, idle {c['idle']}")
PY
# Without a cost section there is no cost key.
"$cli" run "$source_dir/scenarios/quickstart.json" --set workload.jobs.limit=5 --out "$out_dir/plain" --quiet
if grep -q '"cost"' "$out_dir/plain/summary.json"; then
  echo "FAIL: summary.json has cost without a cost section" >&2
  exit 1
fi

# 2. Input errors: every problem reported, FILE:LINE: /cost/...: format, exit code 2, no outputs.
cat >"$out_dir/bad.json" <<EOF
{
  "platform": "$source_dir/platforms/quickstart.xml",
  "workload": { "jobs": { "path": "$source_dir/scenarios/traces/quickstart.csv", "format": "native" } },
  "cost": {
    "preset": "cloud-on-demand-2026",
    "server_hour": { "H100-80GB": 30, "A100-80GB": -2 },
    "groups": [ { "name": "ghost", "match": { "rack": "rack-999" }, "server_hour": 10 } ]
  }
}
EOF
set +e
"$cli" run "$out_dir/bad.json" --out "$out_dir/bad-run" --quiet 2>"$out_dir/bad.err"
rc=$?
set -e
[[ $rc == 2 ]] || { echo "FAIL: bad cost section: exit code $rc, expected 2" >&2; cat "$out_dir/bad.err" >&2; exit 1; }
[[ ! -e $out_dir/bad-run/summary.json ]] || { echo "FAIL: bad cost section: summary.json written" >&2; exit 1; }
for expected in \
  "bad.json:6: /cost/server_hour/H100-80GB: \"H100-80GB\" is not a GPU model of the platform; expected one of: \"A100-80GB\"" \
  "bad.json:6: /cost/server_hour/A100-80GB: found -2, expected a price per server-hour >= 0" \
  "bad.json:7: /cost/groups/0/match: group \"ghost\" matches no server of the platform"; do
  grep -Eq "^error: .*$expected" "$out_dir/bad.err" \
    || { echo "FAIL: no error line matching: $expected" >&2; cat "$out_dir/bad.err" >&2; exit 1; }
done
# An unknown preset (the rest of the section is read once the preset is known).
set +e
"$cli" validate "$source_dir/scenarios/quickstart-cost.json" --set cost.preset=cloud-on-demand-2025 2>"$out_dir/preset.err"
rc=$?
set -e
[[ $rc == 2 ]] && grep -Eq '^error: .*quickstart-cost.json:[0-9]+: /cost/preset: .*cloud-on-demand-2026' "$out_dir/preset.err" \
  || { echo "FAIL: unknown cost.preset: exit code $rc" >&2; cat "$out_dir/preset.err" >&2; exit 1; }

# 3. The price tables and a generated cloud platform priced by the preset alone.
"$cli" list instances | grep -q "p5.48xlarge" || { echo "FAIL: list instances does not print p5.48xlarge" >&2; exit 1; }
"$cli" platform cloud p5.48xlarge:1 p4de.24xlarge:2:burst -o "$out_dir/cloud.xml" >/dev/null
grep -q '<prop id="instance_type" value="p4de.24xlarge"/>' "$out_dir/cloud.xml"
grep -q '<prop id="node_group" value="burst"/>' "$out_dir/cloud.xml"
grep -q '<link id="p5.48xlarge-000-nic" bandwidth="400GBps"' "$out_dir/cloud.xml" \
  || { echo "FAIL: the p5.48xlarge server's NIC is not 3200 Gbit/s (400 GB/s)" >&2; exit 1; }
cat >"$out_dir/cloud.json" <<EOF
{
  "platform": "$out_dir/cloud.xml",
  "workload": { "jobs": { "path": "$source_dir/scenarios/traces/quickstart.csv", "format": "native", "limit": 30 } },
  "cost": { "preset": "cloud-on-demand-2026" }
}
EOF
"$cli" run "$out_dir/cloud.json" --out "$out_dir/cloud-run" --quiet
"$python" - "$out_dir/cloud-run/summary.json" "$out_dir/instances.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["cost"]
price = {i["name"]: i["usd_per_hour"] for i in json.load(open(sys.argv[2]))}
hours = c["server_hours"] / 3
want = {"p5.48xlarge": price["p5.48xlarge"] * hours, "burst": 2 * price["p4de.24xlarge"] * hours}
for group, v in want.items():
    if abs(c["by_group"].get(group, -1) - v) > 1e-5 * v:
        sys.exit(f"FAIL: cloud platform: by_group.{group} = {c['by_group'].get(group)}, expected {v}")
print(f"cloud platform: {c['by_group']}")
PY
set +e
"$cli" platform cloud p9.huge:1 -o "$out_dir/none.xml" 2>"$out_dir/cloud.err"
rc=$?
set -e
[[ $rc == 2 && ! -e $out_dir/none.xml ]] && grep -q "unknown instance type 'p9.huge'; known: p4d.24xlarge" "$out_dir/cloud.err" \
  || { echo "FAIL: platform cloud with an unknown type: exit $rc" >&2; cat "$out_dir/cloud.err" >&2; exit 1; }
rm -rf "$out_dir"
