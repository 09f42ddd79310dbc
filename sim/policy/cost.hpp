#pragma once
// The price of every server (the scenario's `cost` section; docs/cost.md): what one hour of it costs
// while it is provisioned, and the names summary.json `cost` adds it up by. Made by models/cost/
// from the section and the platform; the run's CostMetric (sim/metrics/cost.hpp) does the accounting.
#include <string>
#include <vector>

namespace aidcsim {

struct ServerPrices {
  std::string currency = "USD";
  std::vector<double> per_hour;        // by ServerIndex, in `currency` per server-hour
  std::vector<std::string> group;      // by ServerIndex: its cost group (summary.json cost.by_group)
  std::vector<std::string> gpu_model;  // by ServerIndex: its GPU model, "cpu" without GPUs (cost.by_gpu_model)
};

}  // namespace aidcsim
