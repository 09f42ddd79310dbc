#!/usr/bin/python3
"""Comparison table of aidcsim runs: mean and 95% confidence interval over seeds, per group.

    analysis/compare.py RUN_DIR... [options]
    analysis/compare.py SWEEP_OUT [options]

Runs that differ only by seed form one group; the group keys are the scenario values (run
directories) or sweep parameters (sweep directories) that differ between the runs, or --group-by.
For each group and metric: the number of runs n, the mean, and the half-width of the Student-t
confidence interval t(1-alpha/2, n-1) * s / sqrt(n), with s the sample standard deviation.

Writes OUT/NAME.md (Markdown), OUT/NAME.csv (every number at full precision) and OUT/NAME.tex
(LaTeX, booktabs) and prints the Markdown table. OUT defaults to the sweep directory when one sweep
directory is given, else the current directory.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from typing import Any, List, Optional, Sequence

import pandas as pd

sys.dont_write_bytecode = True  # no __pycache__ inside the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def decimals_for(x: Optional[float], digits: int = 4) -> int:
    """Decimals that show about `digits` significant digits of x (none for large numbers)."""
    if x is None or x == 0 or not math.isfinite(x):
        return 2
    return max(0, digits - 1 - int(math.floor(math.log10(abs(x)))))


def fmt_number(x: Optional[float], decimals: int) -> str:
    if x is None:
        return "-"
    return f"{x:.{decimals}f}"


def fmt_cell(stat: common.Stat, d: int, latex: bool = False) -> str:
    if stat.mean is None:
        return "-"
    mean = fmt_number(stat.mean, d)
    if stat.ci is None:
        return f"${mean}$" if latex else mean
    ci = fmt_number(stat.ci, d)
    return f"${mean} \\pm {ci}$" if latex else f"{mean} ± {ci}"


def latex_escape(text: str) -> str:
    out = []
    for ch in text:
        if ch in "&%$#_{}":
            out.append("\\" + ch)
        elif ch == "~":
            out.append("\\textasciitilde{}")
        elif ch == "^":
            out.append("\\textasciicircum{}")
        elif ch == "\\":
            out.append("\\textbackslash{}")
        else:
            out.append(ch)
    return "".join(out)


class Table:
    def __init__(self, keys: Sequence[str], metrics: Sequence[str], groups: List[common.Group], confidence: float):
        self.keys = list(keys)
        self.metrics = list(metrics)
        self.groups = groups
        self.confidence = confidence
        self.stats = [[common.describe([r.metric(m) for r in g.runs], confidence) for m in metrics] for g in groups]
        # One number of decimals per column (about 4 significant digits of its largest mean), and none
        # for a column of integers that agree across seeds ("300", not "300.0").
        self.decimals = []
        for i, m in enumerate(metrics):
            column = [row[i] for row in self.stats]
            means = [abs(s.mean) for s in column if s.mean is not None]
            d = decimals_for(max(means)) if means else 2
            integers = all(v is None or float(v).is_integer() for g in groups for v in (r.metric(m) for r in g.runs))
            if integers and all(s.ci is None or s.ci == 0 for s in column):
                d = 0
            self.decimals.append(d)

    def key_headers(self) -> List[str]:
        if not self.keys:
            return ["group"]
        names = common.short_keys(self.keys)
        return [names[k] for k in self.keys]

    def key_cells(self, g: common.Group) -> List[str]:
        if not self.keys:
            return ["all runs"]
        return [common.format_value(v) for v in g.key]

    def seeds(self, g: common.Group) -> str:
        seeds = sorted({r.seed for r in g.runs if r.seed is not None})
        return ",".join(str(s) for s in seeds)

    def markdown(self) -> str:
        level = f"{self.confidence * 100:g}%"
        headers = self.key_headers() + ["n"] + [common.metric_label(m) for m in self.metrics]
        align = ["---"] * len(self.key_headers()) + ["---:"] * (1 + len(self.metrics))
        lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(align) + "|"]
        for g, stats in zip(self.groups, self.stats):
            cells = self.key_cells(g) + [str(len(g.runs))] + [fmt_cell(s, d) for s, d in zip(stats, self.decimals)]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        note = (f"\nMean ± half-width of the {level} Student-t confidence interval over the n runs (seeds) "
                "of each group; no interval when n = 1.\n")
        return "\n".join(lines) + "\n" + note

    def latex(self) -> str:
        level = f"{self.confidence * 100:g}\\%"
        nkeys = len(self.key_headers())
        spec = "l" * nkeys + "r" * (1 + len(self.metrics))
        headers = [latex_escape(h) for h in self.key_headers()] + ["$n$"] + \
                  [latex_escape(common.metric_label(m)) for m in self.metrics]
        out = [
            "% Written by aidcsim analysis/compare.py; needs \\usepackage{booktabs}.",
            f"% Cells: mean $\\pm$ half-width of the {level} Student-t confidence interval over seeds.",
            f"\\begin{{tabular}}{{{spec}}}",
            "\\toprule",
            " & ".join(headers) + " \\\\",
            "\\midrule",
        ]
        for g, stats in zip(self.groups, self.stats):
            cells = [latex_escape(c) for c in self.key_cells(g)] + [str(len(g.runs))] + \
                    [fmt_cell(s, d, latex=True) for s, d in zip(stats, self.decimals)]
            out.append(" & ".join(cells) + " \\\\")
        out += ["\\bottomrule", "\\end{tabular}", ""]
        return "\n".join(out)

    def csv(self) -> str:
        header = (self.keys or ["group"]) + ["n", "seeds"]
        for m in self.metrics:
            header += [f"{m}_mean", f"{m}_ci95" if abs(self.confidence - 0.95) < 1e-12 else f"{m}_ci", f"{m}_std",
                       f"{m}_n"]
        rows = []
        for g, stats in zip(self.groups, self.stats):
            row: List[Any] = (list(g.key) if self.keys else ["all runs"]) + [len(g.runs), self.seeds(g)]
            for s in stats:
                row += [s.mean, s.ci, s.std, s.n]
            rows.append(row)
        # object columns: every cell keeps its Python type (a time_scale of 1 stays "1", not "1.0"), floats
        # are written at full precision (repr) and None as an empty cell.
        table = pd.DataFrame(rows, columns=header, dtype=object)
        return table.to_csv(index=False, lineterminator="\n", na_rep="")


def write_atomically(path: str, text: str) -> None:
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("inputs", nargs="+", metavar="DIR", help="run directories, or sweep output directories")
    parser.add_argument("--metrics", help="comma-separated dotted paths into summary.json "
                        "(default: the sweep's metrics, or " + ",".join(common.DEFAULT_METRICS) + ")")
    parser.add_argument("--group-by", help="comma-separated parameters that define a group "
                        "(default: those that differ between runs, seed excluded)")
    parser.add_argument("--confidence", type=float, default=0.95, help="confidence level (default 0.95)")
    parser.add_argument("--out", help="output directory (default: the sweep directory, or .)")
    parser.add_argument("--name", default="comparison", help="file name stem (default comparison)")
    args = parser.parse_args(argv)

    try:
        if not 0 < args.confidence < 1:
            raise common.InputError(f"--confidence {args.confidence}: expected a level in (0, 1), e.g. 0.95")
        inputs = common.load_inputs(args.inputs)
        metrics = [m.strip() for m in args.metrics.split(",")] if args.metrics else inputs.metrics
        keys = [k.strip() for k in args.group_by.split(",")] if args.group_by else common.varying_keys(inputs.runs)
        for k in keys:
            if all(k not in r.params for r in inputs.runs):
                known = sorted({p for r in inputs.runs for p in r.params})
                raise common.InputError(f"--group-by {k}: no run has this parameter; known: {', '.join(known)}")
        for m in metrics:
            if all(r.metric(m) is None for r in inputs.runs):
                raise common.InputError(f"metric {m!r} is in no run's summary.json or results.csv")
    except common.InputError as e:
        common.fail(str(e))
        return 2

    groups = common.group_runs(inputs.runs, keys)
    table = Table(keys, metrics, groups, args.confidence)
    sweep_dirs = [p for p in args.inputs if os.path.isfile(os.path.join(p, "results.csv"))]
    out = args.out or (sweep_dirs[0] if len(sweep_dirs) == 1 and len(args.inputs) == 1 else ".")
    os.makedirs(out, exist_ok=True)
    md = table.markdown()
    files = {".md": md, ".csv": table.csv(), ".tex": table.latex()}
    for ext, text in files.items():
        write_atomically(os.path.join(out, args.name + ext), text)
    print(md)
    print(f"wrote {', '.join(os.path.join(out, args.name + ext) for ext in files)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
