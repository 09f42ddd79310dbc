#!/usr/bin/env bash
# `aidcsim sweep --executor slurm` against a real, throwaway, single-node Slurm (Debian's 22.05):
# installs slurmctld slurmd slurm-client munge when missing (apt-get, as root), starts munged,
# slurmctld and slurmd on localhost with a private config and state directory, runs an 8-point sweep
# of quickstart (6 good points, 2 failing ones) as one job array, and checks that results.csv is
# byte-identical to the local executor's. The daemons are stopped by PID on every exit path.
#
# Exit 77 (ctest: SKIPPED) with a loud message when Slurm cannot be started here: not root, packages
# missing and not installable, or the daemons do not come up. AIDCSIM_SKIP_SLURM=1 skips on purpose;
# AIDCSIM_NO_APT=1 forbids installing. AIDCSIM_SLURM_AUTH=none runs without munge (auth/none).
# See docs/slurm.md for the configuration and its pitfalls.
# Usage (from ctest): test_sweep_slurm.sh CLI SOURCE_DIR OUT_DIR
set -uo pipefail
cli=$1 source_dir=$2 out_dir=$3
t_start=$(date +%s.%N)
elapsed() { awk -v a="$t_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

skip() {
  local bar="######################################################################"
  printf '%s\n# SKIPPED test_sweep_slurm: %s\n# (the Slurm executor was NOT tested; see docs/slurm.md)\n%s\n' \
    "$bar" "$*" "$bar" | tee /dev/stderr
  exit 77
}
fail() { echo "FAIL: $*" >&2; exit 1; }

[[ ${AIDCSIM_SKIP_SLURM:-0} == 1 ]] && skip "AIDCSIM_SKIP_SLURM=1"
[[ $(id -u) -eq 0 ]] || skip "not root: a throwaway Slurm needs root (SlurmUser=root, munged as the munge user)"

rm -rf "$out_dir"
mkdir -p "$out_dir"

# ---------------------------------------------------------------------------------------------
# 1. Packages
have_slurm() { command -v sbatch && command -v slurmctld && command -v slurmd && command -v munged; } >/dev/null 2>&1
export PATH=$PATH:/usr/sbin:/sbin
if ! have_slurm; then
  [[ ${AIDCSIM_NO_APT:-0} == 1 ]] && skip "Slurm is not installed and AIDCSIM_NO_APT=1"
  command -v apt-get >/dev/null || skip "Slurm is not installed and there is no apt-get"
  echo "installing slurmctld slurmd slurm-client munge (apt-get) ..."
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get -o DPkg::Lock::Timeout=120 update -qq >"$out_dir/apt.log" 2>&1 || true
  timeout 600 apt-get -o DPkg::Lock::Timeout=120 install -y -qq --no-install-recommends \
    slurmctld slurmd slurm-client munge >>"$out_dir/apt.log" 2>&1 \
    || { tail -n 20 "$out_dir/apt.log" >&2; skip "apt-get install slurmctld slurmd slurm-client munge failed"; }
  have_slurm || skip "Slurm commands still missing after apt-get install"
  echo "installed in $(elapsed) s"
fi

# Config, state, spool, logs and pid files: all private, all thrown away. Under a short /tmp path
# wherever the checkout is: slurmstepd's Unix socket lives in the spool directory, and a socket path
# longer than 108 characters makes every task fail to launch (held, "launch failed requeued held").
S=$(mktemp -d /tmp/aidcsim-slurm.XXXXXX) || fail "mktemp failed"
mkdir -p "$S/ctld" "$S/spool" "$S/log"
AUTH=${AIDCSIM_SLURM_AUTH:-munge}

# ---------------------------------------------------------------------------------------------
# 2. Configuration (see docs/slurm.md): localhost node, root daemons, no cgroups, no accounting,
#    fast scheduling cadence, private non-default ports so a real Slurm on this host is not disturbed.
probe=$(slurmd -C 2>/dev/null | head -1)
CPUS=$(sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' <<<"$probe")
MEM=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$probe")
[[ -n $CPUS && -n $MEM ]] || skip "slurmd -C did not report CPUs and RealMemory: $probe"
PORT=$((17000 + (RANDOM % 1000) * 2))
cat >"$S/slurm.conf" <<CONF
ClusterName=aidcsim-test
SlurmctldHost=localhost
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/$AUTH
CredType=cred/$AUTH
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
MinJobAge=5
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MailProg=/bin/true
StateSaveLocation=$S/ctld
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/log/slurmctld.log
SlurmdLogFile=$S/log/slurmd.log
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=ci Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$S/slurm.conf  # the daemons, every client and the job steps read this
echo "slurm: $(sbatch --version 2>/dev/null)"

# ---------------------------------------------------------------------------------------------
# 3. Daemons, stopped by PID on every exit path
MUNGED_PID= CTLD_PID= SLURMD_PID=
stop_pid() {  # SIGTERM, wait up to 10 s, then SIGKILL
  [[ -n $1 ]] || return 0
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  echo "PID $1 ignored SIGTERM; SIGKILL" >&2
  kill -9 "$1" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  set +e
  if [[ -n $CTLD_PID ]]; then  # never leave jobs running behind slurmd (orphaned slurmstepd)
    scancel --user=root 2>/dev/null
    for _ in $(seq 50); do [[ -z $(squeue -h 2>/dev/null) ]] && break; sleep 0.2; done
  fi
  stop_pid "$SLURMD_PID"
  stop_pid "$CTLD_PID"
  stop_pid "$MUNGED_PID"
  MUNGED_PID= CTLD_PID= SLURMD_PID=
  if [[ $rc -ne 0 && $rc -ne 77 ]]; then
    echo "--- slurm logs (last lines) ---" >&2
    tail -n 25 "$S"/log/*.log >&2 2>/dev/null
  fi
  rm -rf "$S"
  echo "slurm test: total $(elapsed) s"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ $AUTH == munge ]]; then
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    echo "munged already running; reusing it"
  else
    [[ -s /etc/munge/munge.key ]] || mungekey --create --keyfile=/etc/munge/munge.key
    chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
    install -d -o munge -g munge -m 0755 /run/munge
    # setpriv execs in place, so $! is munged itself (runuser would leave a wrapper in between).
    setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged --foreground 2>"$S/log/munged.stderr" &
    MUNGED_PID=$!
    for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
    munge -n 2>/dev/null | unmunge >/dev/null 2>&1 || { cat "$S/log/munged.stderr" >&2; skip "munged did not start"; }
  fi
fi

# Each daemon as a simple command, so $! is its PID.
/usr/sbin/slurmctld -D >"$S/log/slurmctld.stdout" 2>&1 &
CTLD_PID=$!
/usr/sbin/slurmd -D -N localhost >"$S/log/slurmd.stdout" 2>&1 &
SLURMD_PID=$!
st=
for _ in $(seq 300); do  # up to 60 s
  st=$(sinfo -h -N -o '%t' 2>/dev/null)
  [[ $st == idle ]] && break
  kill -0 "$CTLD_PID" 2>/dev/null && kill -0 "$SLURMD_PID" 2>/dev/null || break
  sleep 0.2
done
if [[ $st != idle ]]; then
  tail -n 20 "$S"/log/*.log "$S"/log/*.stdout >&2 2>/dev/null
  skip "the throwaway Slurm did not come up (node state '$st')"
fi
echo "slurm up (node idle, port $PORT, auth $AUTH) after $(elapsed) s"

# ---------------------------------------------------------------------------------------------
# 4. The same sweep, locally and as a job array. Both run a private copy of the CLI: the array tasks
#    start later, asynchronously, and must not see a binary that a concurrent build is relinking.
cp "$cli" "$out_dir/aidcsim"
cli=$out_dir/aidcsim
good=$source_dir/platforms/quickstart.xml
cat >"$out_dir/sweep.json" <<JSON
{
  "scenario": "$source_dir/scenarios/quickstart.json",
  "zip": {
    "workload.jobs.time_scale": [1, 0.5, 0.25, 1],
    "platform": ["$good", "$good", "$good", "traces/quickstart.csv"]
  },
  "seeds": [1, 2],
  "metrics": ["jobs.completed", "jct_s.mean", "queue_delay_s.p95", "gpu_allocation", "makespan_s"],
  "slurm": { "partition": "ci", "time": "00:05:00", "cpus_per_task": 1, "extra": ["--nice=0"] }
}
JSON

rc_local=0
"$cli" sweep "$out_dir/sweep.json" --out "$out_dir/local" --jobs 2 2>"$out_dir/local.stderr" >/dev/null || rc_local=$?
[[ $rc_local -eq 1 ]] || { cat "$out_dir/local.stderr" >&2; fail "local sweep: exit $rc_local, expected 1 (2 points fail)"; }

t0=$(date +%s.%N)
rc_slurm=0
timeout 300 "$cli" sweep "$out_dir/sweep.json" --out "$out_dir/slurm" --executor slurm --jobs 2 \
  2>"$out_dir/slurm.stderr" >"$out_dir/slurm.stdout" || rc_slurm=$?
t1=$(date +%s.%N)
cat "$out_dir/slurm.stderr"
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "slurm sweep (8 points, job array): %.1f s\n", b - a }'
[[ $rc_slurm -eq 1 ]] || fail "slurm sweep: exit $rc_slurm, expected 1 (2 points fail)"

script=$out_dir/slurm/slurm/sweep.sbatch
[[ -s $script ]] || fail "no sbatch script at $script"
for line in '#SBATCH --array=0-7%2' '#SBATCH --partition=ci' '#SBATCH --time=00:05:00' '#SBATCH --nice=0'; do
  grep -qxF -- "$line" "$script" || fail "the sbatch script lacks '$line'"
done
[[ $(wc -l <"$out_dir/slurm/slurm/points.txt") -eq 8 ]] || fail "points.txt should have 8 lines"
grep -q 'submitted Slurm job [0-9]*' "$out_dir/slurm.stderr" || fail "no job submission reported"

if ! cmp "$out_dir/local/results.csv" "$out_dir/slurm/results.csv"; then
  diff "$out_dir/local/results.csv" "$out_dir/slurm/results.csv" >&2
  fail "results.csv differs between the local and the slurm executors"
fi
[[ $(grep -c ',ok,0,,' "$out_dir/slurm/results.csv") -eq 6 ]] || fail "expected 6 ok points: $(cat "$out_dir/slurm/results.csv")"
[[ $(grep -Ec ',failed,2,"?error: ' "$out_dir/slurm/results.csv") -eq 2 ]] || fail "expected 2 failed points with exit 2"

# A re-run submits nothing: every good point is complete; only the 2 failed ones are retried.
rc=0
timeout 300 "$cli" sweep "$out_dir/sweep.json" --out "$out_dir/slurm" --executor slurm 2>"$out_dir/slurm2.stderr" >/dev/null || rc=$?
grep -q '6 already complete (skipped), 2 to run' "$out_dir/slurm2.stderr" || fail "re-run: $(head -3 "$out_dir/slurm2.stderr")"
cmp "$out_dir/local/results.csv" "$out_dir/slurm/results.csv" || fail "results.csv changed on the slurm re-run"

# A task Slurm holds (here submitted held, as Slurm holds a task it cannot launch) stops the sweep
# with an error naming the job and Slurm's reason, instead of waiting for ever.
sed 's/"extra": \["--nice=0"\]/"extra": ["--nice=0", "--hold"]/' "$out_dir/sweep.json" >"$out_dir/sweep-held.json"
rc=0
timeout 120 "$cli" sweep "$out_dir/sweep-held.json" --out "$out_dir/held" --executor slurm 2>"$out_dir/held.stderr" >/dev/null || rc=$?
[[ $rc -eq 1 ]] || { cat "$out_dir/held.stderr" >&2; fail "held sweep: exit $rc, expected 1"; }
grep -Eq 'error: Slurm job [0-9]+ cannot finish: .*JobHeldUser' "$out_dir/held.stderr" \
  || { cat "$out_dir/held.stderr" >&2; fail "held sweep: no error naming the job and Slurm's reason"; }
[[ -z $(squeue -h 2>/dev/null) ]] || fail "held sweep left its job in the queue: $(squeue -h)"

echo "OK: slurm executor: results.csv identical to the local executor's (8 points, 2 failing)"
