#!/usr/bin/env bash
# `aidcsim report` (docs/timeline.md#the-html-report) opened in a real browser: headless Debian
# `chromium` (installed by `make test`) loads report.html of the quickstart and of an hour of the chat
# service with every host name unresolvable (nothing may come from the network), and must print no
# console message at all (no script error, no failed load); the DOM it dumps must hold the titles, an
# inline SVG per figure, the tables, and the page's own marker saying every figure drew. Exit 77
# (skipped) only when no chromium can be found. Also: the page names no external resource, and the
# input errors (exit 2, `error: FILE...`, no output file).
# Usage (from ctest): test_report_chromium.sh CLI SOURCE_DIR OUT_DIR
set -euo pipefail
cli=$1 source_dir=$2 out_dir=$3
rm -rf "$out_dir"
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)

"$cli" run "$source_dir/scenarios/quickstart.json" --out "$out_dir/quickstart" --quiet
"$cli" run "$source_dir/scenarios/inference-chat.json" --out "$out_dir/chat" --quiet --set horizon_s=3600
"$cli" report "$out_dir/quickstart" -o "$out_dir/quickstart.html"
"$cli" report "$out_dir/chat"  # default: RUN_DIR/report.html

for page in "$out_dir/quickstart.html" "$out_dir/chat/report.html"; do
  # Self-contained: no src/href to anything but the page itself, no @import, no url(...).
  if grep -Eqi '(src|href)=\"?[a-z]+:|@import|url\(' "$page"; then
    echo "FAIL: $page refers to an external resource:"; grep -Eoi '(src|href)=\"?[a-z]+:[^ >]*|@import|url\([^)]*\)' "$page" | head; exit 1
  fi
done

# Input errors, checked before the browser part so that they run everywhere.
set +e
"$cli" report "$out_dir/nothing-here" -o "$out_dir/none.html" 2>"$out_dir/err.log"; rc=$?
set -e
[[ $rc -eq 2 ]] && grep -q "^error: $out_dir/nothing-here: " "$out_dir/err.log" ||
  { echo "FAIL: report of a missing folder: exit $rc"; cat "$out_dir/err.log"; exit 1; }
mkdir -p "$out_dir/bad" && cp -r "$out_dir/quickstart/." "$out_dir/bad/" && echo '{"scenario": ' >"$out_dir/bad/summary.json"
set +e
"$cli" report "$out_dir/bad" -o "$out_dir/none.html" 2>"$out_dir/err.log"; rc=$?
set -e
[[ $rc -eq 2 ]] && grep -q "^error: $out_dir/bad/summary.json:[0-9]*: invalid JSON" "$out_dir/err.log" ||
  { echo "FAIL: report with a broken summary.json: exit $rc"; cat "$out_dir/err.log"; exit 1; }
[[ ! -e "$out_dir/none.html" ]] || { echo "FAIL: none.html written despite the error"; exit 1; }

browser=""
for b in chromium chromium-browser; do
  if command -v "$b" >/dev/null 2>&1; then browser=$(command -v "$b"); break; fi
done
if [[ -z "$browser" ]]; then
  echo "SKIP: no chromium found (make test installs Debian's chromium)"
  exit 77
fi

profile=$(mktemp -d "${TMPDIR:-/tmp}/aidcsim-chromium.XXXXXX")
browser_pid=""
cleanup() {
  # chromium and its helpers run in their own process group (setsid): end all of it, then the profile.
  [[ -n "$browser_pid" ]] && kill -- "-$browser_pid" 2>/dev/null || true
  rm -rf "$profile"
}
trap cleanup EXIT

render() {  # PAGE DOM_OUT LOG_OUT
  local url  # file:// URL of the page, percent-encoded (a checkout path may hold spaces)
  url=$(/usr/bin/python3 -c 'import pathlib, sys; print(pathlib.Path(sys.argv[1]).as_uri())' "$1")
  setsid "$browser" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$profile" \
    --host-resolver-rules="MAP * ~NOTFOUND" --enable-logging=stderr --v=0 --dump-dom "$url" \
    >"$2" 2>"$3" </dev/null &
  browser_pid=$!
  local rc=0
  wait "$browser_pid" || rc=$?
  browser_pid=""
  [[ $rc -eq 0 ]] || { echo "FAIL: $browser exited with $rc on $1:"; tail -20 "$3"; exit 1; }
}

check_page() {  # PAGE FIGURES TITLES...
  local page=$1 figures=$2
  shift 2
  local dom="$page.dom" log="$page.log"
  render "$page" "$dom" "$log"
  if grep -E ':CONSOLE[:(]|Uncaught' "$log"; then
    echo "FAIL: the browser's console has messages for $page (above)"; exit 1
  fi
  grep -q 'id="render-status" data-ok="yes"' "$dom" ||
    { echo "FAIL: $page: the page's marker does not say every figure drew:"; grep -o '<p id="render-status".*</p>' "$dom"; exit 1; }
  grep -q "figures drawn: $figures of $figures; no errors" "$dom" ||
    { echo "FAIL: $page: expected $figures figures drawn:"; grep -o '<p id="render-status".*</p>' "$dom"; exit 1; }
  local svgs
  svgs=$(grep -o '<svg class="chart"' "$dom" | wc -l)
  [[ $svgs -eq $figures ]] || { echo "FAIL: $page: $svgs inline SVG charts, expected $figures"; exit 1; }
  for title in "$@"; do
    grep -qF "$title" "$dom" || { echo "FAIL: $page: \"$title\" not in the rendered page"; exit 1; }
  done
  echo "$(basename "$page"): rendered by $("$browser" --version 2>/dev/null | head -1), $figures figures, no console message"
}

check_page "$out_dir/quickstart.html" 3 "aidcsim run report: quickstart" ">Summary</h2>" ">Figures</h2>" ">Tenants</h2>" \
  "GPUs allocated over time" "Pending and running jobs over time" "Job completion time and queueing delay (CDF)" \
  "simulated time (hours)" "seconds (log scale)" "<th>vision</th>" "<th>recsys</th>"
check_page "$out_dir/chat/report.html" 4 "aidcsim run report: inference-chat" "Inference latency (CDF)" \
  "chat: time to first token" ">Inference services</h2>"
echo "test_report_chromium: ok"
