// The periodic monitor: every interval, the platform's allocation, jobs and per-tenant GPUs, and the
// GPU fragmentation of the FGD paper (sim/core/fragmentation.hpp) for the run's own workload:
//   gpu_fragmentation  fragmented GPUs / all GPUs (0..1)
//   gpus_fragmented    fragmented GPUs (GPU milli / 1000)
// Option "fragmentation": false turns the two fragmentation metrics off.
#include <memory>

#include "models/monitoring/monitors.hpp"
#include "sim/core/fragmentation.hpp"
#include "sim/config/options.hpp"

namespace aidcsim {
namespace {
class Periodic final : public Monitor {
 public:
  explicit Periodic(std::unique_ptr<FragmentationTracker> fragmentation) : fragmentation_(std::move(fragmentation)) {}

  void sample(const MonitorView& v, std::vector<Sample>& out) override {
    double total = static_cast<double>(v.cluster.gpus.size());
    out.push_back({"gpu_allocation", "", total > 0 ? v.ledger.allocated_gpus() / total : 0});
    out.push_back({"gpus_allocated", "", v.ledger.allocated_gpus()});
    out.push_back({"running_jobs", "", static_cast<double>(v.running_jobs)});
    out.push_back({"queue_length", "", static_cast<double>(v.queued_jobs)});
    for (std::size_t t = 0; t < v.tenants.size(); ++t)
      out.push_back({"tenant_gpus_allocated", v.tenants[t], v.tenant_allocated_gpus[t]});
    if (fragmentation_) {
      double fragmented = fragmentation_->refresh(v.cluster, v.ledger) / 1000.0;
      out.push_back({"gpu_fragmentation", "", total > 0 ? fragmented / total : 0});
      out.push_back({"gpus_fragmented", "", fragmented});
    }
  }

 private:
  std::unique_ptr<FragmentationTracker> fragmentation_;
};
}  // namespace

std::unique_ptr<Monitor> make_periodic_monitor(PolicyArgs& args) {
  std::unique_ptr<FragmentationTracker> fragmentation;
  if (args.options.boolean("fragmentation", true))
    fragmentation = std::make_unique<FragmentationTracker>(make_target_workload(args.jobs, args.cluster));
  return std::make_unique<Periodic>(std::move(fragmentation));
}

}  // namespace aidcsim
