// Every built-in policy and model, one line each. A new policy: one new file plus one line here.
#include "models/monitoring/monitors.hpp"
#include "models/placement/placements.hpp"
#include "models/scheduling/schedulers.hpp"
#include "models/traces/readers.hpp"
#include "models/workload/models.hpp"

namespace aidcsim {

static Registries make_builtin_registries() {
  Registries r;
  r.schedulers.add("fifo", "strict arrival order; the head job blocks those behind it", make_fifo);

  r.placements.add("first-fit", "first server in platform order that can hold the job", make_first_fit);

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

  r.workload_models.add("trace", "replays the recorded duration_s as work on the job's GPUs", make_trace_model);

  r.monitors.add("periodic", "samples allocation, running jobs, queue length and per-tenant GPUs every interval_s",
                 make_periodic_monitor);

  auto mode = [](PolicyArgs&) { return std::make_unique<Mode>(); };
  r.gpu_sharing.add("exclusive", "one job per GPU; a fractional request takes a whole GPU", mode);
  r.runtimes.add("bare-metal", "jobs run directly on the servers: no start-up cost, no overhead", mode);
  return r;
}

const Registries& builtin_registries() {
  static const Registries registries = make_builtin_registries();  // immutable after construction
  return registries;
}

}  // namespace aidcsim
