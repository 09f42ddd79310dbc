#!/usr/bin/env bash
# The documentation (README.md and docs/*.md) against the program: it names nothing that does not
# exist, and everything that exists is documented.
#  a. every name printed by `aidcsim list` appears on its concern's page, and the tables of
#     implementations (concern pages, README) name nothing else;
#  b. every JSON example of a scenario (whole, or a fragment of its sections merged onto
#     scenarios/quickstart.json) and every `--set KEY=VALUE` passes `aidcsim validate` (a missing
#     platform or trace file is tolerated: the docs name files that are generated or downloaded);
#     every option given to an `aidcsim` subcommand exists (its --help); the jobs.csv columns,
#     summary.json keys, timeseries.csv metrics and migrations.csv columns of docs/outputs.md are
#     exactly those of real runs;
#     every key of the shipped scenarios (and every key their studies vary) is named in docs/;
#     every file, type and function named in docs/architecture.md exists;
#  c. every relative link (and its #anchor) points to an existing file (and heading); docs/index.md
#     links every page of docs/;
#  d. every concern of README.md's table that is not marked planned links to its docs page, and the
#     scenario reader still refuses the key of every planned one;
#  e. README.md has at most 250 lines.
# A block or line the checks must skip is preceded by <!-- docs-check: skip -->.
# Usage (from ctest): test_docs.sh CLI SOURCE_DIR OUT_DIR
set -euo pipefail
cli=$1 source_dir=$2 out_dir=$3
rm -rf "$out_dir"
mkdir -p "$out_dir"
# Real outputs to compare docs/outputs.md with: the quickstart, the VM consolidation run (power,
# migrations.csv), the quota run (summary.json quota, admissions.csv), the services with alert rules and
# the HPA and the Cluster Autoscaler (requests.csv, alerts.csv, scaling.csv), the cost run (summary.json cost)
# and the failures run (summary.json failures).
for s in quickstart quickstart-vm-consolidation quickstart-quota inference-chat inference-hpa quickstart-autoscaling quickstart-cost quickstart-failures; do
  "$cli" run "$source_dir/scenarios/$s.json" --out "$out_dir/runs/$s" --quiet \
    || { echo "FAIL: aidcsim run $s failed" >&2; exit 1; }
done
/usr/bin/python3 - "$cli" "$source_dir" "$out_dir" <<'PY'
import glob, json, os, re, shlex, subprocess, sys

cli, src, out = sys.argv[1:4]
problems = []
def fail(where, what):
    problems.append(f"{where}: {what}")

pages = {}  # relative path -> text
for path in ["README.md"] + sorted(os.path.relpath(p, src) for p in glob.glob(os.path.join(src, "docs", "*.md"))):
    pages[path] = open(os.path.join(src, path), encoding="utf-8").read()

