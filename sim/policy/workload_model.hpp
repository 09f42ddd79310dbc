#pragma once
// Workload models turn a started job into activities for SimGrid to run.
#include <string>
#include <vector>

#include "sim/cluster.hpp"
#include "sim/ledger.hpp"

namespace aidcsim {

struct ExecStep {
  bool on_gpu = true;      // GPU host, else the server host
  std::uint32_t index = 0;  // GpuIndex or ServerIndex
  double flops = 0;
  double bound_flops = 0;  // cap on speed; 0 = none
};

// Everything in a plan runs concurrently; the job ends when the last step ends.
struct ActivityPlan {
  std::vector<ExecStep> execs;
};

class WorkloadModel {
 public:
  virtual ~WorkloadModel() = default;
  virtual ActivityPlan plan(const JobSpec& job, const Allocation& allocation, const Cluster& cluster) = 0;
};

}  // namespace aidcsim
