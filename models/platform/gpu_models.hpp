#pragma once
// Static table of GPU models known to aidcsim.
//
// Platform XML files name a GPU model with the `gpu_model` host property; this table supplies the
// defaults (FLOP/s, memory, power, interconnect) that the platform generator writes and that loaders
// can fall back on when a property is missing.

#include <string>
#include <string_view>
#include <vector>

namespace aidcsim {

struct GpuModelInfo {
  std::string name;
  // Dense (no structured sparsity) FP16 tensor-core peak from NVIDIA datasheets/whitepapers. Training
  // and inference kernels of AI jobs run in FP16/BF16, so this is the compute roof that matters.
  double speed_flops;
  double memory_bytes;
  double idle_w; // documented idle draw (see `source`)
  double max_w;  // board TDP
  bool mig_capable;
  std::string source; // where the numbers come from, and any assumption made
  // Per-GPU interconnect, bytes/s in EACH direction. 0 NVLink means GPU-to-GPU traffic inside a
  // server crosses PCIe (no NVLink, or only pairwise bridges that a switch model would overstate).
  double nvlink_bw_Bps;
  double pcie_bw_Bps;
};

// nullptr if the name is unknown. Exact, case-sensitive match (names are identifiers in traces).
const GpuModelInfo* find_gpu_model(std::string_view name);

// All known model names, in table order.
std::vector<std::string> gpu_model_names();

} // namespace aidcsim
