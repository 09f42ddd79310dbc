#pragma once
// Helpers shared by the GPU-sharing unit tests (test_gpu_sharing.cpp, test_mig_dynamic.cpp).
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/sharing/sharing.hpp"
#include "sim/config/options.hpp"
#include "sim/core/errors.hpp"
#include "sim/core/registry.hpp"

namespace aidcsim::unit::sharing_kit {

// A GPU-sharing mode made from the "virtualization" section `options`, with the problems its
// options raised (not thrown: tests check them).
struct Made {
  ProblemList problems;
  nlohmann::json section;
  std::unique_ptr<GpuSharing> sharing;
};

inline std::unique_ptr<Made> make(const std::string& name, const Cluster& cluster,
                                  nlohmann::json options = nlohmann::json::object()) {
  auto m = std::make_unique<Made>();
  m->section = std::move(options);
  OptionReader reader(m->section, "/virtualization", "scenario.json", nullptr, m->problems);
  static const std::vector<JobSpec> no_jobs;
  PolicyArgs args{reader, 1, cluster, no_jobs};
  m->sharing = builtin_registries().gpu_sharing.find(name)->make(args);
  reader.reject_unknown({"gpu_sharing", "runtime"});
  return m;
}

// A 10 s job of `gpus` GPUs taking `milli` of each, with `gpu_mem_gib` of GPU memory (0 = not given).
inline JobSpec job(int gpus, int milli, double gpu_mem_gib = 0) {
  JobSpec j;
  j.job_id = "j";
  j.gpus = gpus;
  j.gpu_milli = milli;
  j.duration_s = 10;
  j.gpu_mem_gib = gpu_mem_gib;
  return j;
}

}  // namespace aidcsim::unit::sharing_kit
