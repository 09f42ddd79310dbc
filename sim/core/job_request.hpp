#pragma once
// The request a job makes of the platform: one rule for the simulation core and the FGD packing
// experiment (which places jobs without simulated time), so both ask the placement the same thing.
#include <string>

#include "sim/core/cluster.hpp"
#include "sim/core/request.hpp"

namespace aidcsim {

class GpuSharing;
class Runtime;

// The request of `job` on `cluster`: whole GPUs when `exclusive_gpus` (and for a job without GPUs),
// its gpu_models as model indices, then the sharing mode's admission share (null: exclusive) and the
// runtime's shape (null: bare metal). `reason` gets why the job can never run ("" when it may).
Request job_request(const JobSpec& job, const Cluster& cluster, bool exclusive_gpus, const GpuSharing* sharing,
                    const Runtime* runtime, std::string& reason);

}  // namespace aidcsim
