#pragma once
// Inference services of a scenario (workload.services, CONTRACT.md §7; docs/inference.md): their
// replicas are jobs of the cluster (placed, scheduled and quota'd like training jobs), and their
// requests are served on the replicas that have started, with continuous batching and a router.
#include <memory>
#include <string>
#include <vector>

#include "models/inference/perf_model.hpp"
#include "models/inference/replica_engine.hpp"
#include "models/inference/requests.hpp"
#include "sim/config/options.hpp"
#include "sim/core/cluster.hpp"
#include "sim/core/run_record.hpp"
#include "sim/core/types.hpp"

namespace aidcsim {

// What is known of a served model: its weights and the KV bytes each token keeps.
struct LlmModelInfo {
  std::string name;
  double parameters = 0;       // count; weights take 2 bytes each (fp16)
  double kv_bytes_per_token = 0;  // 2 (K and V) x layers x KV heads x head dim x 2 bytes
};
const std::vector<LlmModelInfo>& llm_models();

// vLLM's gpu_memory_utilization default: the share of each GPU's memory a replica takes (weights, then
// the KV cache in what is left).
inline constexpr double kKvMemoryUtilization = 0.9;

struct ServiceSpec {
  std::string name, tenant, model, gpu_model;
  int tensor_parallel = 1, replicas = 1, priority = 0;
  // Autoscaled (autoscaling.services): `replicas` slots, of which the first initial_replicas start and
  // the others wait held until the autoscaler asks for them; -1 = not autoscaled, all start.
  int initial_replicas = -1;
  int prompt_replicas = 0;  // disaggregated: replicas 0..prompt_replicas-1 prefill, the others decode; 0 = not
  double kv_bytes_per_token = 0;
  std::vector<LlmRequest> requests;
  BatchingConfig batching;
  std::string router = "round-robin";
  std::uint64_t seed = 1;
  double slo_ttft_s = -1, slo_tbt_s = -1, slo_percentile = 90;  // < 0: no such objective
  std::shared_ptr<const LlmPerfModel> perf;
  LlmPerfModel::Key key;
  std::string weights_from;  // host the weights load from at a replica's start ("" = no loading)
  double weights_bytes = 0;  // 2 bytes per parameter
  double gpu_memory_gib = 0;  // of one GPU of gpu_model
  long long kv_blocks = 0;  // per replica: the GPU memory left after the weights (90 %), in 16-token blocks
  std::string replica_job_id(int k) const { return name + "/replica-" + std::to_string(k); }
};

// Reads workload.services (a list; absent = none). Paths are relative to `scenario_dir`; every problem
// names its JSON path (or the file and line of a request trace).
// The files read (request traces, performance tables) go to `record` (run.json's inputs) when given.
std::vector<ServiceSpec> read_services(OptionReader& workload, const std::string& scenario_dir, const Cluster& cluster,
                                       std::uint64_t seed, ProblemList& problems, RunRecord* record = nullptr);
// The replicas as jobs: one per replica, submitted at the service's first request, holding
// tensor_parallel GPUs of gpu_model on one server until the service has served its last request.
std::vector<JobSpec> replica_jobs(const std::vector<ServiceSpec>& services);

}  // namespace aidcsim
