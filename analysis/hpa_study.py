#!/usr/bin/python3
"""Table and figure of the HPA study on a day of chat traffic (scenarios/studies/hpa-day.json and its
fixed-replica baseline hpa-day-static.json; make hpa-study).

    analysis/hpa_study.py HPA_SWEEP_OUT STATIC_SWEEP_OUT [--docs docs/autoscaling.md --images docs/images]

Reads both sweeps' results.csv and writes HPA_SWEEP_OUT/tables/hpa.md (per behavior and target: SLO
attainment, GPU-hours, latencies, scale events; and the fixed replica counts) and
HPA_SWEEP_OUT/figures/hpa_day.png (SLO attainment against GPU-hours). With --docs, they replace the part
of the page between the "hpa-study:begin" and "hpa-study:end" markers, and the figure is copied to --images.
"""
import csv
import json
import os

import matplotlib

import study_pages

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

BEGIN = "<!-- hpa-study:begin: written by analysis/hpa_study.py (make hpa-study); edit the script, not this -->"
END = "<!-- hpa-study:end -->"
M = "services.chat."
A = "autoscaling.services.chat."
GPUS_PER_REPLICA = 8


def behavior_name(text):
    value = json.loads(text) if text not in ("", None) else None
    down = (value or {}).get("scale_down", {})
    if not down:
        return "Kubernetes' default behavior (300 s stabilization)"
    window = down.get("stabilization_window_s")
    if window is not None and window < 300:
        return f"fast scale-down ({window:g} s stabilization)"
    return f"slow scale-down ({window:g} s stabilization, 1 replica per 5 min)"


def rows(out):
    for row in csv.DictReader(open(os.path.join(out, "results.csv"))):
        if row["status"] != "ok":
            raise SystemExit(f"{out}: point {row['point_id']} did not finish ({row['error']})")
        yield row


def figures_of(row):
    return {"slo": float(row[M + "slo_attainment"]), "gpu_hours": float(row[M + "replica_hours"]) * GPUS_PER_REPLICA,
            "ttft_p99": float(row[M + "ttft_s.p99"]), "tbt_p99": float(row[M + "tbt_s.p99"])}


def load(hpa_out, static_out):
    hpa, static = [], []
    for row in rows(hpa_out):
        p = figures_of(row)
        p.update(behavior=behavior_name(row[A + "behavior"]), target=float(row[A + "target"]),
                 events=int(float(row[A + "scale_events"])), peak=int(float(row[A + "max_replicas_seen"])))
        hpa.append(p)
    for row in rows(static_out):
        p = figures_of(row)
        p.update(replicas=int(row["workload.services.0.replicas"]))
        static.append(p)
    return sorted(hpa, key=lambda p: (p["behavior"], p["target"])), sorted(static, key=lambda p: p["replicas"])


def table(hpa, static):
    lines = ["| HPA behavior | target (requests in flight per replica) | SLO attainment | GPU-hours | TTFT p99 (s) | TBT p99 (s) | scale events | most replicas |",
             "|---|---|---|---|---|---|---|---|"]
    for p in hpa:
        lines.append(f"| {p['behavior']} | {p['target']:g} | {p['slo']:.1%} | {p['gpu_hours']:.0f} | {p['ttft_p99']:.2f} | {p['tbt_p99']:.3f} "
                     f"| {p['events']} | {p['peak']} |")
    lines += ["", "| fixed replicas (no autoscaling) | SLO attainment | GPU-hours | TTFT p99 (s) | TBT p99 (s) |", "|---|---|---|---|---|"]
    for p in static:
        lines.append(f"| {p['replicas']} | {p['slo']:.1%} | {p['gpu_hours']:.0f} | {p['ttft_p99']:.2f} | {p['tbt_p99']:.3f} |")
    return "\n".join(lines)


def figure(hpa, static, out):
    fig, ax = plt.subplots(figsize=(8, 5))
    ax.plot([p["gpu_hours"] for p in static], [100 * p["slo"] for p in static], "-s", color="grey",
            label="fixed replica count (labels: replicas)")
    for p in static:
        ax.annotate(str(p["replicas"]), (p["gpu_hours"], 100 * p["slo"]), textcoords="offset points", xytext=(4, -10), fontsize=8, color="grey")
    colors = plt.get_cmap("tab10")
    for k, name in enumerate(sorted({p["behavior"] for p in hpa})):
        series = sorted((p for p in hpa if p["behavior"] == name), key=lambda p: p["target"])
        ax.plot([p["gpu_hours"] for p in series], [100 * p["slo"] for p in series], "-o", color=colors(k), label=f"HPA, {name}")
        for p in series:
            ax.annotate(f"{p['target']:g}", (p["gpu_hours"], 100 * p["slo"]), textcoords="offset points", xytext=(4, 4), fontsize=8,
                        color=colors(k))
    ys = [100 * p["slo"] for p in hpa + static]
    ax.set_ylim(max(0, min(ys) - 5), 100.5)
    ax.set_xlabel("GPU-hours over the day (8 A100 per replica)")
    ax.set_ylabel("requests within the SLO (%): TTFT <= 2 s and mean TBT <= 0.1 s")
    ax.set_title("A day of chat traffic (0.5 to 6 requests/s) on llama2-70b\nHPA labels: target requests in flight per replica", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    path = os.path.join(out, "hpa_day.png")
    fig.savefig(path, dpi=110)
    return path


def main():
    a = study_pages.arguments(__doc__, ("static_out",))
    hpa, static = load(a.out, a.static_out)
    os.makedirs(os.path.join(a.out, "figures"), exist_ok=True)
    path = figure(hpa, static, os.path.join(a.out, "figures"))
    study_pages.publish(a, "hpa.md", table(hpa, static), [(path, "SLO attainment against GPU-hours: HPA targets and behaviors, fixed replica counts")],
                        BEGIN, END)


if __name__ == "__main__":
    main()
