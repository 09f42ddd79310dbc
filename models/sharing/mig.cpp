// `mig` (NVIDIA Multi-Instance GPU), static layouts: every GPU of a model listed in
// virtualization.layouts is partitioned into the listed instances (checked against NVIDIA's valid
// placements, mig_profiles.cpp). A fractional job (gpus = 1, gpu_milli < 1000) maps, on each GPU
// model, to the smallest profile of the layout whose compute share k/S (S = 7, or 4 on A30) covers
// gpu_milli / 1000 and whose memory covers gpu_mem_gib; it waits for a free instance of exactly that
// profile (the device plugin's "mixed" strategy). An instance is isolated: the job runs at
// k/S x the GPU's speed, on an exact timer: run time = duration_s x (gpu_milli / 1000) / (k / S).
// In the ledger the instance holds floor(1000 k / S) milli. Whole-GPU and multi-GPU jobs take whole
// GPUs (every instance free) at full speed.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "models/sharing/sharing.hpp"
#include "sim/options.hpp"

namespace aidcsim {
namespace {

constexpr std::int64_t kFree = -1;

class Mig final : public GpuSharing {
 public:
  Mig(const Cluster& cluster, std::map<std::string, std::vector<std::string>> layouts) {
    models_.resize(cluster.gpu_models.size());
    for (std::size_t m = 0; m < cluster.gpu_models.size(); ++m) {
      auto it = layouts.find(cluster.gpu_models[m]);
      const MigModel* mig = find_mig_model(cluster.gpu_models[m]);
      if (it == layouts.end() || !mig) continue;
      models_[m].mig = mig;
      for (const auto& name : it->second)
        for (std::size_t p = 0; p < mig->profiles.size(); ++p)
          if (mig->profiles[p].name == name) models_[m].layout.push_back(static_cast<int>(p));
    }
    instances_.resize(cluster.gpus.size());
    for (std::size_t g = 0; g < cluster.gpus.size(); ++g)
      instances_[g].assign(models_[cluster.gpus[g].model_index].layout.size(), kFree);
  }

  int admission_milli(const JobSpec& job, std::vector<char>& allowed, const Cluster& cluster,
                      std::string& reason) const override {
    if (!sharing_detail::fractional(job)) return kWholeGpuMilli;
    std::vector<char> eligible(models_.size(), 0);
    int milli = kWholeGpuMilli;
    bool any = false;
    for (std::size_t m = 0; m < models_.size(); ++m) {
      if (!allowed.empty() && !allowed[m]) continue;
      int p = profile_for(job, static_cast<int>(m));
      if (p < 0) continue;
      eligible[m] = 1;
      any = true;
      milli = std::min(milli, instance_milli(static_cast<int>(m), p));
    }
    if (!any) {
      reason = fmt::format("no MIG instance in virtualization.layouts covers gpu_milli {} and gpu_mem_gib {} on the GPU models "
                           "it may use ({})",
                           job.gpu_milli, job.gpu_mem_gib, join_names(cluster.gpu_models));
      return 0;
    }
    allowed = std::move(eligible);
    return milli;
  }

  std::optional<Allocation> bind(JobIndex j, const JobSpec& job, const Allocation& proposal,
                                 const Cluster& cluster) override {
    if (!sharing_detail::fractional(job) || proposal.gpus.size() != 1) return proposal;
    GpuIndex g = proposal.gpus.front().gpu;
    int m = cluster.gpus[g].model_index;
    int p = profile_for(job, m);
    if (p < 0) return std::nullopt;
    auto& slots = instances_[g];
    for (std::size_t i = 0; i < slots.size(); ++i) {
      if (slots[i] != kFree || models_[m].layout[i] != p) continue;
      slots[i] = j;
      bound_[j] = {g, static_cast<int>(i)};
      Allocation a = proposal;
      a.gpus.front().milli = instance_milli(m, p);
      return a;
    }
    return std::nullopt;
  }