def run(*args):
    r = subprocess.run([cli, *args], capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr

# Lines of a page with their kind: (lineno, line, in_code_block, block_language, skipped)
def lines_of(text):
    in_code, lang, skip_next, out_lines = False, "", False, []
    for n, line in enumerate(text.split("\n"), 1):
        if line.strip().startswith("```"):
            if not in_code:
                in_code, lang = True, line.strip()[3:].strip()
            else:
                in_code, lang, skip_next = False, "", False
            continue
        out_lines.append((n, line, in_code, lang, skip_next))
        if not in_code:
            skip_next = "<!-- docs-check: skip -->" in line
    return out_lines

# ---- a. every registered name is documented on its concern's page
concern_pages = {
    "scheduler.policy": "docs/schedulers.md", "placement.policy": "docs/placement.md",
    "virtualization.gpu_sharing": "docs/gpu_sharing.md", "virtualization.runtime": "docs/runtimes.md",
    "monitoring.policy": "docs/monitoring.md", "workload.jobs.model": "docs/traces.md",
    "workload.jobs.format": "docs/traces.md", "quota.policy": "docs/quota.md", "cost.preset": "docs/cost.md",
    "workload.services": "docs/inference.md", "autoscaling.services": "docs/autoscaling.md",
    "autoscaling.nodes": "docs/autoscaling.md", "failures": "docs/failures.md", "monitoring.alerts": "docs/monitoring.md",
}
rc, listing = run("list")
if rc != 0:
    fail("aidcsim list", f"exit code {rc}")
registered = {}  # key -> names
key = None
for line in listing.splitlines():
    if re.match(r"^\S+:$", line):
        key = line[:-1]
        registered[key] = []
    elif key and line.startswith("  "):
        registered[key].append(line.split()[0])
if len(registered) < 7 or sum(len(v) for v in registered.values()) < 30:
    fail("aidcsim list", f"unexpected output: {listing[:200]!r}")
for key, names in registered.items():
    page = concern_pages.get(key)
    if page is None:
        fail("aidcsim list", f"concern {key!r} has no page in test_docs.sh's map: document it and add it")
        continue
    for name in names:
        if f"`{name}`" not in pages.get(page, ""):
            fail(page, f"{key} {name!r} (printed by aidcsim list) is not documented here")

# ... and no page documents a name that is not registered: the first column of a concern page's table
# of implementations (header "name", "model" or "format"), and the implementations of README's table.
all_names = {n for names in registered.values() for n in names}
for page in sorted(set(concern_pages.values())):
    header = None
    for n, line, in_code, lang, skipped in lines_of(pages.get(page, "")):
        if in_code or not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells[0]
            continue
        if header in ("name", "model", "format") and not line.startswith("|---") and not skipped:
            for name in re.findall(r"`([^`]+)`", cells[0]):
                if name not in all_names:
                    fail(f"{page}:{n}", f"documents {name!r}, which aidcsim list does not print")

# ---- b. scenario examples and --set paths validate
quickstart_path = os.path.join(src, "scenarios", "quickstart.json")
quickstart = json.load(open(quickstart_path))
scenario_keys = {"name", "seed", "platform", "workload", "scheduler", "placement", "virtualization", "power",
                 "monitoring", "horizon_s", "engine", "description", "quota", "autoscaling", "failures", "cost"}
tolerated = re.compile(r"file not found|cannot open|no such file", re.I)

def merge(base, extra):
    out = dict(base)
    for k, v in extra.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out

def absolute(scenario):
    """Relative paths of the docs are relative to scenarios/ (where examples are meant to live)."""
    base = os.path.join(src, "scenarios")
    def fix(p):
        return p if not isinstance(p, str) or os.path.isabs(p) else os.path.normpath(os.path.join(base, p))
    if "platform" in scenario:
        scenario["platform"] = fix(scenario["platform"])
    jobs = scenario.get("workload", {}).get("jobs")
    if isinstance(jobs, dict) and "path" in jobs:
        jobs["path"] = fix(jobs["path"])
    return scenario

def validate(where, scenario, sets=()):
    path = os.path.join(out, "example.json")
    json.dump(absolute(scenario), open(path, "w"), indent=2)
    args = ["validate", path]
    for s in sets:
        args += ["--set", s]
    rc, text = run(*args)
    errors = [l for l in text.splitlines() if l.startswith("error:") and not tolerated.search(l)]
    if rc != 0 and not errors and text.strip():
        missing_files.append(where)
    if rc != 0 and (errors or not text.strip()):
        fail(where, "aidcsim validate rejects it:\n      " + "\n      ".join(errors or [f"exit code {rc}"]))
    return rc

def check_sweep(where, sweep, base):
    """A sweep file example: `aidcsim sweep --dry-run` loads every point against its scenario."""
    sweep = dict(sweep)
    sweep["scenario"] = os.path.normpath(os.path.join(base, sweep["scenario"]))
    path = os.path.join(out, "example-sweep.json")
    json.dump(sweep, open(path, "w"), indent=2)
    rc, text = run("sweep", path, "--dry-run", "--quiet", "--out", os.path.join(out, "example-sweep"))
    errors = [l for l in text.splitlines() if l.startswith("error:") and not tolerated.search(l)]
    if rc != 0 and (errors or not text.strip()):
        fail(where, "aidcsim sweep --dry-run rejects it:\n      " + "\n      ".join(errors or [f"exit code {rc}"]))
        return
    # The sweep checks policy names and scenario keys, not a policy's own options: validate the
    # first and the last point as `aidcsim run` would get them.
    points = [shlex.split(l.strip())[2:] for l in text.splitlines() if l.startswith("  aidcsim run ")]
    for args in points[:1] + points[-1:]:
        args = [a for a in args if a != "--quiet"]
        if "--out" in args:
            i = args.index("--out")
            del args[i:i + 2]
        if "--seed" in args:
            i = args.index("--seed")
            del args[i:i + 2]
        rc, text = run("validate", *args)
        errors = [l for l in text.splitlines() if l.startswith("error:") and not tolerated.search(l)]
        if rc != 0 and (errors or not text.strip()):
            fail(where, "a point of this sweep does not validate:\n      " + "\n      ".join(errors or [f"exit code {rc}"]))

checked_blocks = checked_sets = 0
missing_files = []  # examples that name a generated or downloaded file absent here
for page, text in pages.items():
    block, start, skip = None, 0, False
    for n, line, in_code, lang, skipped in lines_of(text) + [(0, "", False, "", False)]:
        if in_code and lang == "json":
            if block is None:
                block, start, skip = [], n, skipped
            block.append(line)
            continue
        if block is not None:
            body = "\n".join(block)
            block_where = f"{page}:{start}"
            block = None
            if skip:
                continue
            try:
                value = json.loads(body)
            except ValueError:
                try:
                    value = json.loads("{" + body + "}")
                except ValueError:
                    continue  # a shape with "..." in it, not a value
            if isinstance(value, dict) and "scenario" in value and set(value) & {"grid", "zip", "seeds", "set"}:
                check_sweep(block_where, value, os.path.join(src, "scenarios"))
                checked_blocks += 1
                continue
            if not isinstance(value, dict) or not value or not set(value) <= scenario_keys:
                continue  # a summary excerpt, a section's own options
            whole = "platform" in value and "workload" in value
            validate(block_where, value if whole else merge(quickstart, value))
            checked_blocks += 1
    # JSON written by a shell example (cat > PATH <<'EOF' ... EOF): a sweep file, relative to PATH.
    for m in re.finditer(r"cat > (\S+) <<'?EOF'?\n(.*?)\nEOF\n", text, re.S):
        try:
            value = json.loads(m.group(2))
        except ValueError:
            fail(f"{page}:{text[:m.start()].count(chr(10)) + 1}", f"{m.group(1)} is not valid JSON")
            continue
        if isinstance(value, dict) and "scenario" in value:
            check_sweep(f"{page}:{text[:m.start()].count(chr(10)) + 1}", value,
                        os.path.join(src, os.path.dirname(m.group(1))))
            checked_blocks += 1
    for n, line, in_code, lang, skipped in lines_of(text):
        if skipped:
            continue
        # The --set values of one line belong together (one command).
        sets = [m.group(1) + "=" + m.group(2)
                for m in re.finditer(r"--set[ =]([A-Za-z_][\w.]*)=([^\s`|\\]+)", line) if m.group(1) != "KEY"]
        if sets:
            validate(f"{page}:{n}", dict(quickstart), sets)
            checked_sets += len(sets)
if checked_blocks < 5 or checked_sets < 3:
    fail("docs", f"only {checked_blocks} scenario examples and {checked_sets} --set values checked")

# Every key of the shipped scenarios, and every key their studies vary, is named in docs/.
shipped = set()
def walk(value, path):
    # quota.tenants maps the workload's tenant names (data, not keys) to queues or limits.
    if isinstance(value, dict) and path[-1:] != ("tenants",):
        for k, v in value.items():
            shipped.add(path + (k,))
            walk(v, path + (k,))
for f in sorted(glob.glob(os.path.join(src, "scenarios", "*.json"))):
    walk(json.load(open(f)), ())
for f in sorted(glob.glob(os.path.join(src, "scenarios", "studies", "*.json"))):
    study = json.load(open(f))
    for part in ("grid", "set", "zip"):
        for k in (study.get(part) or {}) if isinstance(study.get(part), dict) else {}:
            shipped.add(tuple(k.split(".")))
all_docs = "\n".join(t for p, t in pages.items() if p.startswith("docs/"))
for key in sorted(shipped):
    if key[-1] != "seed" and not re.search(r"`[^`\n]*\b" + re.escape(key[-1]) + r"\b[^`\n]*`", all_docs):
        fail("docs", f"scenario key {'.'.join(key)} (used in scenarios/) is not documented")
if len(shipped) < 20:
    fail("scenarios", f"only {len(shipped)} keys found in the shipped scenarios")

# Options given to aidcsim subcommands exist.
subcommands = ["run", "validate", "list", "sweep", "platform info", "platform fat-tree", "platform openb",
               "platform philly", "platform helios", "platform cloud", "trace stats", "check",
               "export openmetrics", "export trace-events", "report"]
options = {}
for sub in subcommands:
    rc, text = run(*sub.split(), "--help")
    options[sub] = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-z])\b", text))
    if rc != 0 or "--help" not in options[sub]:
        fail(f"aidcsim {sub} --help", f"exit code {rc}")
