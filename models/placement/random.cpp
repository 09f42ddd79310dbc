// Random: a server chosen uniformly among those that can hold the job; on it, a shared-GPU job takes
// a random GPU that holds its share, other jobs the first wholly free GPUs.
// As the FGD paper's "Random" baseline (kubernetes-scheduler-simulator: RandomScore picks one
// filtered node uniformly at random in PreScore; Open-Gpu-Share with gpuSelMethod "random").
//
// The draws come from the run seed, the request and the free resources (scoring.hpp), so the same
// view always gets the same answer.
#include "models/placement/placements.hpp"
#include "models/placement/scoring.hpp"

namespace aidcsim {
namespace {
constexpr std::string_view kStream = "placement/random";  // this policy's random stream (run.json names it)

class RandomPlacement final : public PlacementPolicy {
 public:
  explicit RandomPlacement(std::uint64_t seed) : seed_(placement::stream_seed(seed, kStream)) {}

  std::optional<Allocation> place(const Request& r, const ClusterView& view) override {
    if (r.gpus > 0 && needs_whole_servers(view.cluster, r)) return placement::place_on_whole_servers(view, r);
    feasible_.clear();
    const auto servers = static_cast<ServerIndex>(view.cluster.servers.size());
    for (ServerIndex s = 0; s < servers; ++s)
      if (placement::fits_single_server(view, r, s)) feasible_.push_back(s);
    if (feasible_.empty()) return std::nullopt;
    std::mt19937_64 rng = placement::decision_rng(seed_, r, view);
    ServerIndex s = feasible_[placement::uniform_below(rng, feasible_.size())];
    return placement::allocation_on(r, s, placement::choose_gpus(view, r, s, placement::GpuChoice::random, rng));
  }

 private:
  std::uint64_t seed_;
  std::vector<ServerIndex> feasible_;  // scratch, reused between calls
};
}  // namespace

std::unique_ptr<PlacementPolicy> make_random_placement(PolicyArgs& args) {
  placement::record_streams(args, kStream, placement::TieBreak::first);  // no tie-break order
  return std::make_unique<RandomPlacement>(args.seed);
}

}  // namespace aidcsim
