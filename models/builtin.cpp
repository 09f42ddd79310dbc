// Every built-in policy and model, one line each. A new policy: one new file plus one line here.
#include "models/failures/failure_model.hpp"
#include "models/autoscaling/cluster_autoscaler.hpp"
#include "models/autoscaling/hpa_autoscaler.hpp"
#include "models/cost/prices.hpp"
#include "models/monitoring/alerting.hpp"
#include "models/monitoring/monitors.hpp"
#include "models/inference/service_model.hpp"
#include "models/placement/placements.hpp"
#include "models/quota/quotas.hpp"
#include "models/runtime/runtimes.hpp"
#include "models/scheduling/schedulers.hpp"
#include "models/sharing/sharing.hpp"
#include "models/traces/readers.hpp"
#include "models/workload/models.hpp"

namespace aidcsim {

static Registries make_builtin_registries() {
  Registries r;
  r.schedulers.add("fifo", "arrival order; the head job blocks those behind it unless blocking is false", make_fifo);
  r.schedulers.add("sjf", "shortest estimate_s (else duration_s) first; skips jobs that do not fit unless blocking",
                   make_sjf);
  r.schedulers.add("backfill", "EASY backfilling: FIFO with a reservation for the head; later jobs start if they do not delay it",
                   make_backfill);
  r.schedulers.add("las", "Tiresias discretized 2D-LAS: queues by attained GPU-seconds, preemptive", make_las);
  r.schedulers.add("drf", "dominant resource fairness across tenants (GPUs, CPUs, memory), weighted", make_drf);
  r.schedulers.add("priority", "larger priority first, then arrival; optionally preemptive (Kubernetes-like)",
                   make_priority);

  r.placements.add("first-fit", "first server in platform order that can hold the job", multi_gpu_option(make_first_fit));
  r.placements.add("best-fit", "least leftover CPU+GPU on the chosen server (FGD paper's Best-fit baseline)", multi_gpu_option(make_best_fit));
  r.placements.add("spread", "worst-fit: most free GPU share, then CPU, on the chosen server", multi_gpu_option(make_spread));
  r.placements.add("random", "a random server that can hold the job (seeded); random GPU for a shared GPU", multi_gpu_option(make_random_placement));
  r.placements.add("packing", "GPU packing: shared GPUs first, then used servers, then idle ones (FGD baseline)", multi_gpu_option(make_packing));
  r.placements.add("clustering", "GPU clustering: jobs of the same GPU kind together (FGD baseline)", multi_gpu_option(make_clustering));
  r.placements.add("dotprod", "Tetris dot product of free and requested CPU/GPU, smallest wins (FGD baseline)", multi_gpu_option(make_dot_product));
  r.placements.add("topology", "fewest servers, then fewest racks, then shortest GPU distance on the topology graph", multi_gpu_option(make_topology));
  r.placements.add("fgd", "Fragmentation Gradient Descent (ATC'23): least growth of the target workload's fragmentation", multi_gpu_option(make_fgd));

  r.trace_readers.add("native", "aidcsim CSV: job_id,submit_s,duration_s,gpus[,gpu_milli,cpus,mem_gib,tenant,...]",
                      make_native_reader);
  r.trace_readers.add("openb", "Alibaba GPU 2023 (FGD) openb_pod_list_*.csv; replay time|all|packing", make_openb_reader);
  r.trace_readers.add("philly", "Microsoft Philly jobs as published with Pollux (philly.csv)", make_philly_reader);
  r.trace_readers.add("swf", "Standard Workload Format (Parallel Workloads Archive), plain or gzip; procs_per_gpu",
                      make_swf_reader);
  r.trace_readers.add("helios", "SenseTime Helios cluster_log.csv (HeliosData)", make_helios_reader);
  r.trace_readers.add("alibaba-pai", "Alibaba PAI 2020 pai_job_table.csv joined with pai_task_table.csv",
                      make_alibaba_pai_reader);
  r.trace_readers.add("alibaba-dlrm", "Alibaba 2025 disaggregated DLRM inference instances, as long-running jobs",
                      make_alibaba_dlrm_reader);
  r.trace_readers.add("k8s", "Kubernetes manifests: a YAML stream of Pods, batch/v1 Jobs and apps/v1 Deployments",
                      make_k8s_reader);

  r.workload_models.add("trace", "replays the recorded duration_s as work on the job's GPUs", make_trace_model);
  r.workload_models.add("iterations", "iterations of compute and a gradient all-reduce over the platform's links",
                        make_iterations_model);
  r.workload_models.add("pipeline", "pipeline parallelism (GPipe): micro-batches through the GPUs as stages, activations between them",
                        make_pipeline_model);

  r.monitors.add("periodic", "samples allocation, running jobs, queue length and per-tenant GPUs every interval_s",
                 make_periodic_monitor);

  r.gpu_sharing.add("exclusive", "one job per GPU; a fractional request takes a whole GPU", make_exclusive_sharing);
  r.gpu_sharing.add("mps", "fractional jobs share a GPU, each capped at its share; oversubscription, interference_factor",
                    make_mps_sharing);
  r.gpu_sharing.add("time-slicing", "jobs share a GPU by fair sharing; admission by gpu_mem_gib; context_switch_overhead",
                    make_time_slicing_sharing);
  r.gpu_sharing.add("mig", "MIG (A100, H100, A30), static or dynamic layouts: a job takes the smallest covering instance, isolated",
                    make_mig_sharing);
  r.runtimes.add("bare-metal", "jobs run directly on the servers: no start-up cost, no overhead", make_bare_metal_runtime);
  r.runtimes.add("container", "image pull from a registry (SimGrid transfer, per-server LRU cache) + start; cgroup CPU caps",
                 make_container_runtime);
  r.runtimes.add("vm", "long-lived VMs from a flavour catalogue: boot_s, reuse per tenant, idle_timeout_s, overheads",
                 make_vm_runtime);

  r.services.add("llm", "LLM inference services: replicas placed as jobs, vLLM / Sarathi / static batching, routers",
                 make_llm_services);
  r.scrapers.add("prometheus", "scrapes the metrics registry and evaluates alert rules as Prometheus does",
                 make_prometheus_scraper);
  r.service_autoscalers.add("hpa", "Kubernetes' Horizontal Pod Autoscaler on inference services: replica count from scraped per-replica metrics",
                            make_hpa);
  r.node_autoscalers.add("cluster-autoscaler", "Kubernetes' Cluster Autoscaler on node groups: scale-up for pending jobs, scale-down of unneeded nodes",
                         make_cluster_autoscaler);

  r.failures.add("host-failures", "server and GPU failures (exponential or Weibull, or a trace) with repair; jobs restart from their last checkpoint",
                 make_failure_model);

  r.quotas.add("none", "no quota: every job is admitted on arrival", make_no_quota);
  r.quotas.add("resource-quota", "Kubernetes ResourceQuota per tenant: pods refused over the limit, Job controller retries with backoff",
               make_resource_quota);
  r.quotas.add("kueue", "Kueue ClusterQueues: cohorts, borrowing/lending limits, flavors, FIFO strategies, preemption, fair sharing",
               make_kueue);

  // cost.preset: the price table instance types are looked up in (models/cost/cloud_instances.cpp).
  r.costs.add("none", "no price table: every server is priced by cost.server_hour or a cost group",
              [](PolicyArgs& a) { return read_server_prices(a, nullptr); });
  for (const CloudPricePreset& preset : cloud_price_presets())
    r.costs.add(preset.name, preset.description,
                [p = &preset](PolicyArgs& a) { return read_server_prices(a, p); });
  return r;
}

const Registries& builtin_registries() {
  static const Registries registries = make_builtin_registries();  // immutable after construction
  return registries;
}

}  // namespace aidcsim
