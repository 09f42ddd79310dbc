"""The inference-service rules of an aidcsim run (used by check_invariants.py when requests.csv exists).

  * every request appears once (service, request_id) with a state completed, rejected or unfinished;
  * a completed request has arrival_s <= first_token_s <= end_s, ttft_s = first_token_s - arrival_s and
    e2e_s = end_s - arrival_s, and TBT figures exactly when it has two or more output tokens;
  * a rejected request never produced a token;
  * a request's last token comes while its replica job (SERVICE/replica-K in jobs.csv; the token
    replica when disaggregated) served: not before the end of the replica's first start-up
    (start_s + startup_s when it ran once: pulls, weights, boot), nor after its end;
  * the KV cache in use (timeseries service_kv_cache_used, a share of the serving replicas' caches) is
    within [0, 1].
"""
import csv
import os

TOL = 3e-6
STATES = {"completed", "rejected", "unfinished"}


def _num(text):
    return None if text in (None, "") else float(text)


def check_services(run_dir, rows, v):
    path = os.path.join(run_dir, "requests.csv")
    if not os.path.exists(path):
        return
    jobs = {row["job_id"]: row for row in rows}
    seen = set()
    with open(path, newline="", encoding="utf-8") as f:
        for line, r in enumerate(csv.DictReader(f), start=2):
            where = f"requests.csv:{line}: request {r.get('service')}/{r.get('request_id')}"
            key = (r.get("service"), r.get("request_id"))
            if key in seen:
                v.add(f"{where}: appears more than once")
                continue
            seen.add(key)
            if r.get("state") not in STATES:
                v.add(f"{where}: state {r.get('state')!r} is not one of {', '.join(sorted(STATES))}")
                continue
            try:
                arrival, first, end = _num(r["arrival_s"]), _num(r["first_token_s"]), _num(r["end_s"])
                ttft, e2e, tbt = _num(r["ttft_s"]), _num(r["e2e_s"]), _num(r["tbt_mean_s"])
                outputs = int(r["output_tokens"] or "")
            except (ValueError, KeyError) as e:
                v.add(f"{where}: unreadable row ({e})")
                continue
            if r["state"] == "rejected" and first is not None:
                v.add(f"{where}: rejected but produced a token at {first:g}")
            if r["state"] != "completed":
                continue
            if first is None or end is None or arrival is None or not (arrival - TOL <= first <= end + TOL):
                v.add(f"{where}: completed with arrival_s {r['arrival_s']!r}, first_token_s {r['first_token_s']!r}, end_s {r['end_s']!r} out of order")
                continue
            if ttft is None or abs(ttft - (first - arrival)) > TOL or e2e is None or abs(e2e - (end - arrival)) > TOL:
                v.add(f"{where}: ttft_s {r['ttft_s']!r} / e2e_s {r['e2e_s']!r} do not match its times")
            if (tbt is not None) != (outputs > 1):
                v.add(f"{where}: tbt_mean_s {r['tbt_mean_s']!r} with {outputs} output token(s)")
            replica = jobs.get(f"{r['service']}/replica-{r['replica']}")
            if replica is None:
                v.add(f"{where}: replica {r['replica']!r} is not a job of jobs.csv")
                continue
            try:
                start, stop = _num(replica.get("start_s")), _num(replica.get("end_s"))
                # startup_s sums every run's start-up: the first one's is known when it ran once.
                startup = (_num(replica.get("startup_s")) or 0) if replica.get("preemptions") in ("0", None) else 0
            except ValueError as e:
                v.add(f"{where}: unreadable row of its replica in jobs.csv ({e})")
                continue
            if start is None or end < start + startup - TOL or (stop is not None and end > stop + TOL):
                v.add(f"{where}: last token at {end:g} while its replica served from {start}+{startup} to {replica.get('end_s')!r}")
    series = os.path.join(run_dir, "timeseries.csv")
    if os.path.exists(series):
        with open(series, newline="", encoding="utf-8") as f:
            for line, r in enumerate(csv.DictReader(f), start=2):
                if r.get("metric") != "service_kv_cache_used":
                    continue
                try:
                    used = float(r.get("value"))
                except (TypeError, ValueError):
                    used = None
                if used is None or not (0 <= used <= 1 + 1e-9):
                    v.add(f"timeseries.csv:{line}: service_kv_cache_used {r.get('value')} of {r.get('label')} is outside [0, 1]")
