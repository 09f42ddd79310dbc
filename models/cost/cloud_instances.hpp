#pragma once
// Public on-demand prices of cloud GPU instances (docs/cost.md): each row with its hardware (GPUs,
// vCPUs, memory, NIC bandwidth), its hourly price, the region and date of the price, and where the
// figure was found. The cost concern prices servers by these rows (`cost.preset`, a server's
// `instance_type` prop), and `aidcsim platform cloud` writes servers of these types. Pure data: no
// dependency, so the platform generators may use it too.
#include <string>
#include <vector>

namespace aidcsim {

struct CloudInstanceType {
  std::string name;        // the provider's instance / VM size name, e.g. "p5.48xlarge"
  std::string provider;    // "AWS", "Azure"
  std::string gpu_model;   // aidcsim's GPU model name (models/platform/gpu_models.cpp)
  int gpus = 0;
  int vcpus = 0;
  double memory_gib = 0;
  double nic_gbps = 0;     // network bandwidth, Gbit/s; 0 = not recorded (no source found)
  double usd_per_hour = 0; // on-demand, Linux
  std::string region;      // where the price applies
  std::string price_date;  // when the source read the price (YYYY-MM-DD)
  std::string source;      // URL of the figure
};

struct CloudPricePreset {
  std::string name;         // the cost.preset value
  std::string description;  // one line, for `aidcsim list`
  std::vector<CloudInstanceType> instances;
};

// Every preset, in a fixed order.
const std::vector<CloudPricePreset>& cloud_price_presets();
// The preset named `name`, or null.
const CloudPricePreset* find_cloud_price_preset(const std::string& name);
// The row named `name` of `preset`, or null.
const CloudInstanceType* find_cloud_instance(const CloudPricePreset& preset, const std::string& name);
// The row named `name` in any preset (the first), or null: what `aidcsim platform cloud` writes.
const CloudInstanceType* find_cloud_instance(const std::string& name);

}  // namespace aidcsim
