#!/usr/bin/env bash
# aidcsim's alert rules against a real Prometheus (Debian's promtool): a training + inference run
# (scenarios/inference-chat.json, its first hour) writes every scraped sample (scrapes.om) and its
# alerts (alerts.csv); promtool loads scrapes.om into a TSDB (`tsdb create-blocks-from openmetrics`), and
# `promtool test rules` evaluates the same rules on the same samples and must find firing, at every
# evaluation time, exactly the alerts aidcsim has firing then. The grid is 14 s, so no sample sits on
# the edge of the 5 min lookback or of a range (Prometheus 2.x closes ranges on the left, 3.x and
# aidcsim do not: docs/monitoring.md).
# Usage (from ctest): test_alerts_promtool.sh CLI SOURCE_DIR OUT_DIR
set -euo pipefail
cli=$1 source_dir=$2 out_dir=$3
rm -rf "$out_dir"
mkdir -p "$out_dir"
rules='[{"name":"ChatBacklog","expr":"sum by (service) (aidcsim_service_queue_length) > 5","for_s":28,"severity":"warning"},
 {"name":"ReplicaBusy","expr":"max by (replica) (avg_over_time(aidcsim_service_requests_in_flight[50s])) > 20","for_s":0,"severity":"info"},
 {"name":"TrainingQueue","expr":"aidcsim_jobs_pending >= 2","for_s":56,"keep_firing_for_s":42,"severity":"critical"},
 {"name":"GpusFull","expr":"sum(aidcsim_gpus_allocated) >= 16","for_s":14,"severity":"warning"}]'
rules=${rules//$'\n'/}
"$cli" run "$source_dir/scenarios/inference-chat.json" --out "$out_dir/run" --quiet --set horizon_s=3600 --set workload.jobs.time_scale=0.05 \
  --set 'monitoring={"interval_s":60,"scrape_interval_s":14,"evaluation_interval_s":14,"write_scrapes":true,"alerts":'"$rules"'}' \
  2>"$out_dir/run.log" || { sed 's/^/  /' "$out_dir/run.log"; exit 1; }
promtool tsdb create-blocks-from openmetrics "$out_dir/run/scrapes.om" "$out_dir/tsdb" >"$out_dir/backfill.log" 2>&1 ||
  { echo "FAIL: promtool could not load scrapes.om:"; tail -5 "$out_dir/backfill.log"; exit 1; }
/usr/bin/python3 - "$out_dir" "$rules" <<'PY'
import csv, json, os, re, sys
out, rules = sys.argv[1], json.loads(sys.argv[2])
step = 14
series = {}  # "name{labels}" -> {step index: value}
for line in open(os.path.join(out, "run", "scrapes.om")):
    if line.startswith("#") or not line.strip():
        continue
    key, value, t = line.rsplit(" ", 2)
    k = round(float(t) / step)
    assert abs(k * step - float(t)) < 1e-6, line
    series.setdefault(key, {})[k] = value
last = max(max(v) for v in series.values())
def q(s):
    return "'" + s.replace("'", "''") + "'"
lines = ["rule_files: [rules.yml]", f"evaluation_interval: {step}s", "tests:", f"  - interval: {step}s", "    input_series:"]
for key, values in sorted(series.items()):
    vals = " ".join(values.get(k, "_") for k in range(last + 1))
    lines += [f"      - series: {q(key)}", f"        values: {q(vals)}"]
alerts = list(csv.DictReader(open(os.path.join(out, "run", "alerts.csv"))))
def labels(text):
    return dict(re.findall(r'(\w+)="([^"]*)"', text))
lines.append("    alert_rule_test:")
checked = firing_checks = 0
for k in range(0, last + 1):
    t = k * step
    for r in rules:
        firing = [a for a in alerts if a["rule"] == r["name"] and a["firing_s"] != "" and float(a["firing_s"]) <= t + 1e-9
                  and (a["resolved_s"] == "" or t < float(a["resolved_s"]) - 1e-9)]
        lines += [f"      - eval_time: {t}s", f"        alertname: {r['name']}", "        exp_alerts:" + ("" if firing else " []")]
        for a in firing:
            lines.append("          - exp_labels: " + json.dumps(dict(labels(a["labels"]), severity=r["severity"])))
        checked += 1
        firing_checks += bool(firing)
open(os.path.join(out, "tests.yml"), "w").write("\n".join(lines) + "\n")
group = ["groups:", "  - name: aidcsim", f"    interval: {step}s", "    rules:"]
for r in rules:
    group += [f"      - alert: {r['name']}", f"        expr: {q(r['expr'])}", f"        for: {int(r['for_s'])}s"]
    if r.get("keep_firing_for_s"):
        group.append(f"        keep_firing_for: {int(r['keep_firing_for_s'])}s")
    group += ["        labels:", f"          severity: {r['severity']}"]
open(os.path.join(out, "rules.yml"), "w").write("\n".join(group) + "\n")
print(f"{checked} (evaluation time, rule) pairs, {firing_checks} with alerts firing, {len(alerts)} alerts, {len(series)} series")
if firing_checks < 20 or len({a['rule'] for a in alerts if a['firing_s']}) < 3:
    sys.exit("FAIL: too few alerts fired to compare anything")
PY
cd "$out_dir"
promtool test rules tests.yml >promtool.log 2>&1 || { echo "FAIL: promtool disagrees with aidcsim's alerts.csv:"; head -40 promtool.log; exit 1; }
echo "test_alerts_promtool: ok (promtool agrees with alerts.csv at every evaluation time)"
