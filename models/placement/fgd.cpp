// FGD: Fragmentation Gradient Descent (Weng et al., "Beware of Fragmentation: Scheduling GPU-Sharing
// Workloads with Fragmentation Gradient Descent", USENIX ATC'23), as the published simulator runs it
// (kubernetes-scheduler-simulator, plugin/fgd_score.go with pkg/utils/frag.go).
//
// The target workload is the trace's distribution of task shapes (sim/core/fragmentation.hpp: the most
// popular shapes covering popularity_percent = 95 % of the tasks, CPU-only tasks included). For each
// server that can hold the job, FGD computes the server's expected fragmentation F (GPU milli the
// target tasks could not use) before and after placing the job there, and scores
//
//   score(s) = int(100 * sigmoid((F_before(s) - F_after(s)) / 1000))
//
// so the server whose fragmentation grows least (or shrinks most) wins. A shared-GPU job is tried on
// each GPU of the server that holds its share and takes the first GPU with the best score; other jobs
// take their GPUs tightest first (the wholly free ones, in server order, for whole GPUs). Equal
// scores go to the server first in a seeded random server order (option "tie_break", scoring.hpp).
// A job with no request at all (no CPU, memory or GPU) scores 100 everywhere.
//
// Options: popularity_percent (95), include_cpu_tasks (true), tie_break ("order").
// Servers in the same state share one computation (memoised by node state and job shape).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <unordered_map>

#include "models/placement/placements.hpp"
#include "models/placement/scoring.hpp"
#include "sim/core/fragmentation.hpp"
#include "sim/config/options.hpp"

namespace aidcsim {
namespace {
constexpr std::string_view kStream = "placement/fgd";  // this policy's random stream (run.json names it)

struct Outcome {
  long long score = 0;
  std::vector<std::pair<int, int>> best;  // shared-GPU jobs: (model, free milli) of the GPUs with the best score
};

class Fgd final : public PlacementPolicy {
 public:
  Fgd(std::uint64_t seed, placement::TieBreak tie, TargetWorkload target)
      : seed_(placement::stream_seed(seed, kStream)), tie_(tie, seed), target_(std::move(target)), memo_(target_) {}

  std::optional<Allocation> place(const Request& r, const ClusterView& view) override {
    if (r.gpus > 0 && needs_whole_servers(view.cluster, r)) return placement::place_on_whole_servers(view, r);
    sync_size(view.cluster);
    if (memo_.size() > (1u << 20) || outcomes_.size() > (1u << 22)) forget();  // bounded memory over long runs
    const int shape = shape_id(r);
    const bool no_request = r.gpus <= 0 && r.cpus <= 0 && r.mem_gib <= 0;
    std::mt19937_64 rng = placement::decision_rng(seed_, r, view);
    placement::BestPicker picker(tie_, view.cluster.servers.size(), rng);
    const auto servers = static_cast<ServerIndex>(view.cluster.servers.size());
    for (ServerIndex s = 0; s < servers; ++s) {
      if (!placement::fits_single_server(view, r, s)) continue;
      picker.offer(s, no_request ? 100 : outcome(state_of(view, s), shape, r).score);
    }
    auto chosen = picker.best();
    if (!chosen) return std::nullopt;
    return placement::allocation_on(r, *chosen, gpus_for(view, r, *chosen, shape));
  }

  const TargetWorkload& target() const { return target_; }

 private:
  void sync_size(const Cluster& c) {
    if (state_.size() == c.servers.size()) return;
    state_.assign(c.servers.size(), -1);
    seen_cpus_.assign(c.servers.size(), 0);
    seen_milli_.assign(c.gpus.size(), 0);
  }

  void forget() {
    memo_.clear();
    outcomes_.clear();
    std::fill(state_.begin(), state_.end(), -1);
  }

  // The interned state of server s, re-read when the ledger differs from what was seen last.
  int state_of(const ClusterView& view, ServerIndex s) {
    bool same = state_[s] >= 0 && seen_cpus_[s] == view.ledger.free_cpus(s);
    if (same)
      for (GpuIndex g : view.cluster.servers[s].gpus)
        if (seen_milli_[g] != view.ledger.free_milli(g)) {
          same = false;
          break;
        }
    if (same) return state_[s];
    seen_cpus_[s] = view.ledger.free_cpus(s);
    for (GpuIndex g : view.cluster.servers[s].gpus) seen_milli_[g] = view.ledger.free_milli(g);
    return state_[s] = memo_.intern(node_free(view.cluster, view.ledger, s));
  }