command = re.compile(r"aidcsim (" + "|".join(sorted(subcommands, key=len, reverse=True)) + r")\b")
for page, text in pages.items():
    for n, line, in_code, lang, skipped in lines_of(text):
        if skipped:
            continue
        # Where a command's options are: the rest of a code line; in prose, the rest of its `span`
        # and, in a table row, the next cell.
        if in_code:
            segments = [line]
        else:
            cells = line.split("|") if line.startswith("|") else [line]
            segments = []
            for i, cell in enumerate(cells):
                for span in re.findall(r"`([^`]*)`", cell):
                    if command.search(span):
                        segments.append(span + (" " + cells[i + 1] if line.startswith("|") and i + 1 < len(cells) else ""))
        for segment in segments:
            found = list(command.finditer(segment))
            for i, m in enumerate(found):
                end = found[i + 1].start() if i + 1 < len(found) else len(segment)
                for opt in re.findall(r"(?<![=\w-])(--[a-z][a-z0-9-]*)", segment[m.end():end]):
                    if opt not in options[m.group(1)]:
                        fail(f"{page}:{n}", f"aidcsim {m.group(1)} has no option {opt}")
        if in_code or "`" in line:
            spans = [line] if in_code else re.findall(r"`([^`]*)`", line)
            for span in spans:
                for m in re.finditer(r"(?:^|[\s/$])aidcsim ([a-z][a-z-]*)", span):
                    if m.group(1) not in {s.split()[0] for s in subcommands} | {"reads"}:
                        fail(f"{page}:{n}", f"aidcsim has no subcommand {m.group(1)!r}")

