#!/usr/bin/env bash
# Builds the seed corpus of every fuzz target from the repository (scenarios/, platforms/,
# scenarios/traces/, tests/data/traces/) and small slices of ../shared/traces (read only; never
# committed). Usage: make_corpus.sh SOURCE_DIR OUT_DIR  (OUT_DIR/<target>/ per target; rebuilt each time)
set -euo pipefail
source_dir=$1 out=$2
shared=$source_dir/../shared/traces
rm -rf "$out"
mkdir -p "$out"/{scenario,sweep,platform,trace_native,trace_openb,trace_philly,trace_swf,trace_swf_gzip,trace_helios,trace_alibaba_pai,trace_alibaba_dlrm,trace_k8s,requests}

# Scenarios, as they are and with one --set override on the first line.
for f in "$source_dir"/scenarios/*.json; do cp "$f" "$out/scenario/"; done
quick=$source_dir/scenarios/quickstart.json
n=0
for set in 'scheduler.policy=sjf' 'workload.jobs.limit=10' 'placement.policy=best-fit' 'seed=7' \
  'virtualization={"runtime":"vm","gpu_sharing":"exclusive","vm":{"boot_s":30,"consolidation":{"interval_s":120}}}' \
  'virtualization.gpu_sharing=mps' 'engine.horizon_s=100' 'scheduler={"policy":"backfill"}'; do
  n=$((n + 1))
  { echo "--set $set"; cat "$quick"; } > "$out/scenario/set-$n.json"
done

# Sweep files.
for f in "$source_dir"/scenarios/studies/*.json; do cp "$f" "$out/sweep/"; done

# Platforms small enough to mutate quickly (helios-venus.xml is 1.4 MB: left out).
cp "$source_dir/platforms/quickstart.xml" "$source_dir/platforms/nasa-ipsc-128.xml" "$out/platform/"
cat > "$out/platform/tiny.xml" <<'XML'
<?xml version='1.0'?>
<!DOCTYPE platform SYSTEM "https://simgrid.org/simgrid.dtd">
<platform version="4.1">
  <zone id="dc" routing="Full">
    <host id="srv0" speed="1Gf" core="8"><prop id="kind" value="server"/><prop id="memory" value="64GiB"/></host>
    <host id="gpu0" speed="10Tf"><prop id="kind" value="gpu"/><prop id="server" value="srv0"/><prop id="gpu_model" value="A100-80GB"/></host>
    <link id="pcie0" bandwidth="32GBps" latency="1us"/>
    <route src="srv0" dst="gpu0"><link_ctn id="pcie0"/></route>
  </zone>
</platform>
XML

# Traces: the repository's, then slices of the public ones (header + 40 rows).
head -n 80 "$source_dir/scenarios/traces/quickstart.csv" > "$out/trace_native/quickstart.csv"
printf 'job_id,submit_s,duration_s,gpus,gpu_milli,cpus,mem_gib,tenant,gpu_model,priority\na,0,10,1,500,4,16,t1,A100-80GB|V100,2\nb,1.5,3600,8,1000,0,0,t2,,0\n' \
  > "$out/trace_native/all-columns.csv"
cp "$source_dir/tests/data/traces/helios/cluster_log.csv" "$out/trace_helios/"
{ echo '#options {"tenant_from":"user","gpu_jobs_only":true,"time_zero":"first-midnight"}'
  cat "$source_dir/tests/data/traces/helios/cluster_log.csv"; } > "$out/trace_helios/with-options.csv"
pai=$source_dir/tests/data/traces/alibaba-pai
{ cat "$pai/pai_job_table.csv"; echo "--task-table--"; cat "$pai/pai_task_table.csv"; } > "$out/trace_alibaba_pai/pai.csv"
slice() {  # slice SOURCE DEST [LINES]
  [[ -f $1 ]] && head -n "${3:-41}" "$1" > "$2" || true
}
for f in "$shared"/openb/openb_pod_list_*.csv; do [[ -f $f ]] && slice "$f" "$out/trace_openb/$(basename "$f")"; done
if [[ -f $shared/openb/openb_pod_list_default.csv ]]; then
  { echo '#options {"replay":"packing","tenant_from":"none"}'; head -n 41 "$shared/openb/openb_pod_list_default.csv"; } \
    > "$out/trace_openb/packing.csv"
fi
slice "$shared/philly/philly.csv" "$out/trace_philly/philly.csv"
if [[ -f $shared/philly/philly.csv ]]; then
  { echo '#options {"time_zero":"2017-10-01 00:00:00","zero_duration":"one-second"}'; head -n 41 "$shared/philly/philly.csv"; } \
    > "$out/trace_philly/with-options.csv"
fi
slice "$shared/alibaba-dlrm-2025/disaggregated_DLRM_trace.csv" "$out/trace_alibaba_dlrm/dlrm.csv"
swf=$shared/swf-nasa-ipsc/NASA-iPSC-1993-3.1-cln.swf.gz
if [[ -f $swf ]]; then
  { zcat "$swf" || true; } | head -n 60 > "$out/trace_swf/nasa.swf"
  cp "$out/trace_swf/nasa.swf" "$out/trace_swf_gzip/nasa.swf"  # the gzip target compresses its input
  { echo '#options {"procs_per_gpu":4}'; cat "$out/trace_swf/nasa.swf"; } > "$out/trace_swf_gzip/procs.swf"
fi
# Kubernetes manifests: every kind and mapping rule, and 40 OpenB pods as converted for the round trip.
cat > "$out/trace_k8s/kinds.yaml" <<'YAML'
#options {"priority_classes":{"high":1000},"tenant_from":"queue","default_duration_s":60}
apiVersion: v1
kind: Pod
metadata:
  name: train
  namespace: vision
  labels: {kueue.x-k8s.io/queue-name: team-a}
  annotations: {aidcsim.io/submit-time-s: "120", aidcsim.io/duration-s: "3600", aidcsim.io/estimate-s: "4000"}
spec:
  priorityClassName: high
  initContainers: [{name: fetch, resources: {requests: {cpu: "6", memory: 1Gi}}}]
  containers:
  - name: main
    resources: {requests: {cpu: 1500m, memory: 8Gi}, limits: {nvidia.com/gpu: 2}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: sweep, annotations: {alibabacloud.com/gpu-count: "1", alibabacloud.com/gpu-milli: "250", alibabacloud.com/gpu-card-model: "T4|P100"}}
spec: {parallelism: 3, completions: 2, template: {spec: {containers: [{name: w}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: serve}
spec: {replicas: 2, template: {metadata: {annotations: {aidcsim.io/duration-s: "1e3"}}, spec: {containers: [{name: s}]}}}
---
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Pod, metadata: {name: listed}, spec: {containers: [{name: c}]}}
YAML
if [[ -f $shared/openb/openb_pod_list_default.csv ]]; then
  head -n 41 "$shared/openb/openb_pod_list_default.csv" > "$out/openb-slice.csv"
  { echo '#options {"priority_classes":{"openb-guaranteed":3,"openb-ls":2,"openb-burstable":1,"openb-be":0}}'
    /usr/bin/python3 "$source_dir/scenarios/traces/openb_to_k8s.py" "$out/openb-slice.csv" 2>/dev/null; } > "$out/trace_k8s/openb.yaml"
  rm -f "$out/openb-slice.csv"
fi
# Inference inputs: request traces and the latency table.
printf 'request_id,arrival_s,prompt_tokens,output_tokens\nq0,0,100,10\nq1,1.5,2000,1\nq2,2,8192,300\n' > "$out/requests/native.csv"
slice "$shared/azure-llm-2023/AzureLLMInferenceTrace_conv.csv" "$out/requests/azure-conv.csv"
slice "$shared/azure-llm-2023/AzureLLMInferenceTrace_code.csv" "$out/requests/azure-code.csv"
slice "$shared/llm-perf-splitwise/perf_model.csv" "$out/requests/perf_model.csv" 61

# Every target has at least one seed even without ../shared/traces.
for d in "$out"/*/; do
  [[ -n $(ls -A "$d") ]] || printf 'a,b,c\n1,2,3\n' > "$d/minimal.csv"
done
echo "fuzz corpus: $(find "$out" -type f | wc -l) seeds, $(du -sh "$out" | cut -f1), in $out"
