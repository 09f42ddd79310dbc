#!/usr/bin/env bash
# Provenance in run.json and provenance.csv (docs/provenance.md):
#  1. run.json records the build (version, commit, dirty flag, library versions), a SHA-256 and size of
#     every input the run read (scenario, platform, trace), the command line, the random streams, the
#     machine and the wall-clock start and end;
#  2. two runs of the same scenario give byte-identical jobs.csv and timeseries.csv, summary.json but
#     for wall_s, and run.json but for the provenance fields that must differ (wall clock, command line);
#  3. the same run on a trace edited in place records another SHA-256 for the trace, the same for the
#     other inputs;
#  4. a sweep writes OUT/provenance.csv, one row per point, in results.csv's order.
# Usage (from ctest): test_provenance.sh CLI SOURCE_DIR OUT_DIR
set -euo pipefail
cli=$1 source_dir=$2 out_dir=$3
rm -rf "$out_dir"
mkdir -p "$out_dir"
fail() { echo "FAIL: $*" >&2; exit 1; }
python=/usr/bin/python3

trace=$out_dir/trace.csv
cp "$source_dir/scenarios/traces/quickstart.csv" "$trace"
run() {  # OUT_NAME: quickstart on the copied trace, seed 3
  "$cli" run "$source_dir/scenarios/quickstart.json" --out "$out_dir/$1" --quiet --seed 3 \
    --set "workload.jobs.path=$trace" --set placement.policy=best-fit || fail "run $1 failed"
}
run a
run b

# 1. What run.json records.
"$python" - "$out_dir/a/run.json" "$trace" "$cli" <<'PY' || fail "run.json lacks provenance"
import hashlib, json, os, subprocess, sys
run, trace, cli = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
version = subprocess.run([cli, "--version"], capture_output=True, text=True, check=True).stdout
commit_line = next(l for l in version.splitlines() if l.startswith("commit "))
assert commit_line.split()[1] == run["git_commit"], (commit_line, run["git_commit"])
assert run["git_dirty"] in (True, False, None), run["git_dirty"]
for key in ("aidcsim_version", "git_commit", "git_dirty", "simgrid_version", "boost_version", "fmt_version",
            "nlohmann_json_version"):
    assert key in run["build"], key
roles = {i["role"]: i for i in run["inputs"]}
assert set(roles) == {"scenario", "platform", "trace"}, roles.keys()
for i in run["inputs"]:
    data = open(i["absolute_path"], "rb").read()
    assert i["sha256"] == hashlib.sha256(data).hexdigest(), i
    assert i["size_bytes"] == len(data), i
assert os.path.samefile(roles["trace"]["absolute_path"], trace)
assert run["command_line"][1:3] == ["run", run["scenario_file"]], run["command_line"]
assert "--seed" in run["command_line"]
streams = run["random_streams"]
assert streams["run"] == 3 == run["seed"], streams
names = [s["name"] for s in streams["streams"]]
assert names == ["placement/best-fit", "placement/server-order"], names
assert all(isinstance(s["seed"], int) for s in streams["streams"])
for key in ("os", "kernel", "cpu_model", "logical_cpus", "hostname"):
    assert key in run["machine"], key
assert run["machine"]["logical_cpus"] >= 1
assert run["wall_clock"]["start"] <= run["wall_clock"]["end"], run["wall_clock"]
assert run["wall_clock"]["end"].endswith("Z")
PY

# 2. Reruns: identical but for the provenance fields.
for f in jobs.csv timeseries.csv; do
  cmp -s "$out_dir/a/$f" "$out_dir/b/$f" || fail "$f differs between two runs"
done
"$python" - "$out_dir/a" "$out_dir/b" <<'PY' || fail "outputs other than the provenance fields differ"
import json, sys
a, b = sys.argv[1], sys.argv[2]
def summary(d):
    s = json.load(open(f"{d}/summary.json"))
    s.pop("wall_s")
    return s
assert summary(a) == summary(b), "summary.json differs beyond wall_s"
def run(d):
    r = json.load(open(f"{d}/run.json"))
    r.pop("wall_clock")
    r.pop("command_line")  # names the output directory
    return r
ra, rb = run(a), run(b)
assert ra == rb, [k for k in ra if ra.get(k) != rb.get(k)]
# No other output gained a wall-clock or machine field.
for f in ("summary.json",):
    text = open(f"{a}/{f}").read()
    for word in ("wall_clock", "hostname", "git_commit", "sha256"):
        assert word not in text, (f, word)
PY

# 3. The trace edited in place: another digest for it, the same for the others.
sed -i '2s/,117.4,/,117.5,/' "$trace"
run c
"$python" - "$out_dir/a/run.json" "$out_dir/c/run.json" <<'PY' || fail "the edited trace kept its digest"
import json, sys
a, c = ({i["role"]: i for i in json.load(open(p))["inputs"]} for p in sys.argv[1:3])
assert a["trace"]["path"] == c["trace"]["path"]
assert a["trace"]["sha256"] != c["trace"]["sha256"], "same sha256 for an edited trace"
for role in ("scenario", "platform"):
    assert a[role]["sha256"] == c[role]["sha256"], role
PY
# aidcsim check warns that run a's trace is no longer the one it read (and still passes the invariants);
# run c's inputs match.
"$cli" check "$out_dir/a" >"$out_dir/check-a.out" 2>"$out_dir/check-a.err" || fail "check a: $(cat "$out_dir/check-a.err")"
grep -q "warning: .*trace.*$trace" "$out_dir/check-a.err" || fail "check a did not warn about the edited trace: $(cat "$out_dir/check-a.err")"
"$cli" check "$out_dir/c" >/dev/null 2>"$out_dir/check-c.err" || fail "check c failed"
[[ ! -s $out_dir/check-c.err ]] || fail "check c warned: $(cat "$out_dir/check-c.err")"

# 4. A sweep's provenance.csv.
cat >"$out_dir/two.json" <<JSON
{ "scenario": "$source_dir/scenarios/quickstart.json", "grid": { "seed": [1, 2] }, "metrics": ["jobs.completed"] }
JSON
"$cli" sweep "$out_dir/two.json" --out "$out_dir/sweep" --jobs 2 --quiet || fail "the sweep failed"
"$python" - "$out_dir/sweep" <<'PY' || fail "provenance.csv is wrong"
import csv, json, os, sys
out = sys.argv[1]
results = list(csv.DictReader(open(f"{out}/results.csv")))
prov = list(csv.DictReader(open(f"{out}/provenance.csv")))
assert [r["point_id"] for r in prov] == [r["point_id"] for r in results], (prov, results)
assert "git_commit" not in open(f"{out}/results.csv").readline()
for row in prov:
    run = json.load(open(os.path.join(out, row["dir"], "run.json")))
    assert row["git_commit"] == run["git_commit"], row
    assert row["seed"] == str(run["seed"]), row
    assert row["wall_clock_start"] == run["wall_clock"]["start"], row
    shas = dict(item.split(":") for item in row["inputs"].split(";"))
    assert shas == {i["role"]: i["sha256"] for i in run["inputs"]}, (shas, run["inputs"])
PY
echo "provenance: run.json records build, inputs, streams, machine and times; reruns identical otherwise; sweep provenance.csv"
