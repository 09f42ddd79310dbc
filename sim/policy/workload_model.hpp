#pragma once
// Workload models turn a started job into activities for SimGrid to run.
#include <string>
#include <vector>

#include "sim/core/cluster.hpp"
#include "sim/core/ledger.hpp"

namespace aidcsim {

struct ExecStep {
  bool on_gpu = true;      // GPU host, else the server host
  std::uint32_t index = 0;  // GpuIndex or ServerIndex
  double flops = 0;
  double bound_flops = 0;  // cap on speed; 0 = none
};

// After delay_s (restart cost, boot), everything in a plan runs concurrently; the job ends when the
// last step ends.
struct ActivityPlan {
  double delay_s = 0;
  std::vector<ExecStep> execs;
};

class WorkloadModel {
 public:
  virtual ~WorkloadModel() = default;
  // The plan for the whole job; the core scales it to the work left after a preemption.
  virtual ActivityPlan plan(const JobSpec& job, const Allocation& allocation, const Cluster& cluster) = 0;
  // The share of the job's whole plan between two checkpoints: on preemption the work done is kept
  // in whole multiples of it, the rest is lost (0 = nothing is lost).
  virtual double checkpoint_step(const JobSpec&) const { return 0; }
};

}  // namespace aidcsim
