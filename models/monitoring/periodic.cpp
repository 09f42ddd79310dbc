// The periodic monitor: every interval, the platform's allocation, jobs and per-tenant GPUs.
#include "models/monitoring/monitors.hpp"

namespace aidcsim {
namespace {
class Periodic final : public Monitor {
 public:
  void sample(const MonitorView& v, std::vector<Sample>& out) override {
    double total = static_cast<double>(v.cluster.gpus.size());
    out.push_back({"gpu_allocation", "", total > 0 ? v.ledger.allocated_gpus() / total : 0});
    out.push_back({"gpus_allocated", "", v.ledger.allocated_gpus()});
    out.push_back({"running_jobs", "", static_cast<double>(v.running_jobs)});
    out.push_back({"queue_length", "", static_cast<double>(v.queued_jobs)});
    for (std::size_t t = 0; t < v.tenants.size(); ++t)
      out.push_back({"tenant_gpus_allocated", v.tenants[t], v.tenant_allocated_gpus[t]});
  }
};
}  // namespace

std::unique_ptr<Monitor> make_periodic_monitor(PolicyArgs&) { return std::make_unique<Periodic>(); }

}  // namespace aidcsim
