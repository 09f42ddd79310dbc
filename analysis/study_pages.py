"""What the study scripts (quota_study.py, inference_study.py, train_serve_study.py) share: their command
line (SWEEP_OUT [--docs PAGE --images DIR]) and publishing a table and figures into SWEEP_OUT/tables and,
with --docs, between a page's begin and end markers (the figures copied to --images)."""
import argparse
import os
import shutil


def arguments(doc, more_runs=()):
    """OUT (the sweep's folder), then the folders named in more_runs (baselines), --docs and --images."""
    parser = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    parser.add_argument("out")
    for name in more_runs:
        parser.add_argument(name)
    parser.add_argument("--docs")
    parser.add_argument("--images", default="docs/images")
    return parser.parse_args()


def publish(args, table_name, text, figures, begin, end):
    """figures: (path, alt text) pairs, already written."""
    os.makedirs(os.path.join(args.out, "tables"), exist_ok=True)
    open(os.path.join(args.out, "tables", table_name), "w").write(text + "\n")
    print(text)
    if not args.docs:
        return
    images = []
    for path, alt in figures:
        target = os.path.join(args.images, os.path.basename(path))
        shutil.copy(path, target)
        images.append(f"![{alt}]({os.path.relpath(target, os.path.dirname(args.docs))})")
    page = open(args.docs).read()
    start, stop = page.index(begin), page.index(end)
    open(args.docs, "w").write(page[:start] + f"{begin}\n{text}\n\n" + "\n\n".join(images) + "\n" + page[stop:])
