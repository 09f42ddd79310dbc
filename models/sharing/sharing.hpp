#pragma once
// GPU-sharing modes (sim/policy/gpu_sharing.hpp), one file each; formulas in docs/gpu_sharing.md.
#include <memory>
#include <string>
#include <vector>

#include "sim/policy/gpu_sharing.hpp"
#include "sim/registry.hpp"

namespace aidcsim {

std::unique_ptr<GpuSharing> make_exclusive_sharing(PolicyArgs& args);
std::unique_ptr<GpuSharing> make_mps_sharing(PolicyArgs& args);
std::unique_ptr<GpuSharing> make_time_slicing_sharing(PolicyArgs& args);
std::unique_ptr<GpuSharing> make_mig_sharing(PolicyArgs& args);

namespace sharing_detail {
// Multiplies the work of each GPU step by (1 + factor x co-runners on its GPU at the run's start).
void slow_down_by_co_runners(ActivityPlan& plan, double factor, const std::vector<int>& co_runners);
// A job shares a GPU only when it asks for part of exactly one GPU.
inline bool fractional(const JobSpec& job) { return job.gpus == 1 && job.gpu_milli < kWholeGpuMilli; }
}  // namespace sharing_detail

// MIG profiles (exposed for tests and docs).
struct MigProfile {
  std::string name;  // e.g. "3g.40gb"
  int compute_slices;
  double memory_gib;
  int memory_slices;                  // size in the GPU's memory slices
  std::vector<int> starts;            // valid first memory slice of an instance
};
struct MigModel {
  std::string gpu_model;
  int compute_slices;  // 7 (A100, H100) or 4 (A30)
  int memory_slices;   // 8 or 4
  std::vector<MigProfile> profiles;
};
// nullptr for GPU models without MIG support in this table.
const MigModel* find_mig_model(const std::string& gpu_model);
// "" when the instances can be placed together on one GPU at NVIDIA's valid positions, else why not.
std::string check_mig_layout(const MigModel& model, const std::vector<std::string>& profiles);

}  // namespace aidcsim