  void unbind(JobIndex j) override {
    auto it = bound_.find(j);
    if (it == bound_.end()) return;
    instances_[it->second.first][it->second.second] = kFree;
    bound_.erase(it);
  }

  void adjust(JobIndex j, const JobSpec&, ActivityPlan& plan, const Cluster& cluster,
              const std::vector<int>&) const override {
    auto it = bound_.find(j);
    if (it == bound_.end()) return;
    GpuIndex g = it->second.first;
    const ModelLayout& ml = models_[cluster.gpus[g].model_index];
    const MigProfile& profile = ml.mig->profiles[ml.layout[it->second.second]];
    for (auto& e : plan.execs)
      if (e.on_gpu && e.index == g)
        e.bound_flops = cluster.gpus[g].speed_flops * profile.compute_slices / ml.mig->compute_slices;
  }

  bool isolated(const ActivityPlan& plan) const override {
    return std::all_of(plan.execs.begin(), plan.execs.end(), [](const ExecStep& e) { return e.on_gpu || e.bound_flops == 0; });
  }

 private:
  struct ModelLayout {
    const MigModel* mig = nullptr;
    std::vector<int> layout;  // profile index per instance
  };
  // Smallest profile of the model's layout that covers the job, or -1.
  int profile_for(const JobSpec& job, int m) const {
    const ModelLayout& ml = models_[m];
    int best = -1;
    for (int p : ml.layout) {
      const MigProfile& pr = ml.mig->profiles[p];
      if (static_cast<double>(pr.compute_slices) / ml.mig->compute_slices + 1e-9 < job.gpu_milli / 1000.0) continue;
      if (pr.memory_gib + 1e-9 < job.gpu_mem_gib) continue;
      if (best < 0) { best = p; continue; }
      const MigProfile& b = ml.mig->profiles[best];
      if (std::pair{pr.compute_slices, pr.memory_gib} < std::pair{b.compute_slices, b.memory_gib}) best = p;
    }
    return best;
  }
  int instance_milli(int m, int p) const {
    const ModelLayout& ml = models_[m];
    return kWholeGpuMilli * ml.mig->profiles[p].compute_slices / ml.mig->compute_slices;
  }

  std::vector<ModelLayout> models_;                     // per Cluster model index
  std::vector<std::vector<std::int64_t>> instances_;    // per GPU: job on each instance, or kFree
  std::unordered_map<JobIndex, std::pair<GpuIndex, int>> bound_;
};

}  // namespace

std::unique_ptr<GpuSharing> make_mig_sharing(PolicyArgs& args) {
  std::map<std::string, std::vector<std::string>> layouts;
  const nlohmann::json* given = args.options.raw("layouts");
  const char* expected = "expected an object of GPU model -> array of MIG profiles, e.g. {\"A100-80GB\": [\"3g.40gb\", \"4g.40gb\"]}";
  if (!given) {
    args.options.problem("layouts", fmt::format("missing; gpu_sharing \"mig\" needs static layouts: {}", expected));
  } else if (!given->is_object()) {
    args.options.problem("layouts", fmt::format("found {}, {}", given->dump(), expected));
  } else {
    for (const auto& [model, list] : given->items()) {
      const MigModel* mig = find_mig_model(model);
      if (!mig) {
        args.options.problem("layouts", fmt::format("\"{}\" has no MIG support here (MIG models: A100-40GB, A100-80GB, "
                                                    "H100-80GB, A30-24GB)", model));
        continue;
      }
      if (!list.is_array() || !std::all_of(list.begin(), list.end(), [](const auto& x) { return x.is_string(); })) {
        args.options.problem("layouts", fmt::format("layout of {}: found {}, expected an array of profile names", model, list.dump()));
        continue;
      }
      auto names = list.get<std::vector<std::string>>();
      if (std::string why = check_mig_layout(*mig, names); !why.empty()) {
        args.options.problem("layouts", fmt::format("layout of {}: {}", model, why));
        continue;
      }
      layouts[model] = std::move(names);
    }
  }
  return std::make_unique<Mig>(args.cluster, std::move(layouts));
}

}  // namespace aidcsim
