#!/usr/bin/python3
"""Tables and figures of the conversation-hour inference study (scenarios/studies/inference-conv.json; make inference-study).

    analysis/inference_study.py SWEEP_OUT [--docs docs/inference.md --images docs/images]

Reads the sweep's results.csv and writes SWEEP_OUT/tables/inference.md (per GPU and batching policy: the
fewest GPU-hours that meet the SLO for 90 % of the requests, and the latencies there; per router: the
latencies and SLO attainment at one loaded point) and two figures under SWEEP_OUT/figures:
inference_batching.png (SLO attainment, TTFT p99 and TBT p99 against GPU-hours, per GPU and batching
policy, least-outstanding routing) and inference_routers.png (the same per router, A100 and vLLM).
With --docs, they replace the part of the page between the "inference-study:begin" and
"inference-study:end" markers, and the figures are copied to --images.
"""
import csv
import os

import matplotlib

import study_pages

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

BEGIN = "<!-- inference-study:begin: written by analysis/inference_study.py (make inference-study); edit the script, not this -->"
END = "<!-- inference-study:end -->"
P = "workload.services.0."
M = "services.chat."
GPUS_PER_REPLICA = 8
BATCHING = {"vllm": "vLLM V1 (continuous, chunked prefill in 8,192 tokens)", "sarathi": "Sarathi-Serve (chunks of 512 tokens)",
            "static": "static batches (request-level)"}
ROUTERS = ["round-robin", "random", "least-outstanding", "power-of-two", "least-kv"]
GPU = {"A100-80GB": "A100", "H100-80GB": "H100"}
STYLE = {"vllm": "-", "sarathi": "--", "static": ":"}
COLOR = {"A100-80GB": "tab:blue", "H100-80GB": "tab:red"}


def load(out):
    points = []
    for row in csv.DictReader(open(os.path.join(out, "results.csv"))):
        if row["status"] != "ok":
            raise SystemExit(f"{out}: point {row['point_id']} did not finish ({row['error']})")
        points.append({
            "gpu": row[P + "gpu_model"], "batching": row[P + "batching.policy"], "router": row[P + "router.policy"],
            "replicas": int(row[P + "replicas"]),
            "gpu_hours": float(row[M + "replica_hours"]) * GPUS_PER_REPLICA,
            "ttft_p99": float(row[M + "ttft_s.p99"]), "tbt_p99": float(row[M + "tbt_s.p99"]),
            "e2e_p99": float(row[M + "e2e_s.p99"]), "slo": float(row[M + "slo_attainment"]),
            "goodput": float(row[M + "goodput_rps"]),
        })
    return points


def select(points, **where):
    return sorted((p for p in points if all(p[k] == v for k, v in where.items())), key=lambda p: p["replicas"])


def seconds(x):
    return f"{x:,.2f}" if x < 100 else f"{x:,.0f}"


def tables(points):
    lines = ["| GPU | batching | fewest replicas with SLO attainment >= 90 % | GPU-hours | TTFT p99 (s) | TBT p99 (s) | SLO attainment |",
             "|---|---|---|---|---|---|---|"]
    for gpu in GPU:
        for batching in BATCHING:
            series = select(points, gpu=gpu, batching=batching, router="least-outstanding")
            good = [p for p in series if p["slo"] >= 0.9]
            if good:
                p = good[0]
                lines.append(f"| {GPU[gpu]} | {batching} | {p['replicas']} | {p['gpu_hours']:.1f} | {seconds(p['ttft_p99'])} "
                             f"| {p['tbt_p99']:.3f} | {p['slo']:.1%} |")
            else:
                best = max(series, key=lambda p: p["slo"])
                lines.append(f"| {GPU[gpu]} | {batching} | none of 2-8 (best: {best['replicas']}) | {best['gpu_hours']:.1f} "
                             f"| {seconds(best['ttft_p99'])} | {best['tbt_p99']:.3f} | {best['slo']:.1%} |")
    lines += ["", "| router (A100, vLLM V1, 3 replicas) | TTFT p99 (s) | TBT p99 (s) | E2E p99 (s) | SLO attainment | goodput (requests/s) |",
              "|---|---|---|---|---|---|"]
    for router in ROUTERS:
        p = select(points, gpu="A100-80GB", batching="vllm", router=router, replicas=3)[0]
        lines.append(f"| {router} | {seconds(p['ttft_p99'])} | {p['tbt_p99']:.3f} | {seconds(p['e2e_p99'])} | {p['slo']:.1%} "
                     f"| {p['goodput']:.2f} |")
    return "\n".join(lines)


def panels(axes, series_list):
    for label, color, style, series in series_list:
        xs = [p["gpu_hours"] for p in series]
        axes[0].plot(xs, [100 * p["slo"] for p in series], style, color=color, marker="o", label=label)
        axes[1].plot(xs, [p["ttft_p99"] for p in series], style, color=color, marker="o", label=label)
        axes[2].plot(xs, [p["tbt_p99"] for p in series], style, color=color, marker="o", label=label)
    axes[0].set_ylabel("requests within the SLO (%)")
    axes[0].set_ylim(0, 101)
    axes[1].set_ylabel("time to first token, p99 (s, log)")
    axes[1].set_yscale("log")
    axes[1].axhline(2.0, color="grey", linewidth=0.8)
    axes[2].set_ylabel("time between tokens, p99 (s, log)")
    axes[2].set_yscale("log")
    axes[2].axhline(0.1, color="grey", linewidth=0.8)
    for ax in axes:
        ax.set_xlabel("GPU-hours to serve the hour (8 GPUs per replica; 2 to 8 replicas)")
        ax.grid(True, alpha=0.3)


def figures(points, out):
    paths = {}
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    panels(axes, [(f"{GPU[gpu]}, {BATCHING[b]}", COLOR[gpu], STYLE[b], select(points, gpu=gpu, batching=b, router="least-outstanding"))
                  for gpu in GPU for b in BATCHING])
    axes[0].legend(fontsize=8, loc="center right")
    fig.suptitle("Azure conversation hour (19,366 requests) on llama2-70b: SLO (TTFT <= 2 s, mean TBT <= 0.1 s) against "
                 "GPU-hours, least-outstanding routing; grey lines: the SLO")
    fig.tight_layout()
    paths["batching"] = os.path.join(out, "inference_batching.png")
    fig.savefig(paths["batching"], dpi=110)
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    colors = plt.get_cmap("tab10")
    panels(axes, [(router, colors(k), "-", select(points, gpu="A100-80GB", batching="vllm", router=router))
                  for k, router in enumerate(ROUTERS)])
    axes[0].legend(fontsize=8, loc="center right")
    axes[0].set_ylim(35, 101)
    fig.suptitle("The same hour on A100 replicas with vLLM V1 batching: the five routers")
    fig.tight_layout()
    paths["routers"] = os.path.join(out, "inference_routers.png")
    fig.savefig(paths["routers"], dpi=110)
    return paths


def main():
    a = study_pages.arguments(__doc__)
    points = load(a.out)
    os.makedirs(os.path.join(a.out, "figures"), exist_ok=True)
    paths = figures(points, os.path.join(a.out, "figures"))
    study_pages.publish(a, "inference.md", tables(points),
                        [(paths["batching"], "SLO attainment, TTFT p99 and TBT p99 against GPU-hours per GPU and batching policy"),
                         (paths["routers"], "The same per router")], BEGIN, END)


if __name__ == "__main__":
    main()
