// Best-fit: the server left with the least free resources, as the FGD paper's "Best-fit" baseline
// (kubernetes-scheduler-simulator, plugin/best_fit_score.go):
//
//   leftover(s) = 0.5 * (free_cpu(s) - cpu) / max_cpu + 0.5 * (free_gpu(s) - gpus * gpu_milli) / max_gpu
//   score(s)    = int(100 * (1 - leftover(s)))           highest score = least leftover
//
// free_cpu in milli-cores; free_gpu = the free milli of all the server's GPUs added up; max_cpu and
// max_gpu = the largest server of the platform (128 cores and 8 GPUs on OpenB, the plugin's
// constants). The score is truncated to an integer like the plugin's; equal scores go to the server
// first in a seeded random server order (option "tie_break", see scoring.hpp). On the chosen server a
// shared-GPU job takes the tightest GPU that holds its share (Open-Gpu-Share "best"), other jobs the
// first wholly free GPUs. Options: tie_break.
#include "models/placement/placements.hpp"
#include "models/placement/scoring.hpp"
#include "sim/config/options.hpp"

namespace aidcsim {
namespace {
constexpr std::string_view kStream = "placement/best-fit";  // this policy's random stream (run.json names it)

class BestFit final : public PlacementPolicy {
 public:
  BestFit(std::uint64_t seed, placement::TieBreak tie, placement::MaxSpec spec)
      : seed_(placement::stream_seed(seed, kStream)), tie_(tie, seed), spec_(spec) {}

  std::optional<Allocation> place(const Request& r, const ClusterView& view) override {
    const double cpu = static_cast<double>(placement::request_cpu_milli(r));
    const double gpu = static_cast<double>(placement::request_gpu_milli(r));
    return placement::place_by_score(view, r, seed_, tie_, placement::GpuChoice::best,
                                     [&](ServerIndex, const placement::NodeRes& n) {
                                       double leftover = 0.5 * (n.cpu_left_milli - cpu) / spec_.cpu_milli +
                                                         0.5 * (n.gpu_left_total() - gpu) / spec_.gpu_milli;
                                       return static_cast<long long>((1.0 - leftover) * 100.0);
                                     });
  }

 private:
  std::uint64_t seed_;
  placement::TieBreaker tie_;
  placement::MaxSpec spec_;
};
}  // namespace

std::unique_ptr<PlacementPolicy> make_best_fit(PolicyArgs& args) {
  auto tie = placement::read_tie_break(args.options);
  placement::record_streams(args, kStream, tie);
  return std::make_unique<BestFit>(args.seed, tie, placement::max_spec(args.cluster));
}

}  // namespace aidcsim
