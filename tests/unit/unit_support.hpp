#pragma once
// Helpers shared by the unit tests (no SimGrid): temporary files, hand-built clusters, policy factories.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/core/cluster.hpp"
#include "sim/core/errors.hpp"
#include "sim/config/options.hpp"
#include "sim/core/registry.hpp"
#include "sim/core/types.hpp"

namespace aidcsim::unit {

// A fresh folder under the system temp dir, removed by the destructor.
class TempDir {
 public:
  explicit TempDir(const std::string& name) {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("aidcsim-unit-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  // Writes `text` to `name` in the folder and returns its path.
  std::string write(const std::string& name, const std::string& text) const {
    std::string p = file(name);
    std::ofstream out(p, std::ios::binary);
    out << text;
    return p;
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// One server of a hand-built cluster: its GPUs' models (one entry per GPU), cores and memory.
struct ServerShape {
  std::vector<std::string> gpu_models;
  int cores = 64;
  double memory_gib = 512;  // 0 = not declared (memory is no constraint)
};

// A Cluster built by hand, as the platform loader would build it (model indices, max GPUs per server).
inline Cluster make_cluster(const std::vector<ServerShape>& shapes) {
  Cluster c;
  c.platform_file = "hand-built";
  std::vector<std::string> models;
  for (const auto& s : shapes)
    for (const auto& m : s.gpu_models) models.push_back(m);
  std::sort(models.begin(), models.end());
  models.erase(std::unique(models.begin(), models.end()), models.end());
  c.gpu_models = models;
  for (std::size_t i = 0; i < models.size(); ++i) c.model_index[models[i]] = static_cast<int>(i);
  for (std::size_t si = 0; si < shapes.size(); ++si) {
    Server server;
    server.name = "srv" + std::to_string(si);
    server.cores = shapes[si].cores;
    server.core_speed_flops = 1e9;
    server.memory_gib = shapes[si].memory_gib;
    for (std::size_t g = 0; g < shapes[si].gpu_models.size(); ++g) {
      Gpu gpu;
      gpu.name = server.name + "-gpu" + std::to_string(g);
      gpu.model = shapes[si].gpu_models[g];
      gpu.model_index = c.model_index[gpu.model];
      gpu.server = static_cast<ServerIndex>(si);
      gpu.speed_flops = 1e12;
      gpu.memory_gib = 80;
      server.gpus.push_back(static_cast<GpuIndex>(c.gpus.size()));
      c.gpus.push_back(gpu);
    }
    c.max_gpus_per_server = std::max<int>(c.max_gpus_per_server, static_cast<int>(server.gpus.size()));
    c.servers.push_back(std::move(server));
  }
  return c;
}

// `servers` servers of `gpus` GPUs of one model.
inline Cluster uniform_cluster(int servers, int gpus, const std::string& model = "A100-80GB", int cores = 64,
                               double memory_gib = 512) {
  std::vector<ServerShape> shapes(servers, ServerShape{std::vector<std::string>(gpus, model), cores, memory_gib});
  return make_cluster(shapes);
}

// Builds PolicyArgs whichever form registry.hpp has (with or without the cluster and workload).
template <class Args = PolicyArgs>
Args make_policy_args(OptionReader& options, std::uint64_t seed, const Cluster& cluster,
                      const std::vector<JobSpec>& jobs) {
  if constexpr (requires { Args{options, seed, cluster, jobs}; }) return Args{options, seed, cluster, jobs};
  else return Args{options, seed};
}

// Instantiates a registered policy with no options (as an empty scenario section would).
template <class Interface>
std::unique_ptr<Interface> make_policy(const Registry<Interface>& registry, const std::string& name,
                                       const Cluster& cluster = Cluster{}, const std::vector<JobSpec>& jobs = {}) {
  const auto* entry = registry.find(name);
  if (!entry) return nullptr;
  static const nlohmann::json kEmpty = nlohmann::json::object();
  ProblemList problems;
  OptionReader options(kEmpty, "", "unit-test", nullptr, problems);
  auto args = make_policy_args(options, 1, cluster, jobs);
  auto made = entry->make(args);
  if (!problems.empty()) throw InputErrors(problems.items());
  return made;
}

// A registered policy made from `options`, the scenario section at JSON path `pointer`, as the
// scenario loader would: InputErrors on any problem, unknown keys included ("policy" is known).
// Null when no policy has that name.
template <class Interface>
std::unique_ptr<Interface> make_policy_from(const Registry<Interface>& registry, const std::string& name,
                                            const nlohmann::json& options, const std::string& pointer,
                                            const Cluster& cluster, const std::vector<JobSpec>& jobs = {},
                                            std::uint64_t seed = 1) {
  const auto* entry = registry.find(name);
  if (!entry) return nullptr;
  ProblemList problems;
  OptionReader reader(options, pointer, "scenario.json", nullptr, problems);
  PolicyArgs args{reader, seed, cluster, jobs};
  auto made = entry->make(args);
  reader.reject_unknown({"policy"});
  if (!problems.empty()) throw InputErrors(problems.items());
  return made;
}

}  // namespace aidcsim::unit
