// Packing: GPU packing, the FGD paper's "Packing" baseline (kubernetes-scheduler-simulator,
// plugin/gpu_packing_score.go). Prefer, in this order:
//   1. servers where the job fits on GPUs already in use (shared GPUs):
//        score = max(100 - free share (in %) of the GPUs it would use / 10, 50);
//   2. servers already in use where the job needs wholly free GPUs:
//        score = max(50 - wholly free GPUs it would take, 33);
//   3. idle servers (every GPU free):
//        score = max(33 - GPUs of the server, GPUs of the server).
// The GPUs "it would use" are taken tightest first. CPU-only jobs score 0 everywhere (any server that
// fits, first in the tie order). Equal scores go to the server first in a seeded random server order
// (option "tie_break", see scoring.hpp). On the chosen server a shared-GPU job takes the tightest GPU
// that holds its share (Open-Gpu-Share "best"), other jobs the first wholly free GPUs. Options: tie_break.
#include <algorithm>
#include <numeric>

#include "models/placement/placements.hpp"
#include "models/placement/scoring.hpp"

namespace aidcsim {

namespace placement {
// The published score, on one server, for a GPU job that fits there.
long long packing_score(const NodeRes& n, int gpus, int gpu_milli) {
  const int fully_free = n.fully_free_gpus();
  if (fully_free == n.gpu_count()) return std::max<long long>(100 / 3 - fully_free, fully_free);
  std::vector<int> order(n.gpu_left.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return n.gpu_left[a] < n.gpu_left[b]; });
  int wanted = gpus, fully_free_used = 0;
  long long free_pct_on_used = 0;
  std::vector<int> used;
  for (int i : order) {
    if (wanted == 0) break;
    if (gpu_milli <= n.gpu_left[i]) {
      --wanted;
      used.push_back(i);
      if (n.gpu_left[i] == kWholeGpuMilli) ++fully_free_used;
    }
  }
  if (wanted != 0) return 0;
  if (fully_free_used > 0) return std::max<long long>(100 / 2 - fully_free_used, 100 / 3);
  for (int i : used) free_pct_on_used += static_cast<long long>(n.gpu_left[i]) * 100 / kWholeGpuMilli;
  return std::max<long long>(100 - free_pct_on_used / 10, 100 / 2);
}
}  // namespace placement

namespace {
constexpr std::string_view kStream = "placement/packing";  // this policy's random stream (run.json names it)

class Packing final : public PlacementPolicy {
 public:
  Packing(std::uint64_t seed, placement::TieBreak tie) : seed_(placement::stream_seed(seed, kStream)), tie_(tie, seed) {}

  std::optional<Allocation> place(const Request& r, const ClusterView& view) override {
    return placement::place_by_score(view, r, seed_, tie_, placement::GpuChoice::best,
                                     [&](ServerIndex, const placement::NodeRes& n) -> long long {
                                       if (r.gpus <= 0) return 0;
                                       return placement::packing_score(n, r.gpus, r.gpu_milli);
                                     });
  }

 private:
  std::uint64_t seed_;
  placement::TieBreaker tie_;
};
}  // namespace

std::unique_ptr<PlacementPolicy> make_packing(PolicyArgs& args) {
  auto tie = placement::read_tie_break(args.options);
  placement::record_streams(args, kStream, tie);
  return std::make_unique<Packing>(args.seed, tie);
}

}  // namespace aidcsim
