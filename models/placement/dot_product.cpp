// Dot-product: the FGD paper's "DotProd" baseline, Tetris's alignment heuristic as the published
// simulator runs it (kubernetes-scheduler-simulator, plugin/dot_product_score.go with dimExtMethod
// "merge" and normMethod "max", the paper's configuration). Both vectors are normalised by the
// largest server of the platform (128 cores and 8 GPUs on OpenB):
//   free(s) = (free_cpu(s) / max_cpu, free GPU milli of s / max_gpu)
//   req     = (cpu / max_cpu,         gpus * gpu_milli / max_gpu)
//   score   = int(100 * (1 - free(s) . req / 2))      highest score = smallest dot product
// so a job goes where the free resources it would use are scarcest. Equal scores go to the server
// first in a seeded random server order (option "tie_break", see scoring.hpp). On the chosen server a
// shared-GPU job takes the tightest GPU that holds its share ("best", as in the paper's runs), other
// jobs the first wholly free GPUs. Options: tie_break.
#include "models/placement/placements.hpp"
#include "models/placement/scoring.hpp"

namespace aidcsim {
namespace {
constexpr std::string_view kStream = "placement/dotprod";  // this policy's random stream (run.json names it)

class DotProduct final : public PlacementPolicy {
 public:
  DotProduct(std::uint64_t seed, placement::TieBreak tie, placement::MaxSpec spec)
      : seed_(placement::stream_seed(seed, kStream)), tie_(tie, seed), spec_(spec) {}

  std::optional<Allocation> place(const Request& r, const ClusterView& view) override {
    const double cpu = placement::request_cpu_milli(r) / spec_.cpu_milli;
    const double gpu = placement::request_gpu_milli(r) / spec_.gpu_milli;
    return placement::place_by_score(view, r, seed_, tie_, placement::GpuChoice::best,
                                     [&](ServerIndex, const placement::NodeRes& n) {
                                       double dot = (n.cpu_left_milli / spec_.cpu_milli) * cpu +
                                                    (n.gpu_left_total() / spec_.gpu_milli) * gpu;
                                       return static_cast<long long>(100.0 * (1.0 - dot / 2.0));
                                     });
  }

 private:
  std::uint64_t seed_;
  placement::TieBreaker tie_;
  placement::MaxSpec spec_;
};
}  // namespace

std::unique_ptr<PlacementPolicy> make_dot_product(PolicyArgs& args) {
  auto tie = placement::read_tie_break(args.options);
  placement::record_streams(args, kStream, tie);
  return std::make_unique<DotProduct>(args.seed, tie,
                                      placement::max_spec(args.cluster));
}

}  // namespace aidcsim