# docs/outputs.md against real outputs.
outputs = pages.get("docs/outputs.md", "")
def section(title):
    m = re.search(r"^## " + re.escape(title) + r"\n(.*?)(?=^## |\Z)", outputs, re.S | re.M)
    if not m:
        fail("docs/outputs.md", f"no section '## {title}'")
        return ""
    return m.group(1)
def first_cells(text):
    names = set()
    for line in text.splitlines():
        if line.startswith("| `"):
            names |= set(re.findall(r"`([^`]+)`", line.split("|")[1]))
    return names
runs = {s: os.path.join(out, "runs", s)
        for s in ("quickstart", "quickstart-vm-consolidation", "quickstart-quota", "inference-chat", "inference-hpa",
                  "quickstart-autoscaling", "quickstart-cost", "quickstart-failures")}
header = set(open(os.path.join(runs["quickstart"], "jobs.csv")).readline().strip().split(","))
documented = first_cells(section("`jobs.csv`"))
for c in sorted(header - documented):
    fail("docs/outputs.md", f"jobs.csv column {c!r} is not documented")
for c in sorted(documented - header):
    fail("docs/outputs.md", f"documents jobs.csv column {c!r}, which a real run does not write")
keys = set()
for r in runs.values():
    keys |= set(json.load(open(os.path.join(r, "summary.json"))))
