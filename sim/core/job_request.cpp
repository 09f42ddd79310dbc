#include "sim/core/job_request.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "sim/core/errors.hpp"
#include "sim/policy/gpu_sharing.hpp"
#include "sim/policy/runtime.hpp"

namespace aidcsim {

Request job_request(const JobSpec& job, const Cluster& cluster, bool exclusive_gpus, const GpuSharing* sharing,
                    const Runtime* runtime, std::string& reason) {
  Request r;
  r.gpus = job.gpus;
  r.gpu_milli = exclusive_gpus || job.gpus == 0 ? kWholeGpuMilli : job.gpu_milli;
  r.cpus = job.cpus;
  r.mem_gib = job.mem_gib;
  if (!job.gpu_models.empty()) {
    r.model_allowed.assign(cluster.gpu_models.size(), 0);
    std::vector<std::string> absent;
    for (const auto& m : job.gpu_models) {
      auto it = cluster.model_index.find(m);
      if (it == cluster.model_index.end()) absent.push_back(m);
      else r.model_allowed[it->second] = 1;
    }
    if (job.gpus > 0 && std::none_of(r.model_allowed.begin(), r.model_allowed.end(), [](char c) { return c; }))
      reason = fmt::format("gpu_model {} is not on the platform (models: {})", join_names(absent),
                           join_names(cluster.gpu_models));
  }
  // The GPU-sharing mode decides what each GPU of the job takes in the ledger (and may narrow the models).
  if (sharing && job.gpus > 0 && reason.empty()) {
    int milli = sharing->admission_milli(job, r.model_allowed, cluster, reason);
    if (milli > 0) r.gpu_milli = milli;
  }
  if (runtime && reason.empty()) reason = runtime->shape_request(job, r);
  return r;
}

}  // namespace aidcsim
