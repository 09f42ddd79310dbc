#include "models/cost/cloud_instances.hpp"

namespace aidcsim {

namespace {
// docs/cost.md gives, per row, how each figure was found. Only figures found in a public source are
// recorded; a NIC bandwidth no source gave is 0. Azure's sources give a price per GPU-hour: the
// instance price is 8 x that.
const char* const kDataReceipts = "https://raw.githubusercontent.com/datareceipts/data-receipts/main/109-gpu-pricing/hyperscalers.json";
const char* const kDataReceiptsAzure = "https://raw.githubusercontent.com/datareceipts/data-receipts/main/109-gpu-pricing/compare.json";
const char* const kDataReceiptsReadme = "https://raw.githubusercontent.com/datareceipts/data-receipts/main/109-gpu-pricing/README.md";

std::vector<CloudPricePreset> make_presets() {
  CloudPricePreset on_demand;
  on_demand.name = "cloud-on-demand-2026";
  on_demand.description = "public on-demand prices of 8-GPU AWS and Azure instances (A100, H100), read 2026-11-09";
  on_demand.instances = {
      {"p4d.24xlarge", "AWS", "A100-40GB", 8, 96, 1152, 400, 21.957642, "us-east-1", "2026-11-09", kDataReceipts},
      {"p4de.24xlarge", "AWS", "A100-80GB", 8, 96, 1152, 0, 27.44705, "us-east-1", "2026-11-09", kDataReceipts},
      {"p5.48xlarge", "AWS", "H100-80GB", 8, 192, 2048, 3200, 55.04, "us-east-1", "2026-11-09", kDataReceipts},
      {"Standard_ND96asr_v4", "Azure", "A100-40GB", 8, 96, 900, 0, 8 * 3.3996, "eastus", "2026-11-09",
       kDataReceiptsAzure},
      {"Standard_ND96isr_H100_v5", "Azure", "H100-80GB", 8, 96, 1900, 3200, 8 * 12.29, "eastus", "2026-11-09",
       kDataReceiptsReadme},
  };
  return {on_demand};
}
}  // namespace

const std::vector<CloudPricePreset>& cloud_price_presets() {
  static const std::vector<CloudPricePreset> presets = make_presets();  // immutable after construction
  return presets;
}

const CloudPricePreset* find_cloud_price_preset(const std::string& name) {
  for (const auto& p : cloud_price_presets())
    if (p.name == name) return &p;
  return nullptr;
}

const CloudInstanceType* find_cloud_instance(const CloudPricePreset& preset, const std::string& name) {
  for (const auto& i : preset.instances)
    if (i.name == name) return &i;
  return nullptr;
}

const CloudInstanceType* find_cloud_instance(const std::string& name) {
  for (const auto& p : cloud_price_presets())
    if (const CloudInstanceType* i = find_cloud_instance(p, name)) return i;
  return nullptr;
}

}  // namespace aidcsim
