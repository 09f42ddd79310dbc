#pragma once
// GPU-sharing modes (sim/policy/gpu_sharing.hpp), one file each; formulas in docs/gpu_sharing.md.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/policy/gpu_sharing.hpp"
#include "sim/core/registry.hpp"

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
// First memory slice of each instance (profile indices, in the order given) at NVIDIA's valid
// positions, or nullopt when they cannot all be placed on one GPU.
std::optional<std::vector<int>> place_mig_instances(const MigModel& model, const std::vector<int>& profiles);

// One GPU instance on a GPU: its profile (index in MigModel::profiles), first memory slice, and the
// job running on it (kNoMigJob: idle).
constexpr std::int64_t kNoMigJob = -1;
struct MigInstance {
  int profile;
  int start;
  std::int64_t job = kNoMigJob;
};
// Dynamic layouts: where a new instance of `profile` goes on a GPU holding `instances`, or -1 when
// nowhere. A valid start qualifies when every instance it overlaps is idle (those are destroyed) and
// the compute slices still add up to at most the GPU's; among those, the fewest idle compute slices
// destroyed, then the highest start (4g and 7g can only start at slice 0: packing from the top keeps
// room for them).
int mig_dynamic_start(const MigModel& model, int profile, const std::vector<MigInstance>& instances);

}  // namespace aidcsim
