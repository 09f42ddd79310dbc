#!/usr/bin/env bash
# `aidcsim run` stopped by SIGINT or SIGTERM: it says so on stderr, exits 128+N (130, 143), and leaves
# neither an output nor a temporary file. Repeated, since the signal lands at a different point each time.
# Usage (from ctest): test_run_interrupt.sh CLI SOURCE_DIR OUT_DIR
set -euo pipefail
cli=$1 source_dir=$2 out_dir=$3
rm -rf "$out_dir"
mkdir -p "$out_dir"

# One job of 1e8 s sampled every 10 ms: a run that would take hours, so the signal always lands in it.
printf 'job_id,submit_s,duration_s,gpus\nlong,0,100000000,1\n' >"$out_dir/trace.csv"
cat >"$out_dir/scenario.json" <<JSON
{ "name": "interrupt", "platform": "$source_dir/platforms/quickstart.xml",
  "workload": { "jobs": { "path": "trace.csv" } },
  "monitoring": { "interval_s": 0.01, "max_samples": 100000000 } }
JSON

for round in 1 2 3; do
  for signal in INT TERM; do
    run_dir="$out_dir/run-$signal-$round"
    # timeout: a run that ignored the signal fails the test instead of hanging it.
    timeout -s KILL 600 "$cli" run "$out_dir/scenario.json" --out "$run_dir" --quiet 2>"$out_dir/err" &
    pid=$!
    # Signal once the run is simulating: its timeseries.csv temporary exists from then on.
    for _ in $(seq 1 6000); do
      compgen -G "$run_dir/timeseries.csv.tmp.*" >/dev/null && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    # timeout passes the signal on to the simulator and exits with its status.
    kill -s "$signal" "$pid" 2>/dev/null || true
    set +e
    wait "$pid"
    code=$?
    set -e
    expected=$([[ $signal == INT ]] && echo 130 || echo 143)
    if [[ $code != "$expected" ]]; then
      echo "FAIL: SIG$signal (round $round): exit $code, expected $expected; stderr:" >&2
      cat "$out_dir/err" >&2
      exit 1
    fi
    grep -q "interrupted by SIG$signal; stopped, no outputs written" "$out_dir/err" || {
      echo "FAIL: SIG$signal (round $round): stderr does not say so:" >&2
      cat "$out_dir/err" >&2
      exit 1
    }
    left=$(find "$run_dir" -type f 2>/dev/null | head -5)
    if [[ -n $left ]]; then
      echo "FAIL: SIG$signal (round $round) left files behind: $left" >&2
      exit 1
    fi
  done
done
echo "ok: 6 interrupted runs, exit codes 130/143, nothing left behind"
