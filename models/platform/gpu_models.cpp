#include "models/platform/gpu_models.hpp"

#include <array>

namespace aidcsim {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr double kTflops = 1e12;
// PCIe x16 payload rate per direction (datasheets quote the bidirectional sum: 32/64/128 GB/s).
constexpr double kPcieGen3_Bps = 16e9;
constexpr double kPcieGen4_Bps = 32e9;
constexpr double kPcieGen5_Bps = 64e9;

// Idle figures: typical steady idle draw (P0/P8, no context) reported by nvidia-smi in public
// measurements; NVIDIA does not publish idle power. They are approximate (+-30%) and only set the
// floor of the energy model. speed_flops: dense FP16 tensor-core peak, i.e. the datasheet figure
// without the 2x "with sparsity" factor. Memory: nominal capacity in GiB.
const std::array<GpuModelInfo, 14> kTable{{
    {"A100-40GB", 312 * kTflops, 40 * kGiB, 50, 400, true,
     "NVIDIA A100 datasheet (SXM4 40GB): 312 TFLOPS FP16 tensor dense, 400 W TDP, NVLink3 600 GB/s "
     "bidirectional, PCIe Gen4; idle ~50 W measured",
     300e9, kPcieGen4_Bps},
    {"A100-80GB", 312 * kTflops, 80 * kGiB, 55, 400, true,
     "NVIDIA A100 datasheet (SXM4 80GB): 312 TFLOPS FP16 tensor dense, 400 W TDP, NVLink3 600 GB/s "
     "bidirectional, PCIe Gen4; idle ~55 W measured",
     300e9, kPcieGen4_Bps},
    {"H100-80GB", 989.4 * kTflops, 80 * kGiB, 70, 700, true,
     "NVIDIA H100 datasheet/whitepaper (SXM5): 989.4 TFLOPS FP16 tensor dense (1979 sparse), 700 W "
     "TDP, NVLink4 900 GB/s bidirectional, PCIe Gen5; idle ~70 W measured",
     450e9, kPcieGen5_Bps},
    {"A30-24GB", 165 * kTflops, 24 * kGiB, 30, 165, true,
     "NVIDIA A30 datasheet: 165 TFLOPS FP16 tensor dense, 165 W TDP, PCIe Gen4; its NVLink bridge "
     "only pairs two GPUs, so intra-server traffic is modelled over PCIe; idle ~30 W measured",
     0, kPcieGen4_Bps},
    {"V100M16", 125 * kTflops, 16 * kGiB, 40, 300, false,
     "Alibaba trace code for V100 16GB; assumed SXM2 (datasheet: 125 TFLOPS tensor, 300 W TDP, "
     "NVLink2 300 GB/s bidirectional, PCIe Gen3); idle ~40 W measured",
     150e9, kPcieGen3_Bps},
    {"V100M32", 125 * kTflops, 32 * kGiB, 40, 300, false,
     "Alibaba trace code for V100 32GB; assumed SXM2 (datasheet: 125 TFLOPS tensor, 300 W TDP, "
     "NVLink2 300 GB/s bidirectional, PCIe Gen3); idle ~40 W measured",
     150e9, kPcieGen3_Bps},
    // Pascal has no tensor cores: the FP16 figure is the plain half-precision (2x FP32) peak.
    {"P100", 18.7 * kTflops, 16 * kGiB, 25, 250, false,
     "Assumed P100 PCIe 16GB (cloud instances): datasheet 18.7 TFLOPS FP16 (no tensor cores), 250 W "
     "TDP, PCIe Gen3, no NVLink; idle ~25 W measured",
     0, kPcieGen3_Bps},
    // Microsoft Philly (ATC'19) publishes only per-GPU memory: 2-GPU machines with 12 GB GPUs and 8-GPU
    // machines with 24 GB GPUs (philly-traces cluster_machine_list). The models are assumptions.
    {"P100-12GB", 18.7 * kTflops, 12 * kGiB, 25, 250, false,
     "ASSUMPTION (Philly 2-GPU machines, 12 GB per GPU, model undisclosed): Tesla P100 PCIe 12GB; "
     "datasheet 18.7 TFLOPS FP16 (no tensor cores), 250 W TDP, PCIe Gen3, no NVLink; idle ~25 W measured",
     0, kPcieGen3_Bps},
    // The P40 runs FP16 at 1/64 of its FP32 rate, so training on it ran in FP32: speed is the FP32 peak.
    {"P40", 11.76 * kTflops, 24 * kGiB, 30, 250, false,
     "ASSUMPTION (Philly 8-GPU machines, 24 GB per GPU, model undisclosed): Tesla P40 24GB; datasheet "
     "11.76 TFLOPS FP32 (FP16 runs at 1/64 rate, so FP32 is the training roof), 250 W TDP, PCIe Gen3, no "
     "NVLink; idle ~30 W (approximate)",
     0, kPcieGen3_Bps},
    {"T4", 65 * kTflops, 16 * kGiB, 10, 70, false,
     "NVIDIA T4 datasheet: 65 TFLOPS FP16 tensor (mixed precision), 70 W TDP, PCIe Gen3; idle ~10 W "
     "measured",
     0, kPcieGen3_Bps},
    {"A10", 125 * kTflops, 24 * kGiB, 20, 150, false,
     "NVIDIA A10 datasheet: 125 TFLOPS FP16 tensor dense (250 sparse), 150 W TDP, PCIe Gen4; idle "
     "~20 W measured",
     0, kPcieGen4_Bps},
    {"L4", 121 * kTflops, 24 * kGiB, 16, 72, false,
     "NVIDIA L4 datasheet: 121 TFLOPS FP16 tensor dense (242 sparse), 72 W TDP, PCIe Gen4; idle ~16 W "
     "measured",
     0, kPcieGen4_Bps},
    // Alibaba's cluster-trace-gpu-v2023 names some models only by internal codes. We assume the
    // codes denote A100-generation cards; MIG is reported off because the trace shares GPUs by
    // fractional allocation, not MIG partitions.
    {"G2", 312 * kTflops, 40 * kGiB, 50, 400, false,
     "ASSUMPTION: Alibaba internal code G2 is undisclosed; modelled as A100-40GB-class (312 TFLOPS "
     "FP16 tensor dense, 40 GiB, 400 W TDP, NVLink3, PCIe Gen4), MIG off",
     300e9, kPcieGen4_Bps},
    {"G3", 312 * kTflops, 80 * kGiB, 55, 400, false,
     "ASSUMPTION: Alibaba internal code G3 is undisclosed; modelled as A100-80GB-class (312 TFLOPS "
     "FP16 tensor dense, 80 GiB, 400 W TDP, NVLink3, PCIe Gen4), MIG off",
     300e9, kPcieGen4_Bps},
}};

} // namespace

const GpuModelInfo* find_gpu_model(std::string_view name)
{
  for (const auto& info : kTable)
    if (info.name == name)
      return &info;
  return nullptr;
}

std::vector<std::string> gpu_model_names()
{
  std::vector<std::string> names;
  names.reserve(kTable.size());
  for (const auto& info : kTable)
    names.push_back(info.name);
  return names;
}

} // namespace aidcsim
