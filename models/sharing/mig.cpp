// `mig` (NVIDIA Multi-Instance GPU). Each MIG-capable GPU model (mig_profiles.cpp) gets a layout in
// virtualization.layouts:
// - static (a list of profiles): every GPU of the model is partitioned into those instances
//   (checked against NVIDIA's valid placements) for the whole run;
// - dynamic ("dynamic"): every GPU of the model starts unpartitioned; when a job's profile has no
//   idle instance on the GPU the placement proposes, an instance is created at a valid position
//   whose overlapping instances are all idle (those are destroyed; mig_dynamic_start picks the
//   position), and the job waits reconfigure_s (bind_delay_s) before its work while it holds the
//   new instance. Instances outlive their jobs and are reused without reconfiguration.
// A fractional job (gpus = 1, gpu_milli < 1000) maps, on each GPU model, to the smallest profile
// (of the static layout, or of all the model's profiles when dynamic) whose compute share k/S
// (S = 7, or 4 on A30) covers gpu_milli / 1000 and whose memory covers gpu_mem_gib; it takes an
// instance of exactly that profile (the device plugin's "mixed" strategy). An instance is isolated:
// the job runs at k/S x the GPU's speed, on an exact timer: run time = duration_s x (gpu_milli /
// 1000) / (k / S). In the ledger the instance holds floor(1000 k / S) milli.
// Whole-GPU and multi-GPU jobs take whole GPUs at full speed (every instance idle; a dynamic GPU's
// idle instances are destroyed first, costing reconfigure_s). GPUs left unpartitioned (no MIG, or
// no static layout for their model) behave as in `exclusive`: whole-GPU jobs, and fractional jobs
// that no MIG GPU they may use can hold, which then take the whole GPU (1000 milli, run time =
// duration_s).
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "models/sharing/sharing.hpp"
#include "sim/config/options.hpp"

namespace aidcsim {
namespace {

// How the GPUs of one model are partitioned.
struct ModelSetup {
  const MigModel* mig = nullptr;  // nullptr: left unpartitioned (no MIG, or no layout given for it)
  bool dynamic = false;
  std::vector<int> layout;  // static: profile index per instance
};

class Mig final : public GpuSharing {
 public:
  Mig(const Cluster& cluster, std::vector<ModelSetup> models, double reconfigure_s)
      : models_(std::move(models)), reconfigure_s_(reconfigure_s) {
    instances_.resize(cluster.gpus.size());
    for (std::size_t g = 0; g < cluster.gpus.size(); ++g) {
      const ModelSetup& ms = models_[cluster.gpus[g].model_index];
      if (!ms.mig || ms.dynamic) continue;
      // Layouts were checked by the factory, so they can be placed.
      std::vector<int> starts = place_mig_instances(*ms.mig, ms.layout).value_or(std::vector<int>{});
      for (std::size_t i = 0; i < starts.size(); ++i) instances_[g].push_back({ms.layout[i], starts[i], kNoMigJob});
    }
  }

  int admission_milli(const JobSpec& job, std::vector<char>& allowed, const Cluster& cluster,
                      std::string& reason) const override {
    if (!sharing_detail::fractional(job)) return kWholeGpuMilli;
    std::vector<char> partitioned(models_.size(), 0), whole(models_.size(), 0);
    int milli = kWholeGpuMilli;
    bool any_partitioned = false, any_whole = false;
    for (std::size_t m = 0; m < models_.size(); ++m) {
      if (!allowed.empty() && !allowed[m]) continue;
      if (!models_[m].mig) {
        whole[m] = 1;
        any_whole = true;
        continue;
      }
      int p = profile_for(job, static_cast<int>(m));
      if (p < 0) continue;
      partitioned[m] = 1;
      any_partitioned = true;
      milli = std::min(milli, instance_milli(static_cast<int>(m), p));
    }
    if (any_partitioned) {  // MIG first
      allowed = std::move(partitioned);
      return milli;
    }
    if (any_whole) {  // the `exclusive` fallback: a whole unpartitioned GPU
      allowed = std::move(whole);
      return kWholeGpuMilli;
    }
    reason = fmt::format("no MIG instance covers gpu_milli {} and gpu_mem_gib {} on the GPU models it may use ({}), "
                         "and none of them is left unpartitioned to take it whole",
                         job.gpu_milli, job.gpu_mem_gib, join_names(cluster.gpu_models));
    return 0;
  }

