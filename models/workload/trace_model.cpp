// The `trace` model: a job is duration_s of work at full speed on each of its GPUs (or on one core
// of its server when it has none). On unshared resources it ends exactly duration_s after it starts.
#include "models/workload/models.hpp"

namespace aidcsim {
namespace {
class TraceModel final : public WorkloadModel {
 public:
  ActivityPlan plan(const JobSpec& job, const Allocation& allocation, const Cluster& cluster) override {
    ActivityPlan plan;
    if (allocation.gpus.empty()) {
      ServerIndex s = allocation.servers.front().server;
      plan.execs.push_back({false, s, job.duration_s * cluster.servers[s].core_speed_flops, 0});
      return plan;
    }
    for (const auto& share : allocation.gpus) {
      double speed = cluster.gpus[share.gpu].speed_flops;
      plan.execs.push_back({true, share.gpu, job.duration_s * speed * share.milli / kWholeGpuMilli,
                            share.milli < kWholeGpuMilli ? speed * share.milli / kWholeGpuMilli : 0});
    }
    return plan;
  }
};
}  // namespace

std::unique_ptr<WorkloadModel> make_trace_model(PolicyArgs&) { return std::make_unique<TraceModel>(); }

}  // namespace aidcsim
