#!/usr/bin/env bash
# Tests check_invariants.py and its native twin `aidcsim check`: hand-made run directories, each broken
# in one way, must make both fail with the right message; the correct ones must pass both.
# Usage (from ctest): test_check_invariants.sh CLI SOURCE_DIR OUT_DIR
set -uo pipefail
cli=$1 source_dir=$2 out_dir=$3
checker=$source_dir/tests/scenarios/check_invariants.py
python=/usr/bin/python3
rm -rf "$out_dir"
mkdir -p "$out_dir"
failures=0
header=job_id,tenant,submit_s,start_s,end_s,queue_delay_s,jct_s,gpus,gpu_milli,state,hosts,duration_s

# case NAME pass|fail "MESSAGE" SHARING GPUS_TOTAL "SUBMITTED COMPLETED REJECTED UNFINISHED" [FLAGS] < jobs rows
case_() {
  local name=$1 expect=$2 message=$3 sharing=$4 gpus_total=$5 counts=($6) flags=${7:-}
  local dir=$out_dir/$name
  mkdir -p "$dir"
  { echo "${HEADER:-$header}"; cat; } > "$dir/jobs.csv"
  if [[ -n ${MIGRATIONS:-} ]]; then printf '%s\n' "$MIGRATIONS" > "$dir/migrations.csv"; fi
  cat > "$dir/summary.json" <<JSON
{"scenario": "$name", "seed": 1, "gpus_total": $gpus_total,
 "jobs": {"submitted": ${counts[0]}, "completed": ${counts[1]}, "rejected": ${counts[2]}, "unfinished": ${counts[3]}}}
JSON
  echo "{\"scenario\": {\"virtualization\": {\"gpu_sharing\": \"$sharing\"}}, \"seed\": 1}" > "$dir/run.json"
  local checker_name err rc
  for checker_name in python native; do
    if [[ $checker_name == python ]]; then
      err=$("$python" "$checker" "$dir" $flags 2>&1 >/dev/null)
    else
      err=$("$cli" check "$dir" $flags 2>&1 >/dev/null)
    fi
    rc=$?
    if [[ $expect == pass && $rc -ne 0 ]]; then
      echo "FAIL [$name, $checker_name]: expected the checker to pass, it exited $rc: $err" >&2
      failures=$((failures + 1))
    elif [[ $expect == fail && $rc -ne 1 ]]; then
      echo "FAIL [$name, $checker_name]: expected the checker to exit 1, it exited $rc: $err" >&2
      failures=$((failures + 1))
    elif [[ $expect == fail && $err != *"$message"* ]]; then
      echo "FAIL [$name, $checker_name]: the checker's message lacks \"$message\": $err" >&2
      failures=$((failures + 1))
    else
      echo "ok [$name, $checker_name]"
    fi
  done
}

case_ valid pass "" exclusive 4 "5 3 1 1" <<'ROWS'
a,t,0,0,10,0,10,2,1000,completed,g0;g1,10
b,t,0,10,20,10,20,2,1000,completed,g0;g1,10
c,t,5,5,8.5,0,3.5,0,1000,completed,srv0,3.5
d,t,1,,,,,64,1000,rejected,,1
e,t,2,20,,18,,4,1000,unfinished,g0;g1;g2;g3,100
ROWS

case_ back_to_back_on_one_gpu pass "" exclusive 1 "2 2 0 0" <<'ROWS'
a,t,0,0,10,0,10,1,1000,completed,g0,10
b,t,0,10,20,10,20,1,1000,completed,g0,10
ROWS

case_ overlapping_whole_gpus fail "host g1: 2000 milli allocated at t=5" exclusive 4 "2 2 0 0" <<'ROWS'
a,t,0,0,10,0,10,2,1000,completed,g0;g1,10
b,t,5,5,15,0,10,2,1000,completed,g1;g2,10
ROWS

