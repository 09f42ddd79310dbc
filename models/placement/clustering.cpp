// Clustering: GPU clustering, the FGD paper's "Clustering" baseline (kubernetes-scheduler-simulator,
// plugin/gpu_clustering_score.go): jobs of the same kind go together. A job's kind is "shared GPU"
// (one GPU, less than all of it) or "N whole GPUs"; CPU-only jobs have none and score 0 everywhere.
// For a GPU job, with used = max_gpu - free GPU milli of the server (max_gpu = the largest server's
// GPU milli, 8000 on OpenB):
//   only jobs of its kind on the server        75 + 25 * used / max_gpu
//   its kind and other kinds                   50 + 25 * used / max_gpu
//   no GPU job on the server                   25 + 25 * used / max_gpu
//   only other kinds                                25 * used / max_gpu
// (integer arithmetic, as the plugin). Equal scores go to the server first in a seeded random server
// order (option "tie_break", see scoring.hpp). On the chosen server a shared-GPU job takes the tightest
// GPU that holds its share, other jobs the first wholly free GPUs. Options: tie_break.
//
// The kinds of jobs on each server come from on_applied/on_released (the Kubernetes scheduler cache
// in the original); a server the ledger shows idle holds none, whatever was recorded.
#include <algorithm>

#include "models/placement/placements.hpp"
#include "models/placement/scoring.hpp"

namespace aidcsim {
namespace {
constexpr std::string_view kStream = "placement/clustering";  // this policy's random stream (run.json names it)

// 0: no GPU; -1: one shared GPU; N: N whole GPUs; 1000 + N: N shares of GPUs.
int kind_of(const Request& r) {
  if (r.gpus <= 0) return 0;
  if (placement::is_shared_gpu_request(r)) return -1;
  return r.gpu_milli == kWholeGpuMilli ? r.gpus : 1000 + r.gpus;
}

class Clustering final : public PlacementPolicy {
 public:
  Clustering(std::uint64_t seed, placement::TieBreak tie, placement::MaxSpec spec)
      : seed_(placement::stream_seed(seed, kStream)), tie_(tie, seed), max_gpu_(std::llround(spec.gpu_milli)) {}

  std::optional<Allocation> place(const Request& r, const ClusterView& view) override {
    kinds_.resize(view.cluster.servers.size());
    const int kind = kind_of(r);
    return placement::place_by_score(view, r, seed_, tie_, placement::GpuChoice::best,
                                     [&](ServerIndex s, const placement::NodeRes& n) -> long long {
                                       if (kind == 0) return 0;
                                       const long long base = 25 * (max_gpu_ - n.gpu_left_total()) / max_gpu_;
                                       const auto& here = view.ledger.server_idle(s) ? none_ : kinds_[s];
                                       bool same = std::any_of(here.begin(), here.end(),
                                                               [&](const auto& k) { return k.first == kind; });
                                       if (same) return base + (here.size() == 1 ? 75 : 50);
                                       return base + (here.empty() ? 25 : 0);
                                     });
  }

  void on_applied(const Request& r, const Allocation& a) override {
    const int kind = kind_of(r);
    if (kind == 0) return;
    for (const auto& sv : a.servers) {
      if (sv.server >= kinds_.size()) kinds_.resize(sv.server + 1);
      auto& here = kinds_[sv.server];
      auto it = std::find_if(here.begin(), here.end(), [&](const auto& k) { return k.first == kind; });
      if (it == here.end()) here.emplace_back(kind, 1);
      else ++it->second;
    }
  }

  void on_released(const Request& r, const Allocation& a) override {
    const int kind = kind_of(r);
    if (kind == 0) return;
    for (const auto& sv : a.servers) {
      if (sv.server >= kinds_.size()) continue;
      auto& here = kinds_[sv.server];
      auto it = std::find_if(here.begin(), here.end(), [&](const auto& k) { return k.first == kind; });
      if (it != here.end() && --it->second == 0) here.erase(it);
    }
  }

 private:
  std::uint64_t seed_;
  placement::TieBreaker tie_;
  long long max_gpu_;
  std::vector<std::vector<std::pair<int, int>>> kinds_;  // per server: (kind, jobs of that kind)
  const std::vector<std::pair<int, int>> none_;
};
}  // namespace

std::unique_ptr<PlacementPolicy> make_clustering(PolicyArgs& args) {
  auto tie = placement::read_tie_break(args.options);
  placement::record_streams(args, kStream, tie);
  return std::make_unique<Clustering>(args.seed, tie,
                                      placement::max_spec(args.cluster));
}

}  // namespace aidcsim
