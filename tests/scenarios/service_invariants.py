"""The inference-service rules of an aidcsim run (used by check_invariants.py when requests.csv exists).

  * every request appears once (service, request_id) with a state completed, rejected or unfinished;
  * a completed request has arrival_s <= first_token_s <= end_s, ttft_s = first_token_s - arrival_s and
    e2e_s = end_s - arrival_s, and TBT figures exactly when it has two or more output tokens;
  * a rejected request never produced a token;
  * a request's first token comes while its replica job (SERVICE/replica-K in jobs.csv) existed: not
    before the replica's first start, nor after its end.
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
                outputs = int(r["output_tokens"])
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
            start, stop = _num(replica.get("start_s")), _num(replica.get("end_s"))
            if start is None or first < start - TOL or (stop is not None and first > stop + TOL):
                v.add(f"{where}: first token at {first:g} while its replica ran from {replica.get('start_s')!r} to {replica.get('end_s')!r}")
