#pragma once
#include <memory>

#include "sim/policy/workload_model.hpp"
#include "sim/core/registry.hpp"
#include "sim/core/types.hpp"

namespace aidcsim {

// The trace model's work, which the other models keep where they add nothing: a job without GPUs runs
// `length_s` on one core of its server; a GPU job `length_s` at full speed on each of its GPUs, scaled
// by its share and capped at that share of the GPU's speed when it holds part of one.
inline ActivityPlan trace_work_plan(double length_s, const Allocation& allocation, const Cluster& cluster) {
  ActivityPlan plan;
  if (allocation.gpus.empty()) {
    ServerIndex s = allocation.servers.front().server;
    plan.execs.push_back({false, s, length_s * cluster.servers[s].core_speed_flops, 0});
    return plan;
  }
  for (const auto& share : allocation.gpus) {
    double speed = cluster.gpus[share.gpu].speed_flops;
    plan.execs.push_back({true, share.gpu, length_s * speed * share.milli / kWholeGpuMilli,
                          share.milli < kWholeGpuMilli ? speed * share.milli / kWholeGpuMilli : 0});
  }
  return plan;
}
std::unique_ptr<WorkloadModel> make_trace_model(PolicyArgs& args);
std::unique_ptr<WorkloadModel> make_iterations_model(PolicyArgs& args);
std::unique_ptr<WorkloadModel> make_pipeline_model(PolicyArgs& args);
}  // namespace aidcsim
