#!/usr/bin/env bash
# Runs each libFuzzer target of a fuzz build for SECONDS, one at a time, at the lowest CPU priority
# (the machine may be shared). Seeds: make_corpus.sh; the growing corpus stays in BUILD/fuzz-work/<t>;
# findings go to BUILD/fuzz-findings/<t>/. Prints one line per target; exit 1 if any target found something.
# Usage: run_fuzzers.sh SOURCE_DIR BUILD_DIR SECONDS TARGET...
set -uo pipefail
source_dir=$1 build=$2 seconds=$3
shift 3
bash "$source_dir/tests/fuzz/make_corpus.sh" "$source_dir" "$build/fuzz-corpus" || exit 1
found=0
summary=()
for t in "$@"; do
  work=$build/fuzz-work/$t findings=$build/fuzz-findings/$t
  mkdir -p "$work" "$findings"
  seeds=("$build/fuzz-corpus/$t")
  [[ -d $source_dir/tests/fuzz/regressions/$t ]] && seeds+=("$source_dir/tests/fuzz/regressions/$t")
  log=$build/fuzz-findings/$t.log
  start=$(date +%s)
  nice -n 19 "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 \
    -artifact_prefix="$findings/" -print_final_stats=1 "$work" "${seeds[@]}" >"$log" 2>&1
  rc=$?
  took=$(( $(date +%s) - start ))
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
  if [[ $rc -ne 0 ]]; then
    found=1
    summary+=("$t: FINDING after ${took} s (exit $rc): $(ls "$findings" | head -3 | tr '\n' ' ') — see $log")
  else
    summary+=("$t: ${took} s, ${runs} inputs, coverage ${cov} edges, no finding")
  fi
  echo "${summary[-1]}"
done
echo "fuzz summary:"
printf '  %s\n' "${summary[@]}"
exit $found