  int shape_id(const Request& r) {
    std::string key = r.shape_key();
    auto [it, inserted] = shapes_.try_emplace(key, static_cast<int>(shape_list_.size()));
    if (inserted) shape_list_.push_back(task_shape_of(r));
    return it->second;
  }

  static long long score_of(double before, double after) {
    return static_cast<long long>(100.0 / (1.0 + std::exp(-(before - after) / 1000.0)));
  }

  // The GPUs (as indices into a node's gpu list) that a non-shared job takes: tightest first.
  static std::vector<int> sub_order(const std::vector<std::pair<int, int>>& gpus, const TaskShape& t) {
    std::vector<int> order(gpus.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return gpus[a].second < gpus[b].second; });
    std::vector<int> take;
    for (int i : order) {
      if (static_cast<int>(take.size()) == t.gpus) break;
      if (t.allows(gpus[i].first) && gpus[i].second >= t.gpu_milli) take.push_back(i);
    }
    return take;
  }

  const Outcome& outcome(int state, int shape, const Request& r) {
    const std::uint64_t key = (static_cast<std::uint64_t>(state) << 32) | static_cast<std::uint32_t>(shape);
    auto it = outcomes_.find(key);
    if (it != outcomes_.end()) return it->second;
    Outcome out;
    const TaskShape& t = shape_list_[shape];
    const double before = memo_.fragment_milli(state);
    NodeFree after = memo_.state(state);  // copy: interning below may grow the memo
    after.cpu_milli -= t.cpu_milli;
    if (placement::is_shared_gpu_request(r)) {
      bool any = false;
      for (std::size_t i = 0; i < after.gpus.size(); ++i) {
        auto [model, free] = after.gpus[i];
        if (!t.allows(model) || free < t.gpu_milli) continue;
        after.gpus[i].second -= t.gpu_milli;
        long long score = score_of(before, memo_.fragment_milli(memo_.intern(after)));
        after.gpus[i].second = free;
        if (!any || score > out.score) {
          out.score = score;
          out.best.clear();
        }
        if (!any || score == out.score) out.best.emplace_back(model, free);
        any = true;
      }
    } else {
      for (int i : sub_order(after.gpus, t)) after.gpus[i].second -= t.gpu_milli;
      out.score = score_of(before, memo_.fragment_milli(memo_.intern(after)));
    }
    return outcomes_.emplace(key, std::move(out)).first->second;
  }

  std::vector<GpuIndex> gpus_for(const ClusterView& view, const Request& r, ServerIndex s, int shape) {
    std::vector<GpuIndex> out;
    if (r.gpus <= 0) return out;
    const auto& ids = view.cluster.servers[s].gpus;
    NodeFree node = node_free(view.cluster, view.ledger, s);
    if (placement::is_shared_gpu_request(r)) {
      const Outcome& o = outcome(state_of(view, s), shape, r);
      for (std::size_t i = 0; i < ids.size(); ++i)
        if (r.allows(view.cluster.gpus[ids[i]]) && node.gpus[i].second >= r.gpu_milli &&
            std::find(o.best.begin(), o.best.end(), node.gpus[i]) != o.best.end())
          return {ids[i]};
      return out;
    }
    for (int i : sub_order(node.gpus, shape_list_[shape])) out.push_back(ids[i]);
    return out;
  }

  std::uint64_t seed_;
  placement::TieBreaker tie_;
  TargetWorkload target_;
  FragmentationMemo memo_;
  std::unordered_map<std::string, int> shapes_;
  std::vector<TaskShape> shape_list_;
  std::unordered_map<std::uint64_t, Outcome> outcomes_;
  std::vector<int> state_;          // per server: interned state id, -1 = not read yet
  std::vector<double> seen_cpus_;   // per server: free CPUs when state_ was read
  std::vector<int> seen_milli_;     // per GPU: free milli when its server's state_ was read
};
}  // namespace

std::unique_ptr<PlacementPolicy> make_fgd(PolicyArgs& args) {
  TargetWorkloadOptions o;
  o.popularity_percent = args.options.number("popularity_percent", 95, 1e-9, 100);
  o.include_cpu_tasks = args.options.boolean("include_cpu_tasks", true);
  auto tie = placement::read_tie_break(args.options);
  placement::record_streams(args, kStream, tie);
  return std::make_unique<Fgd>(args.seed, tie, make_target_workload(args.jobs, args.cluster, o));
}

}  // namespace aidcsim
