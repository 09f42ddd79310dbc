#pragma once
// Monitoring: periodic samples of what the platform looks like. A monitor sees a read-only view and
// writes rows; other policies (autoscalers, alerts) will read the latest samples.
#include <string>
#include <vector>

#include "sim/core/cluster.hpp"
#include "sim/core/ledger.hpp"

namespace aidcsim {

struct MonitorView {
  double now_s;
  const Cluster& cluster;
  const Ledger& ledger;
  std::size_t running_jobs;
  std::size_t queued_jobs;
  const std::vector<std::string>& tenants;
  const std::vector<double>& tenant_allocated_gpus;  // per tenant index
};

struct Sample {
  std::string metric;
  std::string label;  // e.g. the tenant, or "" for platform-wide metrics
  double value;
};

class Monitor {
 public:
  virtual ~Monitor() = default;
  virtual void sample(const MonitorView& view, std::vector<Sample>& out) = 0;
};

}  // namespace aidcsim
