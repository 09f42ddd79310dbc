#pragma once
// summary.json `cost` (docs/cost.md): what the servers cost while they were provisioned, and who
// used what. A server costs its price per hour (sim/policy/cost.hpp) from the first submission to
// the end of the run, except while it is away (not provisioned, failed: Core::set_server_available).
// A tenant is charged for the GPU share its runs held, at the price of a GPU-second of each server
// (the server's price over its GPUs; on a server without GPUs, over its cores for the CPUs held);
// what no tenant used is `idle`.
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/cluster.hpp"
#include "sim/core/core.hpp"
#include "sim/core/lifecycle.hpp"
#include "sim/metrics/run_metric.hpp"
#include "sim/policy/cost.hpp"

namespace aidcsim {

class CostMetric final : public RunMetric, public LifecycleObserver {
 public:
  CostMetric(const Cluster& cluster, ServerPrices prices);
  // The core whose runs are charged to tenants (their tenant and allocation); before the run starts.
  void attach(const Core& core) {
    core_ = &core;
    segments_.assign(core.jobs().size(), Segment{});
  }

  void work_planned(JobIndex j, const ActivityPlan&, double, double now) override;
  void run_ended(JobIndex j, RunEnd, double now) override;
  void server_availability_changed(ServerIndex s, bool available, double now) override;
  void summarize(nlohmann::json& summary, const RunWindow& window) override;

  // Totals from window.first_submit_s to window.end_s (the run's end), in the currency.
  struct Totals {
    double total = 0;
    double server_hours = 0;
    std::map<std::string, double> by_group, by_gpu_model, by_tenant;
    double idle = 0;
  };
  Totals totals(const RunWindow& window) const;

 private:
  struct Segment {
    double start_s = 0;
    double rate_per_s = 0;  // currency per second for what the run holds
    TenantIndex tenant = 0;
    bool open = false;
  };
  double rate_per_s(const Allocation& a) const;
  void close_segment(JobIndex j, double now);

  const Cluster& cluster_;
  ServerPrices prices_;
  const Core* core_ = nullptr;
  std::vector<Segment> segments_;                                   // by job
  std::vector<double> tenant_cost_;                                 // closed segments, by tenant
  std::vector<std::vector<std::pair<double, double>>> away_;        // by server: [from, to) intervals
  std::vector<double> away_since_;                                  // by server; NaN when there
};

}  // namespace aidcsim
