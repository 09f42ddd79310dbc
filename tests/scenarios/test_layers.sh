#!/usr/bin/env bash
# The layers of docs/architecture.md: every #include "..." of a source file must name a file of a
# layer its own folder may use. A wrong include fails here (and usually also at link time, since
# each layer is its own library, CMakeLists.txt). SimGrid only in sim/engine, sim/run and sim/cli.
# Usage (from ctest): test_layers.sh CLI SOURCE_DIR OUT_DIR
set -euo pipefail
source_dir=$2
cd "$source_dir"
/usr/bin/python3 - <<'PY'
import os, re, sys
# folder -> folders it may include from (besides itself)
allowed = {
    "sim/core": ["sim/core", "sim/policy"],
    "sim/policy": ["sim/core", "sim/policy"],
    "sim/config": ["sim/core", "sim/policy"],
    "sim/metrics": ["sim/core", "sim/policy"],
    "sim/io": ["sim/core"],
    "sim/check": ["sim/core"],
    "sim/views": ["sim/core"],
    "models": ["sim/core", "sim/policy", "sim/config/options.hpp", "sim/config/located_json.hpp", "models"],
    "models/platform": ["sim/core", "models/traces", "models/platform", "models/cost/cloud_instances.hpp"],
    "sim/engine": ["sim/core", "sim/policy", "sim/metrics", "models/platform"],
    "sim/experiments": ["sim/core", "sim/policy", "sim/config", "sim/io", "sim/metrics"],
    "sim/run": ["sim/core", "sim/policy", "sim/config", "sim/io", "sim/metrics", "sim/engine", "sim/experiments"],
    "sim/cli": ["sim", "models/platform", "models/cost/cloud_instances.hpp"],
}
simgrid_ok = ("sim/engine", "sim/run", "sim/cli")
def layer_of(path):
    d = os.path.dirname(path)
    best = None
    for folder in allowed:
        if d == folder or d.startswith(folder + "/"):
            if best is None or len(folder) > len(best):
                best = folder
    return best
problems = []
files = 0
for root in ("sim", "models"):
    for dirpath, _, names in os.walk(root):
        for n in sorted(names):
            if not n.endswith((".cpp", ".hpp")):
                continue
            path = os.path.join(dirpath, n)
            layer = layer_of(path)
            if layer is None:
                problems.append(f"{path}: its folder is in no layer (add it to docs/architecture.md and this test)")
                continue
            files += 1
            for lineno, line in enumerate(open(path), 1):
                m = re.match(r'\s*#\s*include\s*([<"])([^>"]+)[>"]', line)
                if not m:
                    continue
                target = m.group(2)
                if m.group(1) == "<":
                    if target.startswith("simgrid/") and layer not in simgrid_ok:
                        problems.append(f"{path}:{lineno}: includes <{target}>: only {', '.join(simgrid_ok)} may use SimGrid")
                    continue
                if target.startswith(layer + "/") and layer != "models":
                    continue
                if not any(target == a or target.startswith(a + "/") for a in allowed[layer] + [layer]):
                    problems.append(f"{path}:{lineno}: layer {layer} may not include \"{target}\" "
                                    f"(allowed: {', '.join(allowed[layer])})")
if problems:
    print("FAIL: layering:\n  " + "\n  ".join(problems), file=sys.stderr)
    sys.exit(1)
if files < 100:
    print(f"FAIL: only {files} source files checked", file=sys.stderr)
    sys.exit(1)
print(f"layers: {files} files, every include allowed")
PY
