#!/usr/bin/env bash
# analysis/compare.py and analysis/plot.py on the hand-made runs in tests/data/runs (see make_runs.py
# there for how each number arises) and on a small sweep of quickstart:
#  - the comparison table's means and Student-t 95% intervals are the hand-computed ones, in the
#    Markdown, CSV and LaTeX outputs;
#  - plot.py writes non-empty PNG (and PDF) files;
#  - the offered load of a hand-made run is the hand-computed one, and plot.py --x offered_load plots against it.
# Usage (from ctest): test_analysis.sh CLI SOURCE_DIR OUT_DIR
set -euo pipefail
cli=$1 source_dir=$2 out_dir=$3
python=/usr/bin/python3
rm -rf "$out_dir"
mkdir -p "$out_dir"
fail() { echo "FAIL: $*" >&2; exit 1; }
runs=$source_dir/tests/data/runs

# 1. Five runs: FIFO (seeds 1-3) and SJF (seeds 1-2).
"$python" "$source_dir/analysis/compare.py" "$runs"/fifo-seed{1,2,3} "$runs"/sjf-seed{1,2} --out "$out_dir/cmp" \
  >"$out_dir/cmp.stdout" 2>"$out_dir/cmp.stderr" || { cat "$out_dir/cmp.stderr" >&2; fail "compare.py failed"; }
for ext in md csv tex; do [[ -s $out_dir/cmp/comparison.$ext ]] || fail "no comparison.$ext"; done
md=$out_dir/cmp/comparison.md
grep -qF '| policy | n | Jobs completed | JCT mean (s) | JCT p95 (s) | Queueing delay mean (s) |' "$md" \
  || fail "unexpected Markdown header: $(head -1 "$md")"
# JCT mean: FIFO 100, 110, 120 -> 110 +- t(0.975, 2) * 10 / sqrt(3) = 24.84;
#           SJF 87.5, 97.5 -> 92.5 +- t(0.975, 1) * 7.071 / sqrt(2) = 63.53.
grep -qF '| fifo | 3 | 4 ± 0 | 110.0 ± 24.8 |' "$md" || fail "FIFO row: $(grep fifo "$md")"
grep -qF '| sjf | 2 | 4 ± 0 | 92.5 ± 63.5 |' "$md" || fail "SJF row: $(grep sjf "$md")"
grep -qF '0.6103 ± 0.1655' "$md" || fail "FIFO GPU allocation cell: $(grep fifo "$md")"
grep -qF '$110.0 \pm 24.8$' "$out_dir/cmp/comparison.tex" || fail "LaTeX cell"
for word in '\toprule' '\midrule' '\bottomrule' 'JCT mean (s)' 'Queueing delay p95 (s)'; do
  grep -qF -- "$word" "$out_dir/cmp/comparison.tex" || fail "LaTeX lacks $word"
done
cmp -s "$md" "$out_dir/cmp.stdout" || grep -qF '| fifo | 3 |' "$out_dir/cmp.stdout" || fail "the table is not printed"
"$python" - "$out_dir/cmp/comparison.csv" <<'PY'
import csv, math, sys
rows = {r["scheduler.policy"]: r for r in csv.DictReader(open(sys.argv[1]))}
# Student-t 0.975 quantiles in closed form: df 1 tan(0.475 pi), df 2 a sqrt(2 / (1 - a^2)) with a = 0.95.
t1, t2 = math.tan(0.475 * math.pi), 0.95 * math.sqrt(2 / (1 - 0.95 ** 2))
expect = {
    ("fifo", "n"): 3, ("sjf", "n"): 2,
    ("fifo", "jct_s.mean_mean"): 110.0, ("fifo", "jct_s.mean_std"): 10.0,
    ("fifo", "jct_s.mean_ci95"): t2 * 10 / math.sqrt(3),
    ("sjf", "jct_s.mean_mean"): 92.5, ("sjf", "jct_s.mean_ci95"): t1 * 5,
    ("fifo", "queue_delay_s.mean_mean"): 42.5, ("fifo", "queue_delay_s.mean_ci95"): 0.0,
    ("sjf", "queue_delay_s.mean_mean"): 32.5, ("sjf", "queue_delay_s.mean_ci95"): t1 * 2.5,
    ("fifo", "makespan_s_mean"): 220.0, ("fifo", "makespan_s_ci95"): t2 * 40 / math.sqrt(3),
    ("fifo", "gpu_allocation_mean"): (0.680556 + 0.602273 + 0.548077) / 3,
}
bad = []
for (group, column), value in expect.items():
    got = float(rows[group][column])
    # scipy.stats.t.ppf (SciPy 1.10) is within 4e-11 of the closed forms for df 1 and 2.
    if not math.isclose(got, value, rel_tol=1e-10, abs_tol=1e-12):
        bad.append(f"{group} {column}: {got} != {value}")
if rows["fifo"]["seeds"] != "1,2,3":
    bad.append(f"fifo seeds: {rows['fifo']['seeds']}")
if bad:
    sys.exit("FAIL: comparison.csv: " + "; ".join(bad))
PY