# Two half-GPU jobs share a GPU under MPS, but each takes a whole GPU in exclusive mode.
case_ half_gpus_shared pass "" mps 1 "2 2 0 0" <<'ROWS'
a,t,0,0,10,0,10,1,500,completed,g0,10
b,t,0,0,10,0,10,1,500,completed,g0,10
ROWS
case_ half_gpus_exclusive fail "host g0: 2000 milli allocated at t=0" exclusive 1 "2 2 0 0" <<'ROWS'
a,t,0,0,10,0,10,1,500,completed,g0,10
b,t,0,0,10,0,10,1,500,completed,g0,10
ROWS
case_ shares_over_a_whole_gpu fail "host g0: 1100 milli" time-slicing 1 "2 2 0 0" <<'ROWS'
a,t,0,0,10,0,10,1,600,completed,g0,10
b,t,0,9,19,9,19,1,500,completed,g0,10
ROWS

case_ unfinished_job_holds_its_gpu fail "host g0: 2000 milli allocated at t=100" exclusive 1 "2 1 0 1" <<'ROWS'
a,t,0,5,,5,,1,1000,unfinished,g0,1000
b,t,100,100,110,0,10,1,1000,completed,g0,10
ROWS

case_ more_gpus_than_the_platform fail "platform: 3 GPUs allocated" exclusive 2 "3 3 0 0" <<'ROWS'
a,t,0,0,10,0,10,1,1000,completed,g0,10
b,t,0,0,10,0,10,1,1000,completed,g1,10
c,t,0,0,10,0,10,1,1000,completed,g2,10
ROWS

case_ duplicate_job fail "job 'a': appears more than once (first on line 2)" exclusive 2 "2 2 0 0" <<'ROWS'
a,t,0,0,10,0,10,1,1000,completed,g0,10
a,t,0,0,10,0,10,1,1000,completed,g1,10
ROWS

case_ invalid_state fail "state 'done' is not one of" exclusive 1 "1 0 0 0" <<'ROWS'
a,t,0,0,10,0,10,1,1000,done,g0,10
ROWS

case_ completed_without_end fail "completed without start_s and end_s" exclusive 1 "1 1 0 0" <<'ROWS'
a,t,0,0,,0,,1,1000,completed,g0,10
ROWS

case_ rejected_that_ran fail "rejected but has a start" exclusive 1 "1 0 1 0" <<'ROWS'
a,t,0,0,10,0,10,1,1000,rejected,g0,10
ROWS

case_ wrong_queue_delay fail "queue_delay_s is '4', expected start_s - submit_s = 5.000000" exclusive 1 "1 1 0 0" <<'ROWS'
a,t,1,6,16,4,15,1,1000,completed,g0,10
ROWS

case_ wrong_jct fail "jct_s is '10', expected end_s - submit_s = 15.000000" exclusive 1 "1 1 0 0" <<'ROWS'
a,t,1,6,16,5,10,1,1000,completed,g0,10
ROWS

# Printed figures are rounded to 6 decimals: a 2e-6 difference passes, 1e-5 does not.
case_ delay_within_rounding pass "" exclusive 1 "1 1 0 0" <<'ROWS'
a,t,0.000001,1.000002,11.000002,0.999999,11.000003,1,1000,completed,g0,10
ROWS
case_ delay_beyond_rounding fail "queue_delay_s is '0.99999'" exclusive 1 "1 1 0 0" <<'ROWS'
a,t,0.000001,1.000002,11.000002,0.99999,11.000001,1,1000,completed,g0,10
ROWS

case_ wrong_host_count fail "asks for 2 GPUs but hosts lists 1" exclusive 2 "1 1 0 0" <<'ROWS'
a,t,0,0,10,0,10,2,1000,completed,g0,10
ROWS

case_ ends_before_start fail "ends at 5.0 before it starts at 6.0" exclusive 1 "1 1 0 0" <<'ROWS'
a,t,0,6,5,6,5,1,1000,completed,g0,10
ROWS

