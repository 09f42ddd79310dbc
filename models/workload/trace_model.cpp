// The `trace` model: a job is duration_s of work at full speed on each of its GPUs (or on one core
// of its server when it has none). On unshared resources it ends exactly duration_s after it starts.
// With checkpoints (workload.jobs.checkpoint_interval_s C, checkpoint_cost_s d), the job writes one
// after every C seconds of work but the last, each taking d: its plan is duration_s + (ceil(duration_s
// / C) - 1) d, and a preemption or failure keeps the work of the last checkpoint written.
#include <algorithm>
#include <cmath>

#include "models/workload/models.hpp"
#include "sim/config/options.hpp"
#include "sim/core/types.hpp"

namespace aidcsim {
namespace {
class TraceModel final : public WorkloadModel {
 public:
  TraceModel(double interval_s, double cost_s) : interval_s_(interval_s), cost_s_(cost_s) {}

  ActivityPlan plan(const JobSpec& job, const Allocation& allocation, const Cluster& cluster) override {
    return trace_work_plan(planned_s(job), allocation, cluster);
  }

  double checkpoint_step(const JobSpec& job) const override {
    if (interval_s_ <= 0 || job.duration_s <= 0) return 0;
    return std::min(1.0, (interval_s_ + cost_s_) / planned_s(job));
  }

 private:
  double checkpoints(const JobSpec& job) const {
    return interval_s_ > 0 && job.duration_s > 0 ? std::max(0.0, std::ceil(job.duration_s / interval_s_ - 1e-9) - 1) : 0;
  }
  double planned_s(const JobSpec& job) const { return job.duration_s + checkpoints(job) * cost_s_; }

  double interval_s_, cost_s_;
};
}  // namespace

std::unique_ptr<WorkloadModel> make_trace_model(PolicyArgs& args) {
  double interval_s = args.options.number("checkpoint_interval_s", 0, 0, kMaxTime_s);
  double cost_s = args.options.number("checkpoint_cost_s", 0, 0, kMaxTime_s);
  if (cost_s > 0 && interval_s <= 0)
    args.options.problem("checkpoint_cost_s", "set without checkpoint_interval_s; expected both (or neither)");
  return std::make_unique<TraceModel>(interval_s, cost_s);
}

}  // namespace aidcsim