# A single run per group: means, no interval.
"$python" "$source_dir/analysis/compare.py" "$runs/fifo-seed1" "$runs/sjf-seed1" --metrics jct_s.mean,gpu_allocation \
  --out "$out_dir/single" >/dev/null 2>&1 || fail "compare.py on two runs failed"
grep -qF '| fifo | 1 | 100.0 | 0.6806 |' "$out_dir/single/comparison.md" || fail "single-run row: $(cat "$out_dir/single/comparison.md")"
# Input errors are exit 2 with a message.
rc=0
"$python" "$source_dir/analysis/compare.py" "$runs/fifo-seed1" --metrics nope.x --out "$out_dir/bad" 2>"$out_dir/bad.stderr" >/dev/null || rc=$?
[[ $rc -eq 2 ]] && grep -q "^error: metric 'nope.x'" "$out_dir/bad.stderr" || fail "unknown metric: exit $rc, $(cat "$out_dir/bad.stderr")"

# 2. Plots of the hand-made runs.
"$python" "$source_dir/analysis/plot.py" "$runs"/fifo-seed{1,2,3} "$runs"/sjf-seed{1,2} --out "$out_dir/plots" \
  >"$out_dir/plots.stdout" 2>"$out_dir/plots.stderr" || { cat "$out_dir/plots.stderr" >&2; fail "plot.py failed"; }
check_png() {
  [[ -s $1 ]] || fail "$1 missing or empty"
  [[ $(head -c 8 "$1" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] || fail "$1 is not a PNG"
  [[ $(stat -c %s "$1") -gt 5000 ]] || fail "$1 is suspiciously small"
}
for f in cdf_jct cdf_queue_delay timeseries; do
  check_png "$out_dir/plots/$f.png"
  [[ -s $out_dir/plots/$f.pdf ]] || fail "$f.pdf missing"
done

# Offered load (analysis/common.py offered_load): fifo-seed1's jobs ask 4x60 + 4x80 + 8x40 + 2x50 + 16x100
# = 2580 GPU-seconds of its 8 GPUs while they arrive (submit_s 0 to 40): 2580 / (8 x 40) = 8.0625.
"$python" - "$source_dir/analysis" "$runs/fifo-seed1" <<'PY' || fail "offered load"
import sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[1])
import common
load = common.offered_load(common.load_run_dir(sys.argv[2]))
if load != 8.0625:
    sys.exit(f"FAIL: offered load of fifo-seed1: {load} != 8.0625")
PY
"$python" "$source_dir/analysis/plot.py" "$runs"/fifo-seed{1,2,3} "$runs"/sjf-seed{1,2} --x offered_load --only metrics \
  --formats png --out "$out_dir/load" >/dev/null 2>"$out_dir/load.stderr" || { cat "$out_dir/load.stderr" >&2; fail "plot.py --x offered_load"; }
check_png "$out_dir/load/queue_delay_s_mean_vs_offered_load.png"

# 3. A sweep directory: 2 time scales x 2 seeds of quickstart, then compare.py and plot.py on it.
cat >"$out_dir/sweep.json" <<JSON
{
  "scenario": "$source_dir/scenarios/quickstart.json",
  "grid": { "workload.jobs.time_scale": [1, 0.5] },
  "seeds": 2,
  "metrics": ["jct_s.mean", "gpu_allocation"]
}
JSON
"$cli" sweep "$out_dir/sweep.json" --out "$out_dir/sweep" --quiet >/dev/null || fail "the sweep failed"
"$python" "$source_dir/analysis/compare.py" "$out_dir/sweep" >/dev/null 2>&1 || fail "compare.py on a sweep failed"
[[ -s $out_dir/sweep/comparison.md ]] || fail "compare.py did not write into the sweep directory"
"$python" - "$out_dir/sweep" <<'PY'
import csv, math, sys
d = sys.argv[1]
results = list(csv.DictReader(open(f"{d}/results.csv")))
table = {r["workload.jobs.time_scale"]: r for r in csv.DictReader(open(f"{d}/comparison.csv"))}
for scale in ("1", "0.5"):
    values = [float(r["jct_s.mean"]) for r in results if r["workload.jobs.time_scale"] == scale]
    row = table[scale]
    if int(row["n"]) != 2 or not math.isclose(float(row["jct_s.mean_mean"]), sum(values) / len(values), rel_tol=1e-9):
        sys.exit(f"FAIL: sweep comparison for time_scale {scale}: {row}")
PY
"$python" "$source_dir/analysis/plot.py" "$out_dir/sweep" >/dev/null 2>"$out_dir/sweep-plots.stderr" \
  || { cat "$out_dir/sweep-plots.stderr" >&2; fail "plot.py on a sweep failed"; }
for f in cdf_jct timeseries jct_s_mean_vs_time_scale gpu_allocation_vs_time_scale; do
  check_png "$out_dir/sweep/plots/$f.png"
done

echo "OK: analysis: comparison numbers as computed by hand; $(ls "$out_dir"/plots/*.png "$out_dir"/sweep/plots/*.png | wc -l) PNGs written"