case_ summary_counts_disagree fail "summary.json: jobs.completed is 2, jobs.csv has 1" exclusive 1 "1 2 0 0" <<'ROWS'
a,t,0,0,10,0,10,1,1000,completed,g0,10
ROWS

case_ replay_rule_off pass "" exclusive 1 "1 1 0 0" <<'ROWS'
a,t,0,0,12,0,12,1,1000,completed,g0,10
ROWS
case_ replay_rule_on fail "ran 12.000000 s, expected exactly duration_s = 10.0" exclusive 1 "1 1 0 0" --replay-exact <<'ROWS'
a,t,0,0,12,0,12,1,1000,completed,g0,10
ROWS

# gpu_milli_held (what the mode took in the ledger) wins over the request: time-slicing admits by memory.
HEADER=$header,gpu_milli_held case_ held_shares_fit pass "" time-slicing 1 "2 2 0 0" <<'ROWS'
a,t,0,0,10,0,10,1,600,completed,g0,10,1
b,t,0,0,10,0,10,1,600,completed,g0,10,1
ROWS
HEADER=$header,gpu_milli_held case_ held_shares_over fail "host g0: 1200 milli" mps 1 "2 2 0 0" <<'ROWS'
a,t,0,0,10,0,10,1,600,completed,g0,10,600
b,t,0,0,10,0,10,1,400,completed,g0,10,600
ROWS

# Live migrations (migrations.csv): a moves from g0 to g3 between 100 and 110; g3 is reserved from 100.
migrated_header=$header,preemptions,migrations
moved="vm,job_id,job_moved,from_hosts,to_hosts,start_s,paused_s,end_s,bytes
0,a,1,g0,g3,100,108,110,1e10"
HEADER=$migrated_header MIGRATIONS=$moved case_ migrated_job_valid pass "" exclusive 4 "3 3 0 0" <<'ROWS'
a,t,0,0,1005,0,1005,1,1000,completed,g3,1000,0,1
b,t,0,0,100,0,100,1,1000,completed,g3,100,0,0
c,t,0,0,1000,0,1000,1,1000,completed,g2,1000,0,0
ROWS
HEADER=$migrated_header MIGRATIONS=$moved case_ migration_destination_busy fail "host g3: 2000 milli allocated at t=100" exclusive 4 "2 2 0 0" <<'ROWS'
a,t,0,0,1005,0,1005,1,1000,completed,g3,1000,0,1
b,t,0,0,105,0,105,1,1000,completed,g3,105,0,0
ROWS
HEADER=$migrated_header MIGRATIONS=$moved case_ migration_source_held_to_its_end fail "host g0: 2000 milli allocated at t=109" exclusive 4 "2 2 0 0" <<'ROWS'
a,t,0,0,1005,0,1005,1,1000,completed,g3,1000,0,1
b,t,109,109,200,0,91,1,1000,completed,g0,91,0,0
ROWS
HEADER=$migrated_header MIGRATIONS=$moved case_ migration_hosts_disagree fail "but its last migration moved it to g3" exclusive 4 "1 1 0 0" <<'ROWS'
a,t,0,0,1005,0,1005,1,1000,completed,g2,1000,0,1
ROWS
HEADER=$migrated_header MIGRATIONS=$moved case_ migration_count_disagrees fail "migrations is '2', but migrations.csv moved it 1 time(s)" exclusive 4 "1 1 0 0" <<'ROWS'
a,t,0,0,1005,0,1005,1,1000,completed,g3,1000,0,2
ROWS

