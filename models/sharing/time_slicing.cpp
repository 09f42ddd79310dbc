// `time-slicing` (the Kubernetes device plugin's time-sliced replicas): single-GPU jobs share a GPU
// with no cap beyond their own demand (a fractional job is capped at speed x gpu_milli / 1000, a
// whole-GPU job not at all); SimGrid's fair sharing splits the GPU among them. Admission by GPU
// memory only: a job with gpu_mem_gib = m takes ceil(1000 x m / M) milli of the ledger, where M is
// the smallest memory among the GPU models it may use that can hold it (so the memory of the jobs
// on a GPU adds up to at most its gpu_memory); a job without gpu_mem_gib takes 1 milli (at most 1000
// jobs per GPU). With `replicas` = N (the device plugin's timeSlicing replicas: each GPU advertised as
// N shares), a job takes at least floor(1000 / N) milli, so at most N jobs share a GPU. Each job's work is multiplied by 1 + context_switch_overhead x (co-runners at its
// start). Jobs of several GPUs take whole GPUs.
#include <cmath>
#include <fmt/format.h>

#include "models/sharing/sharing.hpp"
#include "sim/config/options.hpp"
#include "sim/core/units.hpp"

namespace aidcsim {
namespace {
class TimeSlicing final : public GpuSharing {
 public:
  TimeSlicing(const Cluster& cluster, double overhead, int replicas)
      : overhead_(overhead), replica_milli_(replicas > 0 ? kWholeGpuMilli / replicas : 1) {
    model_memory_gib_.assign(cluster.gpu_models.size(), 0);
    std::vector<char> seen(cluster.gpu_models.size(), 0);
    for (const auto& g : cluster.gpus) {
      double& m = model_memory_gib_[g.model_index];
      if (!seen[g.model_index] || g.memory_gib < m) m = g.memory_gib;
      seen[g.model_index] = 1;
    }
  }
  int admission_milli(const JobSpec& job, std::vector<char>& allowed, const Cluster& cluster,
                      std::string& reason) const override {
    if (job.gpus != 1) return kWholeGpuMilli;
    int by_memory = memory_milli(job, allowed, cluster, reason);
    return by_memory == 0 ? 0 : std::max(by_memory, replica_milli_);
  }
  int memory_milli(const JobSpec& job, std::vector<char>& allowed, const Cluster& cluster, std::string& reason) const {
    if (job.gpu_mem_gib <= 0) return 1;
    double memory = 0;  // smallest memory of an allowed model that holds the job; 0 = undeclared
    bool found = false;
    double largest = 0;
    for (std::size_t m = 0; m < model_memory_gib_.size(); ++m) {
      if (!allowed.empty() && !allowed[m]) continue;
      double mem = model_memory_gib_[m];
      largest = std::max(largest, mem);
      if (mem > 0 && mem + 1e-9 < job.gpu_mem_gib) continue;
      if (!found || (mem > 0 && (memory == 0 || mem < memory))) memory = mem;
      found = true;
    }
    if (!found) {
      reason = fmt::format("needs {} GiB of GPU memory but the GPUs it may use have at most {} GiB",
                           format_number(job.gpu_mem_gib), format_number(largest));
      (void)cluster;
      return 0;
    }
    // GPU models too small for the job are not eligible.
    std::vector<char> holds(model_memory_gib_.size(), 0);
    for (std::size_t m = 0; m < holds.size(); ++m)
      holds[m] = (allowed.empty() || allowed[m]) &&
                 (model_memory_gib_[m] <= 0 || model_memory_gib_[m] + 1e-9 >= job.gpu_mem_gib);
    allowed = std::move(holds);
    if (memory <= 0) return 1;
    return std::clamp(static_cast<int>(std::ceil(kWholeGpuMilli * job.gpu_mem_gib / memory - 1e-9)), 1, kWholeGpuMilli);
  }
  void adjust(JobIndex, const JobSpec& job, ActivityPlan& plan, const Cluster&,
              const std::vector<int>& co_runners) const override {
    if (job.gpus == 1) sharing_detail::slow_down_by_co_runners(plan, overhead_, co_runners);
  }
  bool isolated(const ActivityPlan&) const override { return false; }

 private:
  std::vector<double> model_memory_gib_;
  double overhead_;
  int replica_milli_;  // the least a job takes: 1, or floor(1000 / replicas)
};
}  // namespace

std::unique_ptr<GpuSharing> make_time_slicing_sharing(PolicyArgs& args) {
  double overhead = args.options.number("context_switch_overhead", 0, 0, 1000);
  int replicas = static_cast<int>(args.options.integer("replicas", 0, 0, kWholeGpuMilli));
  return std::make_unique<TimeSlicing>(args.cluster, overhead, replicas);
}

}  // namespace aidcsim
