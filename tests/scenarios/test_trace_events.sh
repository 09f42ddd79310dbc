#!/usr/bin/env bash
# `aidcsim export trace-events` (docs/timeline.md): the quickstart (plain, with container start-ups,
# under the preemptive LAS), the VM-consolidation scenario (live migrations) and an hour of the chat
# service (requests, sampled with a low cap too), by GPU and by server; trace_events_check.py checks each
# trace against its run. Then the input errors: exit 2, `error: FILE[:LINE]: ...`, no output file.
# Usage (from ctest): test_trace_events.sh CLI SOURCE_DIR OUT_DIR
set -euo pipefail
cli=$1 source_dir=$2 out_dir=$3
rm -rf "$out_dir"
mkdir -p "$out_dir"
check="$source_dir/tests/scenarios/trace_events_check.py"
run() {  # NAME SCENARIO [ARGS...]
  local name=$1 scenario=$2
  shift 2
  "$cli" run "$source_dir/scenarios/$scenario" --out "$out_dir/$name" --quiet "$@" >"$out_dir/$name.log" 2>&1 ||
    { echo "FAIL: run $name"; sed 's/^/  /' "$out_dir/$name.log"; exit 1; }
}
run quickstart quickstart.json
run container quickstart-container.json --set horizon_s=40000
run las quickstart.json --set scheduler.policy=las
run consolidation quickstart-vm-consolidation.json
run chat inference-chat.json --set horizon_s=3600
for name in quickstart container las consolidation chat; do
  for by in gpu server; do
    "$cli" export trace-events "$out_dir/$name" -o "$out_dir/$name-$by.json" --by "$by"
    /usr/bin/python3 "$check" "$out_dir/$name" "$out_dir/$name-$by.json" "$by"
  done
done
# The default output file, and requests sampled above a cap.
"$cli" export trace-events "$out_dir/chat" --max-requests 100
/usr/bin/python3 "$check" "$out_dir/chat" "$out_dir/chat/trace-events.json" gpu 100
grep -q '"requests_sampled"' "$out_dir/chat/trace-events.json" || { echo "FAIL: sampling not said in otherData"; exit 1; }

# Something must be checked: migrations, preemptions, start-ups and a job still running at the horizon.
grep -q '"cat":"migration"' "$out_dir/consolidation-gpu.json" || { echo "FAIL: no migration slice"; exit 1; }
grep -q '"cat":"preempted job"' "$out_dir/las-gpu.json" || { echo "FAIL: no preempted job"; exit 1; }
grep -q '"name":"start-up"' "$out_dir/container-gpu.json" || { echo "FAIL: no start-up phase"; exit 1; }

# Input errors: exit 2, the error format, no output file (not even a temporary one).
expect_error() {  # PATTERN CMD...
  local pattern=$1
  shift
  set +e
  "$@" >"$out_dir/err.out" 2>"$out_dir/err.log"
  local rc=$?
  set -e
  [[ $rc -eq 2 ]] || { echo "FAIL: exit $rc, expected 2: $*"; cat "$out_dir/err.log"; exit 1; }
  grep -Eq "$pattern" "$out_dir/err.log" || { echo "FAIL: expected /$pattern/ from $*, got:"; cat "$out_dir/err.log"; exit 1; }
}
bad="$out_dir/bad"
mkdir -p "$bad"
expect_error "^error: $bad/jobs.csv: file not found" "$cli" export trace-events "$bad" -o "$out_dir/none.json"
cp -r "$out_dir/quickstart/." "$bad/"
sed -i '5s/^\([^,]*,[^,]*,[^,]*\),[^,]*,/\1,soon,/' "$bad/jobs.csv"
expect_error "^error: $bad/jobs.csv:5: start_s: found \"soon\", expected a number" \
  "$cli" export trace-events "$bad" -o "$out_dir/none.json"
head -1 "$out_dir/quickstart/jobs.csv" | sed 's/,hosts//' >"$bad/jobs.csv"
expect_error "^error: $bad/jobs.csv:1: hosts: missing column" "$cli" export trace-events "$bad" -o "$out_dir/none.json"
expect_error "^error: .*: -o: folder .* does not exist" \
  "$cli" export trace-events "$out_dir/quickstart" -o "$out_dir/no/such/dir/t.json"
expect_error "by" "$cli" export trace-events "$out_dir/quickstart" --by rack -o "$out_dir/none.json"
expect_error "^error: $out_dir/nothing-here: not a directory" "$cli" export trace-events "$out_dir/nothing-here" -o "$out_dir/none.json"
leftovers=$(ls "$out_dir" | grep -E '^none\.json' || true)
[[ -z "$leftovers" ]] || { echo "FAIL: output left behind after an error: $leftovers"; exit 1; }
echo "test_trace_events: ok"
