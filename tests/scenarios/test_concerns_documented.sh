#!/usr/bin/env bash
# The concern table (sim/config/concerns.cpp, printed by `aidcsim list --json`): every concern has
# its docs page, the page names the concern's scenario path and every registered implementation,
# and each concern's default is one of its implementations.
# Usage (from ctest): test_concerns_documented.sh CLI SOURCE_DIR OUT_DIR
set -euo pipefail
cli=$1 source_dir=$2 out_dir=$3
rm -rf "$out_dir" && mkdir -p "$out_dir"
"$cli" list --json >"$out_dir/concerns.json"
/usr/bin/python3 - "$out_dir/concerns.json" "$source_dir" <<'PY'
import json, os, re, sys
table = json.load(open(sys.argv[1]))
source_dir = sys.argv[2]
problems = []
if len(table) < 7:
    problems.append(f"only {len(table)} concerns in the table")
for c in table:
    concern, page, default = c["concern"], c["doc_page"], c["default"]
    names = [i["name"] for i in c["implementations"]]
    if default not in names:
        problems.append(f"{concern}: default {default!r} is not registered ({names})")
    path = os.path.join(source_dir, page)
    if not os.path.isfile(path):
        problems.append(f"{concern}: its docs page {page} does not exist")
        continue
    text = open(path, encoding="utf-8").read()
    key = concern.split(".")[-1]
    if concern not in text and f'"{key}"' not in text:
        problems.append(f"{page}: does not name {concern}")
    for n in names:
        if not re.search(r"[`\"]" + re.escape(n) + r"[`\"]", text):
            problems.append(f"{page}: does not document {concern} {n!r}")
if problems:
    print("FAIL: concerns not documented:\n  " + "\n  ".join(problems), file=sys.stderr)
    sys.exit(1)
print(f"{len(table)} concerns, each documented with all its implementations")
PY
rm -rf "$out_dir"
