// Spread (worst-fit): the server left with the most free resources, as the simulator's WorstFit
// plugin (kubernetes-scheduler-simulator, plugin/worst_fit_score.go):
//
//   score(s) = (free_cpu(s) - cpu) + 100 * (free_gpu(s) - gpus * gpu_milli)     (milli units)
//
// so free GPU share dominates and free CPU breaks near-ties. Equal scores go to the server first in a
// seeded random server order (option "tie_break", see scoring.hpp). On the chosen server a shared-GPU
// job takes the GPU with the most free share (Open-Gpu-Share "worst"), other jobs the first wholly free
// GPUs. Options: tie_break.
#include "models/placement/placements.hpp"
#include "models/placement/scoring.hpp"

namespace aidcsim {
namespace {
constexpr std::string_view kStream = "placement/spread";  // this policy's random stream (run.json names it)

class Spread final : public PlacementPolicy {
 public:
  Spread(std::uint64_t seed, placement::TieBreak tie) : seed_(placement::stream_seed(seed, kStream)), tie_(tie, seed) {}

  std::optional<Allocation> place(const Request& r, const ClusterView& view) override {
    const long long cpu = placement::request_cpu_milli(r);
    const long long gpu = placement::request_gpu_milli(r);
    return placement::place_by_score(view, r, seed_, tie_, placement::GpuChoice::worst,
                                     [&](ServerIndex, const placement::NodeRes& n) {
                                       return (n.cpu_left_milli - cpu) + 100 * (n.gpu_left_total() - gpu);
                                     });
  }

 private:
  std::uint64_t seed_;
  placement::TieBreaker tie_;
};
}  // namespace

std::unique_ptr<PlacementPolicy> make_spread(PolicyArgs& args) {
  auto tie = placement::read_tie_break(args.options);
  placement::record_streams(args, kStream, tie);
  return std::make_unique<Spread>(args.seed, tie);
}

}  // namespace aidcsim