  std::optional<Allocation> bind(JobIndex j, const JobSpec& job, const Allocation& proposal,
                                 const Cluster& cluster) override {
    if (!sharing_detail::fractional(job) || proposal.gpus.size() != 1) return bind_whole(j, proposal, cluster);
    GpuIndex g = proposal.gpus.front().gpu;
    int m = cluster.gpus[g].model_index;
    const ModelSetup& ms = models_[m];
    if (!ms.mig) return proposal;  // the exclusive fallback: admitted at 1000 milli
    int p = profile_for(job, m);
    if (p < 0) return std::nullopt;
    auto& list = instances_[g];
    auto bound = [&](MigInstance& in, double delay_s) {
      in.job = j;
      bound_[j] = {g, in.start, p, delay_s};
      Allocation a = proposal;
      a.gpus.front().milli = instance_milli(m, p);
      return a;
    };
    for (auto& in : list)
      if (in.job == kNoMigJob && in.profile == p) return bound(in, 0);
    if (!ms.dynamic) return std::nullopt;
    int start = mig_dynamic_start(*ms.mig, p, list);
    if (start < 0) return std::nullopt;
    // Re-partition: destroy the idle instances in the way, create the job's instance (kept by start).
    int end = start + ms.mig->profiles[p].memory_slices;
    std::erase_if(list, [&](const MigInstance& in) {
      return in.start < end && start < in.start + ms.mig->profiles[in.profile].memory_slices;
    });
    auto at = std::find_if(list.begin(), list.end(), [&](const MigInstance& in) { return in.start > start; });
    at = list.insert(at, MigInstance{p, start, kNoMigJob});
    return bound(*at, reconfigure_s_);
  }

  void unbind(JobIndex j) override {
    auto it = bound_.find(j);
    if (it == bound_.end()) return;
    const Binding& b = it->second;
    if (b.profile >= 0)
      for (auto& in : instances_[b.gpu])
        if (in.start == b.start && in.job == static_cast<std::int64_t>(j)) in.job = kNoMigJob;
    bound_.erase(it);
  }

  double bind_delay_s(JobIndex j) const override {
    auto it = bound_.find(j);
    return it == bound_.end() ? 0 : it->second.delay_s;
  }

  void adjust(JobIndex j, const JobSpec&, ActivityPlan& plan, const Cluster& cluster,
              const std::vector<int>&) const override {
    auto it = bound_.find(j);
    if (it == bound_.end() || it->second.profile < 0) return;
    GpuIndex g = it->second.gpu;
    const MigModel& mig = *models_[cluster.gpus[g].model_index].mig;
    const MigProfile& profile = mig.profiles[it->second.profile];
    for (auto& e : plan.execs)
      if (e.on_gpu && e.index == g)
        e.bound_flops = cluster.gpus[g].speed_flops * profile.compute_slices / mig.compute_slices;
  }

  bool isolated(const ActivityPlan& plan) const override {
    return std::all_of(plan.execs.begin(), plan.execs.end(),
                       [](const ExecStep& e) { return e.on_gpu || e.bound_flops == 0; });
  }

 private:
  struct Binding {
    GpuIndex gpu = 0;
    int start = 0;     // first memory slice of the job's instance
    int profile = -1;  // -1: a whole-GPU job (bound only to record its reconfiguration)
    double delay_s = 0;
  };

  // Whole-GPU jobs: on a dynamic GPU, idle instances are destroyed first (costing reconfigure_s).
  std::optional<Allocation> bind_whole(JobIndex j, const Allocation& proposal, const Cluster& cluster) {
    bool reconfigure = false;
    for (const auto& a : proposal.gpus) {
      const ModelSetup& ms = models_[cluster.gpus[a.gpu].model_index];
      if (!ms.mig || !ms.dynamic || instances_[a.gpu].empty()) continue;
      // The ledger admits a whole GPU only when no job holds part of it; keep that an invariant here.
      if (std::any_of(instances_[a.gpu].begin(), instances_[a.gpu].end(),
                      [](const MigInstance& in) { return in.job != kNoMigJob; }))
        return std::nullopt;
      reconfigure = true;
    }
    if (!reconfigure) return proposal;
    for (const auto& a : proposal.gpus)
      if (models_[cluster.gpus[a.gpu].model_index].dynamic) instances_[a.gpu].clear();
    bound_[j] = {proposal.gpus.front().gpu, 0, -1, reconfigure_s_};
    return proposal;
  }

