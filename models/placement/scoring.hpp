#pragma once
// Shared machinery of the score-based placement policies, modelled on the Kubernetes scheduler as
// the FGD paper's simulator (hkust-adsl/kubernetes-scheduler-simulator) runs it:
//   filter  -> the servers that can hold the job on their own (request.cpp's rule: GPU models, CPU,
//              memory, enough free share on enough GPUs);
//   score   -> one integer per server (each policy's formula, truncated to an integer like the
//              plugins' int64 scores);
//   select  -> the highest score; ties go to the server that comes first in a random order of the
//              servers drawn once from the run seed (option "tie_break": "order", the default). This is
//              what the FGD paper's runs did: the authors' kube-scheduler fork (mental2008/kubernetes
//              v1.20.5-minor, selectHost) takes the lexicographically smallest node name among equal
//              scores, and the simulator prefixes node names with a seeded random permutation
//              (Simulator.syncClusterResourceList). "first" takes platform order instead; "random"
//              draws uniformly among the tied servers at every decision (upstream kube-scheduler);
//   reserve -> which GPUs of the chosen server (Open-Gpu-Share's GPU selection: best, worst or
//              random fit for a shared GPU; the first wholly free GPUs otherwise).
//
// Placement decides from the view alone: the core may ask twice for the same view (propose, then
// start) and must get the same answer. Random choices therefore draw from a stream seeded by the
// run seed, the request and a fingerprint of what is free, never from state carried between calls.
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string_view>
#include <vector>

#include "sim/core/cluster.hpp"
#include "sim/core/ledger.hpp"
#include "sim/core/registry.hpp"
#include "sim/core/request.hpp"
#include "sim/core/rng.hpp"

namespace aidcsim {
class OptionReader;
}

namespace aidcsim::placement {

// A 64-bit seed for one named random stream of a run (splitmix64 of seed and name).
std::uint64_t stream_seed(std::uint64_t seed, std::string_view stream);

// Fingerprint of the free resources (allocated GPU milli, free CPUs and memory of every server).
std::uint64_t view_fingerprint(const ClusterView& view);
// The random stream for one decision: same seed, request and view -> same draws.
std::mt19937_64 decision_rng(std::uint64_t policy_seed, const Request& r, const ClusterView& view);

enum class TieBreak { order, first, random };
TieBreak read_tie_break(OptionReader& options);  // option "tie_break": "order" (default), "first", "random"

// The stream of the servers' random order ("tie_break": "order"), shared by every policy of a run.
inline constexpr std::string_view kServerOrderStream = "placement/server-order";
// Names the streams a policy draws from in args.record (for run.json): its own stream `policy_stream`
// (each decision's draws are seeded by it, the request and the free resources), and the server order
// when `tie` uses it.
void record_streams(PolicyArgs& args, std::string_view policy_stream, TieBreak tie);

// How a policy breaks ties: the mode, and for "order" the rank of every server in a random order of
// the servers drawn from the run seed alone (so every policy of a run with this seed sees the same
// order, and the same view always gets the same answer).
class TieBreaker {
 public:
  TieBreaker(TieBreak mode, std::uint64_t seed) : mode_(mode), seed_(seed) {}
  TieBreak mode() const { return mode_; }
  // Rank of each server (0 = preferred) for a platform of `servers` servers.
  const std::vector<std::uint32_t>& ranks(std::size_t servers);

 private:
  TieBreak mode_;
  std::uint64_t seed_;
  std::vector<std::uint32_t> rank_;
};

// Highest score wins; equal scores: the best-ranked server ("order"), the first offered ("first"), or
// uniformly at random among them by reservoir sampling ("random").
class BestPicker {
 public:
  BestPicker(TieBreaker& tie, std::size_t servers, std::mt19937_64& rng)
      : mode_(tie.mode()), rank_(mode_ == TieBreak::order ? &tie.ranks(servers) : nullptr), rng_(rng) {}
  void offer(ServerIndex s, long long score);
  std::optional<ServerIndex> best() const { return found_ ? std::optional<ServerIndex>(best_) : std::nullopt; }
  long long best_score() const { return score_; }

