#!/usr/bin/env bash
# The four GPU-sharing modes side by side on OpenB (docs/gpu_sharing.md, "The four modes on OpenB"):
#   * generates the all-A100 OpenB platform into OUT_DIR and runs scenarios/studies/openb-sharing-modes.json
#     (the OpenB default pod list, time-based replay with arrivals compressed 1e5 x, under exclusive, mps,
#     time-slicing and mig 4g.40gb+3g.40gb) through analysis/sharing_modes.py --run, i.e. `aidcsim sweep`;
#   * runs the invariant checker on each run (exclusive: with the replay rule);
#   * checks what each mode guarantees, job by job (slowdown_sharing, MIG rejections and instances), and the
#     table's figures (allocation against summary.json, busy <= GPUs in use, the fair-sharing replay of mps
#     and time-slicing against jobs.csv, exclusive queues more than mps and mig);
#   * re-runs the analysis: byte-identical table.
# Needs ../shared/traces next to the repository; exits 77 (skipped) without it.
# Usage (from ctest): test_sharing_modes.sh CLI SOURCE_DIR OUT_DIR
set -euo pipefail
cli=$1 source_dir=$2 out_dir=$3
python=/usr/bin/python3
traces=$(cd "$source_dir/.." && pwd)/shared/traces
for f in openb/openb_node_list_all_node.csv openb/openb_pod_list_default.csv; do
  if [[ ! -f $traces/$f ]]; then
    echo "SKIP: $traces/$f is missing" >&2
    exit 77
  fi
done
rm -rf "$out_dir"
mkdir -p "$out_dir"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

"$cli" platform openb "$traces/openb/openb_node_list_all_node.csv" --gpu-model-override A100-80GB \
  -o "$out_dir/openb-a100.xml" >/dev/null

start=$(date +%s.%N)
"$python" "$source_dir/analysis/sharing_modes.py" --run --aidcsim "$cli" --set "platform=$out_dir/openb-a100.xml" \
  --out "$out_dir/table" >"$out_dir/table.stdout" || fail "analysis/sharing_modes.py --run"
end=$(date +%s.%N)
cat "$out_dir/table.stdout"
runs=$out_dir/table/runs
grep -q '^point_id' "$runs/results.csv" && [[ $(grep -c ',ok,' "$runs/results.csv") -eq 5 ]] ||
  fail "the sweep did not end with 5 points ok: $(cat "$runs/results.csv")"