  // Smallest profile (fewest compute slices, then least memory) that covers the job, or -1.
  int profile_for(const JobSpec& job, int m) const {
    const ModelSetup& ms = models_[m];
    if (!ms.mig) return -1;
    int best = -1;
    auto consider = [&](int p) {
      const MigProfile& pr = ms.mig->profiles[p];
      if (static_cast<double>(pr.compute_slices) / ms.mig->compute_slices + 1e-9 < job.gpu_milli / 1000.0) return;
      if (pr.memory_gib + 1e-9 < job.gpu_mem_gib) return;
      if (best >= 0) {
        const MigProfile& b = ms.mig->profiles[best];
        if (std::pair{pr.compute_slices, pr.memory_gib} >= std::pair{b.compute_slices, b.memory_gib}) return;
      }
      best = p;
    };
    if (ms.dynamic)
      for (std::size_t p = 0; p < ms.mig->profiles.size(); ++p) consider(static_cast<int>(p));
    else
      for (int p : ms.layout) consider(p);
    return best;
  }
  int instance_milli(int m, int p) const {
    const ModelSetup& ms = models_[m];
    return kWholeGpuMilli * ms.mig->profiles[p].compute_slices / ms.mig->compute_slices;
  }

  std::vector<ModelSetup> models_;               // per Cluster model index
  double reconfigure_s_;
  std::vector<std::vector<MigInstance>> instances_;  // per GPU; dynamic GPUs keep them by start
  std::unordered_map<JobIndex, Binding> bound_;
};

}  // namespace

std::unique_ptr<GpuSharing> make_mig_sharing(PolicyArgs& args) {
  const char* expected =
      "expected \"dynamic\", or an object of GPU model -> array of MIG profiles (a static layout) or \"dynamic\", "
      "e.g. {\"A100-80GB\": [\"3g.40gb\", \"4g.40gb\"], \"A30-24GB\": \"dynamic\"}";
  const char* mig_models = "MIG models: A100-40GB, A100-80GB, H100-80GB, A30-24GB";
  std::map<std::string, std::vector<std::string>> layouts;  // static
  std::vector<std::string> dynamic_models;
  bool all_dynamic = false, any_dynamic = false;
  const nlohmann::json* given = args.options.raw("layouts");
  if (!given) {
    args.options.problem("layouts", fmt::format("missing; gpu_sharing \"mig\" needs layouts: {}", expected));
  } else if (given->is_string()) {
    if (*given == "dynamic") all_dynamic = any_dynamic = true;
    else args.options.problem("layouts", fmt::format("found {}, {}", given->dump(), expected));
  } else if (!given->is_object()) {
    args.options.problem("layouts", fmt::format("found {}, {}", given->dump(), expected));
  } else {
    for (const auto& [model, value] : given->items()) {
      const MigModel* mig = find_mig_model(model);
      if (!mig) {
        args.options.problem("layouts", fmt::format("\"{}\" has no MIG support here ({})", model, mig_models));
        continue;
      }
      if (value.is_string() && value == "dynamic") {
        dynamic_models.push_back(model);
        any_dynamic = true;
        continue;
      }
      if (!value.is_array() || !std::all_of(value.begin(), value.end(), [](const auto& x) { return x.is_string(); })) {
        args.options.problem("layouts", fmt::format("layout of {}: found {}, expected an array of profile names or "
                                                    "\"dynamic\"",
                                                    model, value.dump()));
        continue;
      }
      auto names = value.get<std::vector<std::string>>();
      if (std::string why = check_mig_layout(*mig, names); !why.empty()) {
        args.options.problem("layouts", fmt::format("layout of {}: {}", model, why));
        continue;
      }
      layouts[model] = std::move(names);
    }
  }
  double reconfigure_s = 0;
  if (any_dynamic) reconfigure_s = args.options.number("reconfigure_s", 0, 0, 1e9);
  else if (args.options.raw("reconfigure_s"))
    args.options.problem("reconfigure_s",
                         "applies to dynamic layouts only (\"layouts\": \"dynamic\", or a model's layout \"dynamic\")");

  const Cluster& cluster = args.cluster;
  std::vector<ModelSetup> models(cluster.gpu_models.size());
  for (std::size_t m = 0; m < models.size(); ++m) {
    const std::string& name = cluster.gpu_models[m];
    const MigModel* mig = find_mig_model(name);
    if (!mig) continue;
    if (all_dynamic || std::find(dynamic_models.begin(), dynamic_models.end(), name) != dynamic_models.end()) {
      models[m] = {mig, true, {}};
    } else if (auto it = layouts.find(name); it != layouts.end()) {
      models[m].mig = mig;
      for (const auto& profile : it->second)
        for (std::size_t p = 0; p < mig->profiles.size(); ++p)
          if (mig->profiles[p].name == profile) models[m].layout.push_back(static_cast<int>(p));
    }
  }
  return std::make_unique<Mig>(cluster, std::move(models), reconfigure_s);
}

}  // namespace aidcsim
