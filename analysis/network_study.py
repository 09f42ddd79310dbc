#!/usr/bin/python3
"""Table and figure of the fat-tree study (scenarios/studies/network-fat-tree.json; make network-study).

    analysis/network_study.py SWEEP_OUT [--docs docs/network.md --images docs/images]

Reads each point's jobs.csv: the Philly week under the iterations model, for three placements and three
spine oversubscriptions. Reports, for the multi-GPU jobs (the ones that all-reduce), how many ran across
servers, their mean JCT and their slowdown_network (mean and p95), and the mean JCT of all jobs. Writes
SWEEP_OUT/tables/network.md and SWEEP_OUT/figures/network_fat_tree.png; with --docs, they replace the
part of the page between the "network-study:begin" and "network-study:end" markers.
"""
import csv
import os

import matplotlib
import pandas as pd

import study_pages

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

BEGIN = "<!-- network-study:begin: written by analysis/network_study.py (make network-study); edit the script, not this -->"
END = "<!-- network-study:end -->"
PLACEMENTS = ["first-fit", "topology", "spread"]


def ratio_of(platform):
    """'../build/platforms/philly-os4.xml' -> 4"""
    return int(os.path.basename(platform).split("-os")[1].split(".")[0])


def servers_of(hosts):
    return len({h.rsplit("-gpu-", 1)[0] for h in str(hosts).split(";")})


def load(out):
    rows = []
    for point in csv.DictReader(open(os.path.join(out, "results.csv"))):
        if point["status"] != "ok":
            raise SystemExit(f"{out}: point {point['point_id']} did not finish ({point['error']})")
        jobs = pd.read_csv(os.path.join(out, point["dir"], "jobs.csv"))
        multi = jobs[(jobs.gpus > 1) & (jobs.state == "completed")]
        rows.append({"ratio": ratio_of(point["platform"]), "placement": point["placement.policy"],
                     "jct_all_s": jobs[jobs.state == "completed"].jct_s.mean(),
                     "multi": len(multi), "across": int((multi.hosts.map(servers_of) > 1).sum()),
                     "jct_multi_s": multi.jct_s.mean(),
                     "slowdown_mean": multi.slowdown_network.mean(),
                     "slowdown_p95": multi.slowdown_network.quantile(0.95)})
    return pd.DataFrame(rows).sort_values(["ratio", "placement"], key=lambda c: c.map(
        lambda v: PLACEMENTS.index(v) if v in PLACEMENTS else v))


def main():
    args = study_pages.arguments(__doc__)
    table = load(args.out)
    lines = ["| spine oversubscription | placement | multi-GPU jobs across servers | their mean JCT (h) | "
             "their slowdown_network, mean | p95 | mean JCT of all jobs (h) |",
             "|---|---|---|---|---|---|---|"]
    for r in table.itertuples():
        lines.append(f"| {r.ratio}:1 | {r.placement} | {r.across} of {r.multi} | {r.jct_multi_s / 3600:.2f} | "
                     f"{r.slowdown_mean:.3f} | {r.slowdown_p95:.3f} | {r.jct_all_s / 3600:.3f} |")
    text = "\n".join(lines)
    os.makedirs(os.path.join(args.out, "figures"), exist_ok=True)
    figure = os.path.join(args.out, "figures", "network_fat_tree.png")
    fig, ax = plt.subplots(figsize=(7, 4))
    ratios = sorted(table.ratio.unique())
    width = 0.8 / len(PLACEMENTS)
    for i, placement in enumerate(PLACEMENTS):
        part = table[table.placement == placement].set_index("ratio").reindex(ratios)
        xs = [k + (i - 1) * width for k in range(len(ratios))]
        ax.bar(xs, part.slowdown_p95, width, label=f"{placement} placement")
    ax.set_xticks(range(len(ratios)))
    ax.set_xticklabels([f"{r}:1" for r in ratios])
    ax.set_xlabel("spine oversubscription (leaf uplink = rack's NICs / ratio)")
    ax.set_ylabel("p95 slowdown from the network\n(multi-GPU jobs; 1 = as fast as alone)")
    low = min(1.0, table.slowdown_p95.min())
    ax.set_ylim(low - 0.02, table.slowdown_p95.max() * 1.05)
    ax.set_title("Philly week, ResNet-50 ring all-reduce")
    ax.legend(fontsize=8)
    ax.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(figure, dpi=120)
    study_pages.publish(args, "network.md", text,
                        [(figure, "p95 slowdown from the network of multi-GPU jobs against spine oversubscription, per placement")],
                        BEGIN, END)


if __name__ == "__main__":
    main()
