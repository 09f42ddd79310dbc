"""The alert rules of an aidcsim run (used by check_invariants.py when the run has an alerts.csv).

Each row of alerts.csv names a rule of run.json's scenario.monitoring.alerts; its times are readable
and finite (pending_s required, firing_s and resolved_s empty or numbers); it fired no earlier than
for_s after it went pending (Prometheus' `for`); it resolved no earlier than it went pending (or fired).
"""
import csv
import math
import os

TOL = 1e-6


def check_alerts(run_dir, run_json, v):
    path = os.path.join(run_dir, "alerts.csv")
    if not os.path.exists(path):
        return
    scenario = run_json.get("scenario", {}) if isinstance(run_json, dict) else {}
    monitoring = scenario.get("monitoring") if isinstance(scenario, dict) else None
    rules = {}
    if isinstance(monitoring, dict) and isinstance(monitoring.get("alerts"), list):
        for r in monitoring["alerts"]:
            if isinstance(r, dict) and isinstance(r.get("name"), str):
                f = r.get("for_s", 0)
                rules[r["name"]] = f if isinstance(f, (int, float)) and not isinstance(f, bool) else 0
    with open(path, newline="", encoding="utf-8") as f:
        for line, a in enumerate(csv.DictReader(f), start=2):
            where = f"alerts.csv:{line}: alert {a.get('rule')} {a.get('labels')}"
            if a.get("rule") not in rules:
                v.add(f"{where}: no such rule in run.json's monitoring.alerts")
                continue
            try:
                times = [None if a.get(k) in (None, "") else float(a.get(k)) for k in ("pending_s", "firing_s", "resolved_s")]
            except ValueError:
                times = [None]
            pending, firing, resolved = (times + [None, None])[:3]
            if pending is None or not all(math.isfinite(t) for t in times if t is not None):
                v.add(f"{where}: unreadable times")
                continue
            hold = rules[a["rule"]]
            if firing is not None and firing < pending + hold - TOL:
                v.add(f"{where}: fired at {firing:g}, less than for_s = {hold:g} after it went pending at {pending:g}")
            last = firing if firing is not None else pending
            if resolved is not None and resolved < last - TOL:
                v.add(f"{where}: resolved at {resolved:g}, before it went pending or fired at {last:g}")