 private:
  TieBreak mode_;
  const std::vector<std::uint32_t>* rank_;
  std::mt19937_64& rng_;
  bool found_ = false;
  ServerIndex best_ = 0;
  long long score_ = std::numeric_limits<long long>::min();
  long long ties_ = 0;
};

using aidcsim::uniform_below;  // sim/core/rng.hpp

// What the plugins read of one server ("NodeResource"): free CPU, and the free share of each GPU.
struct NodeRes {
  long long cpu_left_milli = 0;
  long long cpu_capacity_milli = 0;
  std::vector<int> gpu_left;  // per GPU of the server, in server order
  int gpu_count() const { return static_cast<int>(gpu_left.size()); }
  long long gpu_left_total() const;
  int fully_free_gpus() const;
};
void read_node(const ClusterView& view, ServerIndex s, NodeRes& out);

// The largest server of the platform, in milli-cores and milli-GPUs: the plugins normalise by it
// (their constants, 128 cores and 8 GPUs, are the largest OpenB server).
struct MaxSpec {
  double cpu_milli = 1;
  double gpu_milli = 1;
};
MaxSpec max_spec(const Cluster& cluster);

long long request_cpu_milli(const Request& r);
// Total GPU milli of a request (0 for a CPU-only job).
long long request_gpu_milli(const Request& r);
bool is_shared_gpu_request(const Request& r);  // one GPU, less than all of it

// Can the server hold r on its own now (GPU models, CPU, memory, enough free share on enough GPUs)?
bool fits_single_server(const ClusterView& view, const Request& r, ServerIndex s);

enum class GpuChoice { best, worst, random };
// The GPUs of server s for r: a shared-GPU request takes the allowed GPU with the least (best) or
// most (worst) free share that still holds it, or a random one; other requests take the first
// allowed GPUs, in server order, with enough free share (the wholly free ones for whole GPUs).
std::vector<GpuIndex> choose_gpus(const ClusterView& view, const Request& r, ServerIndex s, GpuChoice choice,
                                  std::mt19937_64& rng);
// The allocation of r on server s using exactly these GPUs.
Allocation allocation_on(const Request& r, ServerIndex s, const std::vector<GpuIndex>& gpus);

// The GPU-packing plugin's score of a server for a GPU job that fits there (packing.cpp).
long long packing_score(const NodeRes& n, int gpus, int gpu_milli);

// A job larger than any server takes whole idle servers; score-based policies take them in platform
// order (the shared placement rule of request.hpp).
std::optional<Allocation> place_on_whole_servers(const ClusterView& view, const Request& r);

// Filter, score, select and reserve as described above. score(s, node) returns the server's integer
// score (higher is better).
template <class ScoreFn>
std::optional<Allocation> place_by_score(const ClusterView& view, const Request& r, std::uint64_t seed, TieBreaker& tie,
                                         GpuChoice gpu_choice, ScoreFn&& score) {
  if (r.gpus > 0 && needs_whole_servers(view.cluster, r)) return place_on_whole_servers(view, r);
  std::mt19937_64 rng = decision_rng(seed, r, view);
  BestPicker picker(tie, view.cluster.servers.size(), rng);
  NodeRes node;
  const auto servers = static_cast<ServerIndex>(view.cluster.servers.size());
  for (ServerIndex s = 0; s < servers; ++s) {
    if (!fits_single_server(view, r, s)) continue;
    read_node(view, s, node);
    picker.offer(s, score(s, node));
  }
  auto chosen = picker.best();
  if (!chosen) return std::nullopt;
  return allocation_on(r, *chosen, choose_gpus(view, r, *chosen, gpu_choice, rng));
}

}  // namespace aidcsim::placement