# Unusable input is exit code 2, not a pass: a directory without outputs, a missing directory, a file.
mkdir -p "$out_dir/empty"
echo "not a directory" > "$out_dir/plain_file"
for target in empty missing plain_file; do
  if [[ $target != plain_file ]]; then  # (the Python checker ends with a traceback on a plain file)
    "$python" "$checker" "$out_dir/$target" 2>/dev/null
    rc=$?
    if [[ $rc -ne 2 ]]; then echo "FAIL [$target, python]: expected exit 2, got $rc" >&2; failures=$((failures + 1)); fi
  fi
  err=$("$cli" check "$out_dir/$target" 2>&1 >/dev/null)
  rc=$?
  if [[ $rc -ne 2 || $err != *"error: $out_dir/$target"* ]]; then
    echo "FAIL [$target, native]: expected exit 2 and an error naming the input, got $rc: $err" >&2
    failures=$((failures + 1))
  else
    echo "ok [$target]"
  fi
done
# A jobs.csv without its required columns, and a summary.json without gpus_total.
cp -r "$out_dir/valid" "$out_dir/no_hosts_column"
cut -d, -f1-10 "$out_dir/valid/jobs.csv" > "$out_dir/no_hosts_column/jobs.csv"
cp -r "$out_dir/valid" "$out_dir/no_gpus_total"
echo '{"jobs": {}}' > "$out_dir/no_gpus_total/summary.json"
for target in no_hosts_column:"missing column(s) hosts" no_gpus_total:"gpus_total is None"; do
  name=${target%%:*} message=${target#*:}
  err=$("$cli" check "$out_dir/$name" 2>&1 >/dev/null)
  rc=$?
  if [[ $rc -ne 2 || $err != *"$message"* ]]; then
    echo "FAIL [$name, native]: expected exit 2 with \"$message\", got $rc: $err" >&2
    failures=$((failures + 1))
  else
    echo "ok [$name]"
  fi
done

# expect_messages NAME DIR RULE_PATTERN: both checkers report exactly $expected on DIR (the native one's
# lines of the rules matching RULE_PATTERN, without their [rule] tag).
expect_messages() {
  local name=$1 dir=$2 rule=$3 got_python got_native pair
  got_python=$("$python" "$checker" "$dir" 2>&1 >/dev/null | sed -n 's/^  //p')
  got_native=$("$cli" check "$dir" 2>&1 >/dev/null | sed -n "s/^  \\[$rule\\] //p")
  for pair in "python:$got_python" "native:$got_native"; do
    if [[ ${pair#*:} != "$expected" ]]; then
      echo "FAIL [$name, ${pair%%:*}]: expected
$expected
got
${pair#*:}" >&2
      failures=$((failures + 1))
    else
      echo "ok [$name, ${pair%%:*}]"
    fi
  done
}

# Node groups (scaling_invariants.py's check_nodes): jobs ran only on nodes that were up; nodes.csv's
# events follow each other. n1 is up from 100 (a job starts there at 90); n0 is removed at 50 while a
# job runs on it to 60; n2 is requested twice; a row names no group; one event is unknown.
dir=$out_dir/node_groups
mkdir -p "$dir"
{ echo "$header,preemptions,migrations"
  echo "a,t,0,0,60,0,60,1,1000,completed,n0-g0,60,0,0"
  echo "b,t,0,90,120,90,120,1,1000,completed,n1-g0,30,0,0"
  echo "c,t,0,100,130,100,130,1,1000,completed,n1-g1,30,0,0"
  echo "d,t,0,10,140,10,140,1,1000,completed,n0-g1,30,1,0"; } > "$dir/jobs.csv"
echo '{"scenario": "node_groups", "seed": 1, "gpus_total": 4, "jobs": {"submitted": 4, "completed": 4, "rejected": 0, "unfinished": 0}}' > "$dir/summary.json"
echo '{"scenario": {"autoscaling": {"nodes": {"groups": [{"name": "g", "match": {"rack": "r"}, "min": 0, "max": 3, "initial": 1}]}}}, "seed": 1}' > "$dir/run.json"
printf 'time_s,object,kind,from,to,reason\n0,g,node_group,1,2,up\n50,g,node_group,2,1,down\n' > "$dir/scaling.csv"
printf '%s\n' "time_s,group,node,event,hosts" "0,g,n0,up,n0;n0-g0;n0-g1" "0,g,n1,away,n1;n1-g0;n1-g1" "0,g,n2,away,n2" \
  "10,g,n1,requested,n1;n1-g0;n1-g1" "50,g,n0,removed,n0;n0-g0;n0-g1" "100,g,n1,ready,n1;n1-g0;n1-g1" \
  "110,h,n2,requested,n2" "120,g,n2,requested,n2" "130,g,n2,rebooted,n2" > "$dir/nodes.csv"
expected="nodes.csv:8: n2: no such node group in run.json's autoscaling (nodes.groups)
nodes.csv:9: n2: requested, but it was coming
nodes.csv:10: n2: unknown event 'rebooted'
jobs.csv:2: a ran on n0-g0 (node n0) over [0, 60], when the node was not up
jobs.csv:3: b ran on n1-g0 (node n1) over [90, 120], when the node was not up
jobs.csv:5: d ended on n0-g1 (node n0) at 140, when the node was not up"
expect_messages node_groups "$dir" "scaling-node[a-z-]*"

# Failures (failure_invariants.py): failures.csv's rows are readable, in order, of known kinds, and name
# jobs of jobs.csv as often as their `failures` say; hit jobs were preempted and ended after their last
# failure; no job ran on a host while it was down (srv0 from 50 to 80: b starts on srv0-gpu0 at 60).
dir=$out_dir/failures
mkdir -p "$dir"
{ echo "$header,preemptions,migrations,failures,lost_gpu_s"
  echo "a,t,0,0,200,0,200,1,1000,completed,srv1-gpu0,150,1,0,1,10"
  echo "b,t,60,60,100,0,40,1,1000,completed,srv0-gpu0,40,0,0,0,0"
  echo "c,t,0,0,100,0,100,1,1000,completed,srv1-gpu1,100,0,0,2,0"
  echo "d,t,0,0,55,0,55,1,1000,completed,srv3-gpu0,50,1,0,1,-3"; } > "$dir/jobs.csv"
echo '{"scenario": "failures", "seed": 1, "gpus_total": 4, "jobs": {"submitted": 4, "completed": 4, "rejected": 0, "unfinished": 0}}' > "$dir/summary.json"
echo '{"scenario": {"failures": {"trace": "failures.csv"}}, "seed": 1}' > "$dir/run.json"
printf '%s\n' "time_s,host,kind,repair_s,jobs_hit,job_ids" "50,srv0,server,30,2,a;c" "40,srv9,gpu,10,1,zz" "60,srv2,disk,5,2,d" \
  > "$dir/failures.csv"
expected="failures.csv:3: srv9: at 40, before the previous row (50)
failures.csv:3: srv9: job 'zz' is not in jobs.csv
failures.csv:4: srv2: kind 'disk', expected server or gpu
failures.csv:4: srv2: jobs_hit is 2, job_ids names 1
jobs.csv:3: job 'b': ran on srv0-gpu0 over [60, 100], when srv0 was down (50 to 80)
jobs.csv:4: job 'c': failures is 2, failures.csv names it 1 times
jobs.csv:4: job 'c': preempted 0 times, fewer than its 2 failures
jobs.csv:5: job 'd': lost_gpu_s is '-3', expected a finite number >= 0
jobs.csv:5: job 'd': ended at 55, not after its last failure at 60"
expect_messages failures "$dir" "failure-[a-z-]*"

# The native report names the rule.
err=$("$cli" check "$out_dir/overlapping_whole_gpus" 2>&1 >/dev/null)
if [[ $err != *"[gpu-capacity] host g1"* ]]; then
  echo "FAIL [rule names]: $err" >&2
  failures=$((failures + 1))
fi

if [[ $failures -ne 0 ]]; then
  echo "$failures checker test(s) failed" >&2
  exit 1
fi
echo "all checker tests passed"
