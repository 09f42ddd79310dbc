#pragma once
// Canonical records shared by the core and every policy. Units are in the names.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "sim/core/shared_value.hpp"

namespace aidcsim {

using JobIndex = std::uint32_t;     // position in the job table (dense, arrival-sorted)
using GpuIndex = std::uint32_t;     // position in Cluster::gpus
using ServerIndex = std::uint32_t;  // position in Cluster::servers
using TenantIndex = std::uint32_t;

inline constexpr int kWholeGpuMilli = 1000;
inline constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
// A GPU host or a server host of the platform.
struct HostRef {
  bool on_gpu = true;
  std::uint32_t index = 0;  // GpuIndex or ServerIndex
  bool operator==(const HostRef&) const = default;
};

// The largest time or duration aidcsim accepts anywhere (trace times, time options), about 31.7
// years: far beyond any datacenter trace, and small enough that no run loops for ever on a timer set
// at 1e308 s (docs/README.scenario.md, "Bounds").
inline constexpr double kMaxTime_s = 1e9;

inline const Shared<std::string>& default_tenant() {
  static const Shared<std::string> name{"default"};
  return name;
}

// One job as every trace reader produces it, before simulation.
struct JobSpec {
  std::string job_id;
  double submit_s = 0;
  double duration_s = 0;                // run time on the requested resources when nothing slows it
  double cpus = 0;
  double mem_gib = 0;
  double gpu_mem_gib = 0;               // GPU memory per GPU (time-slicing, MIG admission); 0 = not given
  double estimate_s = -1;               // user's run-time estimate; < 0 = none
  // The iterations workload model's trace columns (CONTRACT.md §7); 0 = not given.
  double iterations = 0;
  double iteration_flops = 0;  // per GPU
  double gradient_bytes = 0;
  Shared<std::string> tenant = default_tenant();
  Shared<std::vector<std::string>> gpu_models;  // allowed models; empty = any
  int gpus = 0;
  int gpu_milli = kWholeGpuMilli;       // share of each GPU, 1..1000
  int priority = 0;
  // The job's model does its work within the run (Core::run_model_work: an inference replica's
  // iterations); the run itself only holds its resources until the model ends it (Core::complete_now).
  bool work_by_model = false;
  // It arrives held: it waits outside the scheduler's queue until its model releases it (Core::release;
  // an inference replica above the autoscaler's current count).
  bool held = false;
};

enum class JobState : std::uint8_t { pending, running, completed, rejected, unfinished };

inline const char* to_string(JobState s) {
  switch (s) {
    case JobState::pending: return "pending";
    case JobState::running: return "running";
    case JobState::completed: return "completed";
    case JobState::rejected: return "rejected";
    case JobState::unfinished: return "unfinished";
  }
  return "?";
}

inline constexpr double kNoTime = std::numeric_limits<double>::quiet_NaN();

}  // namespace aidcsim