# Invariants of each run. The checker sums what each job held in the ledger (jobs.csv gpu_milli_held):
# under time-slicing the requests may add up to more than a GPU (admission by GPU memory; OpenB pods
# declare none, so each single-GPU pod holds 1 milli of the ledger).
for dir in "$runs"/*/; do
  dir=${dir%/}
  mode=$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["scenario"]["virtualization"]["gpu_sharing"])' "$dir/run.json")
  flags=()
  [[ $mode == exclusive ]] && flags=(--replay-exact)
  "$python" "$source_dir/tests/scenarios/check_invariants.py" "$dir" "${flags[@]}" >/dev/null ||
    fail "invariants of the $mode run ($dir)"
  "$cli" check "$dir" "${flags[@]}" >/dev/null || fail "aidcsim check of the $mode run ($dir)"
done
# The held shares are what each mode admits: a whole GPU (exclusive), the request (mps), 1 milli for a
# single-GPU pod without gpu_mem_gib (time-slicing: jobs of several GPUs take them whole), floor(1000 k / 7) for a k-slice instance (mig).
"$python" - "$runs" <<'PY' || fail "gpu_milli_held per mode"
import csv, glob, json, os, sys
problems = []
for d in sorted(glob.glob(os.path.join(sys.argv[1], "*", "run.json"))):
    d = os.path.dirname(d)
    v = json.load(open(os.path.join(d, "run.json")))["scenario"]["virtualization"]
    mode = v["gpu_sharing"] + ("-dynamic" if v.get("layouts") == "dynamic" else "")
    for r in csv.DictReader(open(os.path.join(d, "jobs.csv"))):
        if r["state"] == "rejected" or r["gpus"] == "0":
            continue
        held, milli, whole = int(r["gpu_milli_held"]), int(r["gpu_milli"]), r["gpus"] != "1" or r["gpu_milli"] == "1000"
        allowed = {"exclusive": {1000}, "mps": {1000 if whole else milli}, "time-slicing": {1 if r["gpus"] == "1" else 1000},
                   "mig": {1000} if whole else {1000 * 3 // 7, 1000 * 4 // 7},
                   "mig-dynamic": {1000} if whole else {1000 * k // 7 for k in (1, 2, 3, 4, 7)}}[mode]
        if held not in allowed:
            problems.append(f"{mode}: job {r['job_id']} ({r['gpus']} x {milli}) held {held}, expected one of {sorted(allowed)}")
if problems:
    print("\n".join(problems[:10]), file=sys.stderr)
    sys.exit(1)
PY

"$python" - "$runs" "$out_dir/table/sharing_modes.csv" <<'PY' || fail "sharing-mode checks"
import csv, glob, json, math, os, sys
runs_dir, table_path = sys.argv[1:]
problems = []
def expect(cond, message):
    if not cond:
        problems.append(message)

def num(x):
    return None if x in ("", None) else float(x)

runs = {}
for d in sorted(glob.glob(os.path.join(runs_dir, "*", "run.json"))):
    d = os.path.dirname(d)
    v = json.load(open(os.path.join(d, "run.json")))["scenario"]["virtualization"]
    mode = v["gpu_sharing"] + ("-dynamic" if v.get("layouts") == "dynamic" else "")
    runs[mode] = (json.load(open(os.path.join(d, "summary.json"))), list(csv.DictReader(open(os.path.join(d, "jobs.csv")))))
expect(sorted(runs) == ["exclusive", "mig", "mig-dynamic", "mps", "time-slicing"], f"modes run: {sorted(runs)}")

for mode, (summary, jobs) in sorted(runs.items()):
    j = summary["jobs"]
    expect(j["submitted"] == 7255 and j["unfinished"] == 0, f"{mode}: jobs {j}")
    fractional = lambda r: r["gpus"] == "1" and int(r["gpu_milli"]) < 1000
    done = [r for r in jobs if r["state"] == "completed"]
    sd = [(r, num(r["slowdown_sharing"])) for r in done]
    if mode in ("exclusive", "mps"):
        # exclusive: a fractional pod gets a whole GPU; mps without oversubscription: exactly its share.
        bad = [r["job_id"] for r, s in sd if abs(s - 1) > 1e-6]
        expect(j["rejected"] == 0 and not bad, f"{mode}: {j['rejected']} rejected, slowdown_sharing != 1: {bad[:5]}")
    elif mode == "time-slicing":
        # Fair sharing under caps at the requested share: never faster than asked; on OpenB, slower.
        bad = [r["job_id"] for r, s in sd if s < 1 - 1e-6]
        expect(j["rejected"] == 0 and not bad, f"{mode}: {j['rejected']} rejected, slowdown_sharing < 1: {bad[:5]}")
        expect(sum(1 for _, s in sd if s > 1 + 1e-6) > 0, f"{mode}: no pod slowed by sharing")
    elif mode == "mig":
        # 4g.40gb + 3g.40gb: a fractional pod takes 3g (share <= 3/7) or 4g (<= 4/7); beyond 4/7, none covers.
        over = [r for r in jobs if fractional(r) and int(r["gpu_milli"]) * 7 > 4000]
        rejected = [r for r in jobs if r["state"] == "rejected"]
        expect({r["job_id"] for r in over} == {r["job_id"] for r in rejected},
               f"mig: {len(rejected)} rejected, expected the {len(over)} fractional pods above 4/7 of a GPU")
        expect(all("no MIG instance" in r["reason"] for r in rejected), "mig: a rejection without the MIG reason")
        for r, s in sd:
            milli = int(r["gpu_milli"])
            k = (3 if milli * 7 <= 3000 else 4) if fractional(r) else 7
            expected = milli / 1000 * 7 / k if fractional(r) else 1.0
            if abs(s - expected) > 1e-6:
                problems.append(f"mig: {r['job_id']} slowdown_sharing {s}, expected {expected} ({milli} milli on {k}g)")
                break
    elif mode == "mig-dynamic":
        # Instances created on demand: every pod runs, a fractional one on the smallest profile covering
        # its share (1g, 2g, 3g, 4g or 7g of 7 slices), the others on whole GPUs.
        expect(j["rejected"] == 0, f"mig-dynamic: {j['rejected']} rejected")
        # The work (run_s less the reconfiguration in startup_s) takes duration_s x share x 7 / k.
        for r, s in sd:
            milli = int(r["gpu_milli"])
            k = next(k for k in (1, 2, 3, 4, 7) if k * 1000 >= milli * 7 - 1e-6) if fractional(r) else 7
            expected = milli / 1000 * 7 / k if fractional(r) else 1.0
            work = (num(r["run_s"]) - num(r["startup_s"])) / num(r["duration_s"])
            if abs(work - expected) > 1e-6 or num(r["startup_s"]) not in (0.0, 5.0):
                problems.append(f"mig-dynamic: {r['job_id']} work {work} x duration_s, startup_s {r['startup_s']}, "
                                f"expected {expected} ({milli} milli on {k}g) and 0 or 5")
                break
    if mode == "mig":
        # Instances: at any time a GPU runs one whole-GPU pod, or at most one pod per instance (3g, 4g).
        events = []
        for r in jobs:
            if r["start_s"] == "" or r["gpus"] == "0":
                continue
            kind = ("3g" if int(r["gpu_milli"]) * 7 <= 3000 else "4g") if fractional(r) else "whole"
            for h in r["hosts"].split(";"):
                events += [(float(r["start_s"]), 1, h, kind), (float(r["end_s"]), 0, h, kind)]
        held = {}
        for t, up, h, kind in sorted(events):
            c = held.setdefault(h, {"3g": 0, "4g": 0, "whole": 0})
            c[kind] += 1 if up else -1
            if c["3g"] > 1 or c["4g"] > 1 or (c["whole"] and (c["3g"] or c["4g"] or c["whole"] > 1)):
                problems.append(f"mig: {h} holds {c} at t={t}")
                break

table = {r["mode"] + ("-dynamic" if r["layout"].startswith("dynamic") else ""): r for r in csv.DictReader(open(table_path))}
expect(sorted(table) == sorted(runs), f"table rows: {sorted(table)}")
for mode, r in sorted(table.items()):
    f = {k: num(v) for k, v in r.items() if k not in ("mode", "layout", "dir")}
    expect(abs(f["gpu_allocation_run"] - f["summary_gpu_allocation"]) <= 2e-6,
           f"{mode}: allocation over the run {f['gpu_allocation_run']} != summary.json {f['summary_gpu_allocation']}")
    expect(0 < f["busy"] <= f["gpus_in_use"] + 1e-9 <= 1 + 1e-9 and 0 < f["gpu_allocation"] <= 1,
           f"{mode}: busy {f['busy']}, GPUs in use {f['gpus_in_use']}, allocation {f['gpu_allocation']}")
    if mode in ("mps", "time-slicing"):
        expect(f["reconstruction_error_s"] <= 1e-3,
               f"{mode}: the fair-sharing replay ends jobs up to {f['reconstruction_error_s']} s off jobs.csv")
e, m, ts, mig, dyn = (table[k] for k in ("exclusive", "mps", "time-slicing", "mig", "mig-dynamic"))
g = lambda row, k: float(row[k])
expect(abs(g(e, "gpu_allocation") - g(e, "gpus_in_use")) <= 1e-9 and g(e, "busy") < g(e, "gpu_allocation") - 0.01,
       "exclusive: allocation must equal GPUs in use and exceed busy (fractional pods hold whole GPUs)")
expect(abs(g(m, "gpu_allocation") - g(m, "busy")) <= 1e-9,
       "mps without oversubscription: the ledger holds exactly the shares that compute")
expect(g(m, "gpus_in_use") < g(e, "gpus_in_use"), "mps packs fractional pods: fewer GPUs in use than exclusive")
expect(g(ts, "gpu_allocation") < g(ts, "gpus_in_use"), "time-slicing: 1 milli of ledger per pod")
expect(g(e, "queue_delay_mean_s") > 0, "exclusive: no queue formed (the load level of scenarios/openb-sharing.json)")
expect(g(m, "queue_delay_mean_s") <= g(e, "queue_delay_mean_s") and g(mig, "queue_delay_mean_s") <= g(e, "queue_delay_mean_s"),
       "mps and mig queue no more than exclusive")
expect(g(dyn, "queue_delay_mean_s") <= g(e, "queue_delay_mean_s") and int(dyn["rejected"]) == 0,
       "dynamic MIG queues no more than exclusive and rejects nothing")
if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
PY

# The table depends only on the runs' files.
cp "$out_dir/table/sharing_modes.md" "$out_dir/first.md"
cp "$out_dir/table/sharing_modes.csv" "$out_dir/first.csv"
"$python" "$source_dir/analysis/sharing_modes.py" "$runs" --out "$out_dir/table" >/dev/null
cmp -s "$out_dir/first.md" "$out_dir/table/sharing_modes.md" && cmp -s "$out_dir/first.csv" "$out_dir/table/sharing_modes.csv" ||
  fail "analysis/sharing_modes.py: a second analysis of the same runs differs"

echo "test_sharing_modes: ok (5 runs and the table in $(awk "BEGIN { printf \"%.1f\", $end - $start }") s)"
