#!/usr/bin/python3
"""Converts an OpenB pod list (Alibaba GPU 2023, openb_pod_list_*.csv) into Kubernetes Pod manifests
that aidcsim's "k8s" reader turns into the same jobs as its "openb" reader (docs/traces.md).

    openb_to_k8s.py POD_LIST.csv [-o OUT.yaml] [--replay all|time]

One Pod per row, in file order (the arrival order of pods submitted at the same time):
  metadata.name       = name
  metadata.namespace  = qos (none when empty: the "default" namespace), as the openb reader's tenant
  spec.priorityClassName = openb-<qos in lower case>; the scenario maps these classes to the openb
                        reader's priorities: {"openb-guaranteed": 3, "openb-ls": 2, "openb-burstable": 1,
                        "openb-be": 0}
  requests            = cpu "<cpu_milli>m", memory "<memory_mib>Mi"
  GPUs                = whole GPUs as the nvidia.com/gpu limit; a share of one GPU (num_gpu 1,
                        gpu_milli < 1000) as the annotations alibabacloud.com/gpu-count and gpu-milli of
                        the FGD simulator (hkust-adsl/kubernetes-scheduler-simulator)
  gpu_spec            = annotation alibabacloud.com/gpu-card-model
  times               = annotations aidcsim.io/submit-time-s (creation_time) and aidcsim.io/duration-s:
                        --replay all (default): deletion_time - creation_time, 1 s when 0 (the openb
                        reader's replay "all", zero_duration "one-second");
                        --replay time: deletion_time - scheduled_time; pods never scheduled, without a
                        deletion time, or with a run time of 0 s are left out (the openb reader skips them).
Python 3 standard library only.
"""
import argparse
import csv
import json
import sys


def quoted(text):
    return json.dumps(text)  # a JSON string is a valid YAML double-quoted scalar


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pod_list")
    parser.add_argument("-o", "--output", default="-")
    parser.add_argument("--replay", choices=["all", "time"], default="all")
    args = parser.parse_args()

    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8", newline="\n")
    written = skipped = 0
    with open(args.pod_list, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            created, deleted, scheduled = row["creation_time"], row["deletion_time"], row["scheduled_time"]
            if args.replay == "time":
                if not scheduled or not deleted or float(deleted) - float(scheduled) <= 0:
                    skipped += 1
                    continue
                duration = float(deleted) - float(scheduled)
            else:
                if not deleted:
                    skipped += 1
                    continue
                duration = float(deleted) - float(created)
                if duration <= 0:
                    duration = 1.0
            gpus, milli = int(row["num_gpu"]), int(row["gpu_milli"])
            annotations = {"aidcsim.io/submit-time-s": created, "aidcsim.io/duration-s": repr(duration)}
            limits = {}
            if gpus == 1 and milli < 1000:
                annotations["alibabacloud.com/gpu-count"] = "1"
                annotations["alibabacloud.com/gpu-milli"] = str(milli)
            elif gpus > 0:
                limits["nvidia.com/gpu"] = str(gpus)
            if row.get("gpu_spec"):
                annotations["alibabacloud.com/gpu-card-model"] = row["gpu_spec"]
            lines = ["apiVersion: v1", "kind: Pod", "metadata:", f"  name: {quoted(row['name'])}"]
            qos = row.get("qos", "")
            if qos:
                lines.append(f"  namespace: {quoted(qos)}")
            lines.append("  annotations:")
            lines += [f"    {key}: {quoted(value)}" for key, value in annotations.items()]
            lines.append("spec:")
            if qos:
                lines.append(f"  priorityClassName: {quoted('openb-' + qos.lower())}")
            lines += ["  containers:", "  - name: main", "    resources:", "      requests:",
                      f"        cpu: {quoted(row['cpu_milli'] + 'm')}",
                      f"        memory: {quoted(row['memory_mib'] + 'Mi')}"]
            if limits:
                lines.append("      limits:")
                lines += [f"        {key}: {quoted(value)}" for key, value in limits.items()]
            out.write("---\n" + "\n".join(lines) + "\n")
            written += 1
    if out is not sys.stdout:
        out.close()
    print(f"{written} pods written, {skipped} left out", file=sys.stderr)


if __name__ == "__main__":
    main()
