#!/usr/bin/env bash
# `aidcsim export openmetrics` against a real Prometheus (Debian's prometheus 2.42, installed by
# `make test`): four shipped scenarios (the quickstart; inference-hpa's first 30 min with scrapes.om;
# the quota and node-autoscaling quickstarts) are exported at four start dates, checked against the
# OpenMetrics rules promtool enforces, backfilled with `promtool tsdb create-blocks-from openmetrics`
# into one TSDB, and served by `prometheus`. Through its HTTP API, an instant query of every aidcsim
# series at sampled instants must return exactly the values timeseries.csv / scrapes.om have then, a
# range query over the quickstart's whole run must return every queue_length sample, and
# count_over_time one hour's samples. The Grafana dashboard (analysis/grafana/aidcsim-dashboard.json)
# must name only metrics the exports produce, and each of its expressions must evaluate in Prometheus
# and return data for at least one of the runs. Exit 77 (skipped) where promtool or prometheus is
# missing, after the checks that need neither.
# Usage (from ctest): test_prometheus_export.sh CLI SOURCE_DIR OUT_DIR
set -euo pipefail
cli=$1 source_dir=$2 out_dir=$3
rm -rf "$out_dir"
mkdir -p "$out_dir"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/aidcsim-prometheus.XXXXXX")
prometheus_pid=
cleanup() {
  if [ -n "$prometheus_pid" ]; then
    kill "$prometheus_pid" 2>/dev/null || true
    wait "$prometheus_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# name|scenario|start date|extra run options
runs=(
  "quickstart|quickstart.json|2026-01-01T00:00:00Z|"
  "hpa|inference-hpa.json|2026-02-01T00:00:00Z|--set horizon_s=1800 --set monitoring.write_scrapes=true"
  "quota|quickstart-quota.json|2026-03-01T00:00:00Z|"
  "autoscaling|quickstart-autoscaling.json|2026-04-01T00:00:00Z|"
)
for entry in "${runs[@]}"; do
  IFS='|' read -r name scenario start options <<<"$entry"
  # shellcheck disable=SC2086  # options are words
  "$cli" run "$source_dir/scenarios/$scenario" --out "$out_dir/$name" --quiet $options 2>"$out_dir/$name.log" ||
    { echo "FAIL: aidcsim run $scenario"; sed 's/^/  /' "$out_dir/$name.log"; exit 1; }
  "$cli" export openmetrics "$out_dir/$name" -o "$out_dir/$name.om" --start "$start" >"$out_dir/$name.export.log" ||
    { echo "FAIL: export openmetrics $name"; cat "$out_dir/$name.export.log"; exit 1; }
  sed 's/^/  /' "$out_dir/$name.export.log"
done
[ -f "$out_dir/hpa/scrapes.om" ] || { echo "FAIL: the hpa run wrote no scrapes.om"; exit 1; }

# Input errors: exit 2, the error line, and no output file left behind.
expect_error() {  # expected-message-part, then the export arguments
  local part=$1
  shift
  local status=0
  "$cli" export openmetrics "$@" >"$out_dir/error.out" 2>"$out_dir/error.err" || status=$?
  if [ "$status" != 2 ] || ! grep -qF -- "$part" "$out_dir/error.err"; then
    echo "FAIL: export openmetrics $* gave exit $status and:"; cat "$out_dir/error.err"; exit 1
  fi
}
bad="$out_dir/bad run"
mkdir -p "$bad"
expect_error "error: $out_dir/missing: folder not found" "$out_dir/missing" -o "$out_dir/x.om"
expect_error "error: $bad/timeseries.csv: file not found" "$bad" -o "$out_dir/x.om"
printf 'time_s,metric,label,value\n0,gpus_allocated,,1\n60,gpus_allocated,,two\n' >"$bad/timeseries.csv"
expect_error "error: $bad/timeseries.csv:3: value: found \"two\"" "$bad" -o "$out_dir/x.om"
expect_error "error: --start: found \"2026-13-01\"" "$out_dir/quickstart" --start 2026-13-01 -o "$out_dir/x.om"
[ ! -e "$out_dir/x.om" ] && [ -z "$(find "$out_dir" -maxdepth 1 -name '*.tmp*' -print -quit)" ] ||
  { echo "FAIL: a failed export left a file behind"; ls -la "$out_dir"; exit 1; }

# The OpenMetrics rules (model/textparse/openmetricsparse.go and the TSDB block writer): one TYPE line
# per family before its samples, a family's samples together, each series contiguous and forward in
# time, valid names, `# EOF` last; and every sample of timeseries.csv and scrapes.om exported once.
/usr/bin/python3 - "$out_dir" "$source_dir/analysis/grafana/aidcsim-dashboard.json" <<'PY'
import csv, json, os, re, sys
out, dashboard_path = sys.argv[1], sys.argv[2]
name_re = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*$")
suffixes = ("", "_total", "_created", "_bucket", "_count", "_sum", "_info", "_gcount", "_gsum")
produced = set()
for run in ("quickstart", "hpa", "quota", "autoscaling"):
    lines = open(os.path.join(out, run + ".om")).read().split("\n")
    assert lines[-2:] == ["# EOF", ""], f"{run}.om does not end with # EOF"
    families, seen_series, family, last = set(), set(), None, None
    samples = 0
    for n, line in enumerate(lines[:-2], 1):
        where = f"{run}.om:{n}"
        if line.startswith("# TYPE "):
            _, _, fam, kind = line.split(" ", 3)
            assert name_re.match(fam), where
            assert fam not in families, f"{where}: second TYPE line for {fam}"
            assert kind in ("gauge", "counter"), where
            families.add(fam)
            family, last = fam, None
            continue
        if line.startswith("# HELP ") or line.startswith("# UNIT "):
            assert line.split(" ")[2] == family, f"{where}: metadata of another family"
            continue
        m = re.match(r'([^ {]+)(\{.*\})? (\S+) (\S+)$', line)
        assert m, f"{where}: not a sample: {line}"
        name, labels, value, ts = m.groups()
        assert family and any(name == family + s for s in suffixes), f"{where}: {name} outside its family {family}"
        float(value)
        series = name + (labels or "")
        if last is None or last[0] != series:
            assert series not in seen_series, f"{where}: samples of {series} are not contiguous"
            seen_series.add(series)
        else:
            assert float(ts) > last[1], f"{where}: {series} goes back in time"
        last = (series, float(ts))
        samples += 1
        produced.add(name)
    produced |= families
    # every sample of the run's files is there, once; scrapes.om's families replace timeseries.csv's
    rows = list(csv.DictReader(open(os.path.join(out, run, "timeseries.csv"))))
    om = os.path.join(out, run, "scrapes.om")
    om_lines = open(om).read().splitlines() if os.path.exists(om) else []
    scraped_families = {l.split(" ")[2] for l in om_lines if l.startswith("# TYPE ")}
    scraped = sum(1 for l in om_lines if l and not l.startswith("#"))
    replaced = {"aidcsim_" + r["metric"] for r in rows} & scraped_families
    expected = sum(1 for r in rows if "aidcsim_" + r["metric"] not in replaced)
    assert samples == expected + scraped, f"{run}.om has {samples} samples, expected {expected} + {scraped}"
    print(f"  {run}.om: {len(families)} families, {len(seen_series)} series, {samples} samples"
          + (f" (from scrapes.om: {', '.join(sorted(replaced))})" if replaced else ""))

# The dashboard: JSON, a Prometheus datasource variable, and only metric names the exports produce.
dash = json.load(open(dashboard_path))
variables = [v for v in dash["templating"]["list"] if v.get("type") == "datasource"]
assert variables and variables[0]["query"] == "prometheus", "no Prometheus datasource variable"
def panels(items):
    for p in items:
        yield p
        yield from panels(p.get("panels", []))
exprs = []
for p in panels(dash["panels"]):
    if p.get("type") == "row":
        continue
    assert p["datasource"]["uid"] == "${%s}" % variables[0]["name"], f"panel {p['title']}: datasource not the variable"
    for t in p["targets"]:
        exprs.append(t["expr"])
        for name in re.findall(r"\baidcsim_[a-zA-Z0-9_:]*", t["expr"]):
            assert name in produced, f"panel {p['title']!r}: {name} is not exported by any test run"
assert len(exprs) >= 20, exprs
open(os.path.join(out, "dashboard-exprs.json"), "w").write(json.dumps(exprs))
print(f"  dashboard: {len(exprs)} expressions, all naming exported metrics")
PY

if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null; then
  echo "SKIP: promtool or prometheus not found (Debian package prometheus); the export and dashboard checks passed"
  exit 77
fi

tsdb="$tmp/tsdb"
for entry in "${runs[@]}"; do
  IFS='|' read -r name _ _ _ <<<"$entry"
  promtool tsdb create-blocks-from openmetrics "$out_dir/$name.om" "$tsdb" >"$out_dir/$name.backfill.log" 2>&1 ||
    { echo "FAIL: promtool could not load $name.om:"; tail -5 "$out_dir/$name.backfill.log"; exit 1; }
done
printf 'global:\n  scrape_interval: 1h\n' >"$tmp/prometheus.yml"

# A free port (another process may take it before prometheus does: then try again).
port=
for attempt in 1 2 3; do
  port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # The data is months old for this machine's clock: keep it (retention) and serve it.
  prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tsdb" --storage.tsdb.retention.time=100y \
    --web.listen-address="127.0.0.1:$port" >"$out_dir/prometheus.log" 2>&1 &
  prometheus_pid=$!
  ready=
  for _ in $(seq 1 600); do
    if ! kill -0 "$prometheus_pid" 2>/dev/null; then break; fi
    if /usr/bin/python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
      "http://127.0.0.1:$port/-/ready" 2>/dev/null; then ready=1; break; fi
    sleep 0.2
  done
  [ -n "$ready" ] && break
  kill "$prometheus_pid" 2>/dev/null || true
  wait "$prometheus_pid" 2>/dev/null || true
  prometheus_pid=
done
[ -n "$prometheus_pid" ] || { echo "FAIL: prometheus did not become ready:"; tail -20 "$out_dir/prometheus.log"; exit 1; }

/usr/bin/python3 - "$out_dir" "http://127.0.0.1:$port" <<'PY'
import csv, datetime, json, math, os, re, sys, urllib.parse, urllib.request
out, base = sys.argv[1], sys.argv[2]
starts = {"quickstart": "2026-01-01", "hpa": "2026-02-01", "quota": "2026-03-01", "autoscaling": "2026-04-01"}
LOOKBACK_MS = 300_000

def api(path, **params):
    url = f"{base}/api/v1/{path}?{urllib.parse.urlencode(params)}"
    try:
        body = urllib.request.urlopen(url, timeout=60).read()
    except urllib.error.HTTPError as e:
        body = e.read()
    reply = json.loads(body)
    if reply.get("status") != "success":
        sys.exit(f"FAIL: {path} {params}: {reply}")
    return reply["data"]

def start_ms(run):
    d = datetime.datetime.fromisoformat(starts[run]).replace(tzinfo=datetime.timezone.utc)
    return int(d.timestamp()) * 1000

def rfc3339(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"

def ms_of(seconds):
    return round(float(seconds) * 1000)

def label_name(metric):
    for prefix, name in (("tenant_", "tenant"), ("service_", "service"), ("node_group_", "node_group"), ("quota_", "queue")):
        if metric.startswith(prefix):
            return name
    return "part" if metric == "power_w" else "label"

def key(name, labels):
    return (name, tuple(sorted((k, v) for k, v in labels.items() if v != "")))

def run_series(run):
    """series key -> [(simulated ms, value)] from the run's timeseries.csv and scrapes.om, as exported."""
    series, scraped, families = {}, {}, set()
    om = os.path.join(out, run, "scrapes.om")
    if os.path.exists(om):
        for line in open(om):
            if line.startswith("# TYPE "):
                families.add(line.split(" ")[2])
            if line.startswith("#") or not line.strip():
                continue
            text, value, t = line.rsplit(" ", 2)
            m = re.match(r"([^{]+)(?:\{(.*)\})?$", text)
            labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
            scraped.setdefault(key(m.group(1), labels), []).append((ms_of(t), float(value)))
    for r in csv.DictReader(open(os.path.join(out, run, "timeseries.csv"))):
        name = "aidcsim_" + r["metric"]
        if name in families:
            continue  # exported from scrapes.om instead
        value = float(r["value"]) if r["value"] != "" else math.nan
        series.setdefault(key(name, {label_name(r["metric"]): r["label"]}), []).append((ms_of(r["time_s"]), value))
    series.update(scraped)
    return series

def expected_at(series, t_ms):
    """What an instant query sees at t: per series the newest sample in (t - 5 min, t]; None for a series
    whose newest sample is exactly 5 min old (Prometheus 2.x keeps it, 3.x does not)."""
    want = {}
    for k, points in series.items():
        before = [p for p in points if p[0] <= t_ms]
        if not before or before[-1][0] < t_ms - LOOKBACK_MS:
            continue
        want[k] = None if before[-1][0] == t_ms - LOOKBACK_MS else before[-1][1]
    return want

def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b

checked = 0
for run in starts:
    series = run_series(run)
    # sampled instants where some series changed value (a query one sample off would differ): early,
    # middle, late, and 30 s after the middle one (between two samples)
    changed = sorted({p[0] for points in series.values() for q, p in zip(points, points[1:]) if not same(q[1], p[1])})
    if len(changed) < 10:
        sys.exit(f"FAIL: {run}: only {len(changed)} instants where a series changes")
    picks = [changed[len(changed) // 10], changed[len(changed) // 2], changed[-1], changed[len(changed) // 2] + 30_000]
    for t in picks:
        want = expected_at(series, t)
        got = {}
        for s in api("query", query='{__name__=~"aidcsim_.+"}', time=rfc3339(start_ms(run) + t))["result"]:
            labels = dict(s["metric"])
            got[key(labels.pop("__name__"), labels)] = float(s["value"][1])
        missing = [k for k in want if k not in got]
        extra = [k for k in got if k not in want]
        wrong = [(k, want[k], got[k]) for k in want if k in got and want[k] is not None and not same(want[k], got[k])]
        if missing or extra or wrong:
            sys.exit(f"FAIL: {run} at simulated {t / 1000} s: missing {missing[:5]}, unexpected {extra[:5]}, "
                     f"wrong (series, run's value, Prometheus' value) {wrong[:5]}")
        if len(want) < 10:
            sys.exit(f"FAIL: {run} at simulated {t / 1000} s: only {len(want)} series to compare")
        checked += len(want)

# A range query over the quickstart's whole run: every queue_length sample, at its instant.
qs = run_series("quickstart")
queue = qs[key("aidcsim_queue_length", {})]
first, last = queue[0][0], queue[-1][0]
steps = {round((t - first) / 60_000) for t, _ in queue}
assert all(t == first + k * 60_000 for k, (t, _) in zip(sorted(steps), queue)), "quickstart samples are not 60 s apart"
data = api("query_range", query="aidcsim_queue_length", start=rfc3339(start_ms("quickstart") + first),
           end=rfc3339(start_ms("quickstart") + last), step="60s")
values = data["result"][0]["values"]
if len(data["result"]) != 1 or len(values) != len(queue):
    sys.exit(f"FAIL: query_range returned {len(data['result'])} series, {len(values)} points; expected 1 series, {len(queue)}")
for (t, v), (pt, pv) in zip(queue, values):
    if round(pt * 1000) != start_ms("quickstart") + t or float(pv) != v:
        sys.exit(f"FAIL: query_range point {pt} {pv}, expected {rfc3339(start_ms('quickstart') + t)} {v}")
# count_over_time over one hour ending between two samples: the samples of that hour.
end = queue[len(queue) // 2][0] + 30_000
hour = sum(1 for t, _ in queue if end - 3_600_000 < t <= end)
got = api("query", query="count_over_time(aidcsim_queue_length[1h])", time=rfc3339(start_ms("quickstart") + end))["result"]
if len(got) != 1 or float(got[0]["value"][1]) != hour or hour != 60:
    sys.exit(f"FAIL: count_over_time(aidcsim_queue_length[1h]) = {got}, expected {hour} (60)")
print(f"  Prometheus: {checked} (series, instant) values equal to the run's, query_range {len(values)} points, "
      f"count_over_time {hour}")

# Every dashboard expression evaluates, and returns data in at least one run.
for expr in json.load(open(os.path.join(out, "dashboard-exprs.json"))):
    q = expr.replace("$__rate_interval", "5m").replace("$__interval", "1m")
    hits = 0
    for run in starts:
        series = run_series(run)
        times = sorted({t for points in series.values() for t, _ in points})
        hits += len(api("query", query=q, time=rfc3339(start_ms(run) + times[len(times) // 2]))["result"])
    if not hits:
        sys.exit(f"FAIL: dashboard expression {expr!r} returns nothing in any run")
print("  dashboard: every expression evaluates and returns data")
PY
echo "test_prometheus_export: ok (promtool loads the exports, Prometheus serves the runs' values)"