documented = first_cells(section("`summary.json`"))
for k in sorted(keys - documented):
    fail("docs/outputs.md", f"summary.json key {k!r} is not documented")
for k in sorted(documented - keys):
    fail("docs/outputs.md", f"documents summary.json key {k!r}, which a real run does not write")
metrics = set()
for r in runs.values():
    for line in open(os.path.join(r, "timeseries.csv")).readlines()[1:]:
        metrics.add(line.split(",")[1])
named = set(re.findall(r"`([a-z_]+)`", section("`timeseries.csv`")))
for metric in sorted(metrics - named):
    fail("docs/outputs.md", f"timeseries.csv metric {metric!r} is not documented")
for word in sorted(named - metrics - {"time_s", "metric", "label", "value", "gpu", "server", "fragmentation"}):
    fail("docs/outputs.md", f"names timeseries.csv metric {word!r}, which real runs do not write")
requests_header = open(os.path.join(runs["inference-chat"], "requests.csv")).readline().strip()
if f"`{requests_header}`" not in section("`requests.csv`").replace("\n", ""):
    fail("docs/outputs.md", f"requests.csv header is not `{requests_header}`")
admissions_header = open(os.path.join(runs["quickstart-quota"], "admissions.csv")).readline().strip()
if f"`{admissions_header}`" not in section("`admissions.csv`"):
    fail("docs/outputs.md", f"admissions.csv header is not `{admissions_header}`")
alerts_header = open(os.path.join(runs["inference-chat"], "alerts.csv")).readline().strip()
if f"`{alerts_header}`" not in section("`alerts.csv`"):
    fail("docs/outputs.md", f"alerts.csv header is not `{alerts_header}`")
migrations_header = open(os.path.join(runs["quickstart-vm-consolidation"], "migrations.csv")).readline().strip()
if f"`{migrations_header}`" not in section("`migrations.csv`"):
    fail("docs/outputs.md", f"migrations.csv header is not `{migrations_header}`")

# docs/architecture.md names files, types and functions: they must exist (so that a refactor that
# moves or renames them shows here which sentence to update).
sources = [f for pattern in ("sim/**/*.[ch]pp", "models/**/*.[ch]pp") for f in glob.glob(os.path.join(src, pattern), recursive=True)]
identifiers = set(re.findall(r"\w+", "\n".join(open(f).read() for f in sources + [os.path.join(src, "CMakeLists.txt")])))
named = 0
for n, line, in_code, lang, skipped in lines_of(pages.get("docs/architecture.md", "")):
    if in_code or skipped:
        continue
    for token in re.findall(r"`([^`]+)`", line):
        token = token.strip()
        if re.match(r"^(sim|models|tests|docs|bench|analysis|scenarios|platforms)/", token):
            if "<" not in token and not glob.glob(os.path.join(src, token.rstrip("/"))):
                fail(f"docs/architecture.md:{n}", f"names {token}, which does not exist")
            named += 1
            continue
        m = re.match(r"^([A-Za-z_][\w:]*)(\(.*\))?$", token)
        if m and ("::" in token or "(" in token or "_" in token or re.match(r"^[A-Z][a-z]+[A-Z]", token)):
            named += 1
            for part in m.group(1).split("::"):
                if part and part not in identifiers:
                    fail(f"docs/architecture.md:{n}", f"names {token}: no {part!r} in sim/ or models/")
