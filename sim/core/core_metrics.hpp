#pragma once
// The core's metrics for scrapes (sim/core/metric_table.cpp): jobs pending and running, GPUs allocated
// and total per GPU model, GPUs allocated per tenant. Reads the core's state at the scrape.
#include "sim/core/core.hpp"
#include "sim/policy/metrics.hpp"

namespace aidcsim {

class CoreMetrics final : public MetricSource {
 public:
  explicit CoreMetrics(const Core& core) : core_(core) {}
  void collect(double, const MetricSink& sink) override {
    sink("aidcsim_jobs_pending", {}, static_cast<double>(core_.queued_count()));
    sink("aidcsim_jobs_running", {}, static_cast<double>(core_.running_count()));
    const Cluster& cluster = core_.cluster();
    for (std::size_t m = 0; m < cluster.gpu_models.size(); ++m) {
      const MetricLabels labels = {{"gpu_model", cluster.gpu_models[m]}};
      sink("aidcsim_gpus_allocated", labels, core_.ledger().allocated_gpus_of_model(static_cast<int>(m)));
      sink("aidcsim_gpus_total", labels, static_cast<double>(gpus_of_model(static_cast<int>(m))));
    }
    for (std::size_t t = 0; t < core_.tenants().size(); ++t)
      sink("aidcsim_tenant_gpus_allocated", {{"tenant", core_.tenants()[t]}}, core_.tenant_allocated_gpus()[t]);
  }

 private:
  std::size_t gpus_of_model(int m) {
    if (totals_.empty()) {
      totals_.assign(core_.cluster().gpu_models.size(), 0);
      for (const auto& g : core_.cluster().gpus) ++totals_[static_cast<std::size_t>(g.model_index)];
    }
    return totals_[static_cast<std::size_t>(m)];
  }
  const Core& core_;
  std::vector<std::size_t> totals_;
};

}  // namespace aidcsim