if named < 50:
    fail("docs/architecture.md", f"only {named} files and identifiers named")

# ---- c. relative links and their anchors
def slugs(text):
    out, seen = set(), {}
    for n, line, in_code, lang, skipped in lines_of(text):
        m = re.match(r"^#+ (.*)", line)
        if in_code or not m:
            continue
        s = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
        out.add(s if s not in seen else f"{s}-{seen[s]}")
        seen[s] = seen.get(s, 0) + 1
    return out
links = 0
for page, text in pages.items():
    for n, line, in_code, lang, skipped in lines_of(text):
        if in_code:
            continue
        for target in re.findall(r"\]\(([^)\s]+)\)", line):
            if re.match(r"^[a-z]+:", target):
                continue
            links += 1
            file, _, anchor = target.partition("#")
            path = os.path.normpath(os.path.join(src, os.path.dirname(page), file)) if file else os.path.join(src, page)
            if not os.path.exists(path):
                fail(f"{page}:{n}", f"link to {target}: no such file")
            elif anchor and path.endswith(".md") and anchor not in slugs(open(path, encoding="utf-8").read()):
                fail(f"{page}:{n}", f"link to {target}: no heading with that anchor")
if links < 30:
    fail("docs", f"only {links} links found")

# ---- d. the README's concern table
readme = pages["README.md"]
table = [l for l in readme.splitlines() if l.startswith("| ")]
rows = []
in_table = False
for line in readme.splitlines():
    if line.startswith("| concern |"):
        in_table = True
        continue
    if in_table and not line.startswith("|"):
        break
    if in_table and not line.startswith("|---"):
        rows.append(line)
if len(rows) < 8:
    fail("README.md", f"the concern table (header '| concern |') has {len(rows)} rows")
for row in rows:
    concern = row.split("|")[1].strip()
    for name in re.findall(r"`([^`]+)`", row.split("|")[3]):
        if name not in all_names:
            fail("README.md", f"concern {concern!r} lists {name!r}, which aidcsim list does not print")
    targets = re.findall(r"\]\(([^)\s#]+)", row)
    if "planned" in row.lower():
        # Planned means the scenario reader still refuses its key: when a concern lands, its row here
        # must change.
        for key in re.findall(r"`([\w.]+)`", row.split("|")[2]):
            value = '[{"name": "x"}]' if key.endswith("services") else '{"enabled": true}'
            rc, text = run("validate", quickstart_path, "--set", f"{key}={value}")
            if rc != 2 or "not supported" not in text:
                fail("README.md", f"concern {concern!r} is marked planned, but the scenario reader accepts {key}")
        continue
    if not any(t.startswith("docs/") and t.endswith(".md") and os.path.exists(os.path.join(src, t)) for t in targets):
        fail("README.md", f"concern {concern!r} is not marked planned and links to no docs page")

# The index links every page of docs/.
index_links = set(re.findall(r"\]\(([\w-]+\.md)", pages.get("docs/index.md", "")))
for page in pages:
    if page.startswith("docs/") and page != "docs/index.md" and os.path.basename(page) not in index_links:
        fail("docs/index.md", f"does not link {os.path.basename(page)}")

# ---- e. README length
count = readme.count("\n")
if count > 250:
    fail("README.md", f"{count} lines, at most 250 (details belong in docs/)")

if problems:
    print("FAIL: the docs disagree with the program:\n  " + "\n  ".join(problems), file=sys.stderr)
    sys.exit(1)
print(f"docs: {len(pages)} pages, {sum(len(v) for v in registered.values())} registered names, "
      f"{checked_blocks} scenario and sweep examples ({len(missing_files)} naming a file absent here: "
      f"checked but for that), {checked_sets} --set values, {links} links checked")
PY
