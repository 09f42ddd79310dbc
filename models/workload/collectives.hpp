#pragma once
// Collective algorithms of the iterations model (docs/network.md): a gradient all-reduce among a job's
// GPUs as stages of concurrent flows, priced on the platform's routes.
#include <string>
#include <vector>

#include "sim/core/cluster.hpp"
#include "sim/policy/workload_model.hpp"

namespace aidcsim {

// `rounds` consecutive rounds of the same flows, each flow sending `bytes` per round.
struct CollectiveStage {
  std::vector<std::pair<HostRef, HostRef>> flows;
  double bytes = 0;
  int rounds = 1;
  bool before_compute = false;  // runs before the iteration's computation (stages so marked come first)
};

// ring: 2(n-1) rounds of S/n around the members; tree: a binomial reduce to member 0 then its
// broadcast, ceil(log2 n) rounds each of S; hierarchical: each server's GPUs send S to its first GPU,
// a ring of those across servers, and the broadcast back; sharded (ZeRO-3 / FSDP data parallelism, no
// overlap): before the computation the parameters are all-gathered twice (forward and backward), ring
// rounds 2(n-1) of S/n, and after it the gradients are reduce-scattered, n-1 rounds of S/n: 1.5 times
// the ring all-reduce's volume. `members` in allocation order.
std::vector<CollectiveStage> collective_stages(const std::string& algorithm, const std::vector<GpuIndex>& members,
                                               const Cluster& cluster, double gradient_bytes);

// Concurrent flows with nothing else on the network, `bytes[i]` along `paths[i]`, the flows that cross
// a link sharing it equally (per direction): the time until the slowest ends, its latency plus its
// bytes at its rate. Collective rounds and storage transfers are priced with it.
double concurrent_flows_s(const std::vector<NetworkRoute>& paths, const std::vector<double>& bytes);

// The time of one round of `stage` alone: its flows, each of `bytes`, concurrently.
double round_cost_s(const CollectiveStage& stage, double bytes, const RouteOracle& routes);

// The collective's plan for `iterations` iterations: comm rounds, their time alone, the wait that
// makes an aggregated run as long alone as the per-iteration one. `aggregate`: one round per stage
// carrying all its volume; else per-iteration rounds (the plan's repeats are set by the caller).
struct CollectivePlan {
  std::vector<std::vector<CommStep>> rounds;
  double wait_s = 0;
  double alone_s = 0;          // all iterations
  double per_iteration_s = 0;  // one iteration's collective alone
  std::uint32_t rounds_before_compute = 0;  // the first rounds, of stages that run before the computation
};
// `segments`: an aggregated plan runs in that many equal repeats (checkpoint segments).
CollectivePlan plan_collective(const std::vector<CollectiveStage>& stages, double iterations, bool aggregate,
                               const RouteOracle& routes, std::uint32_t segments = 1);

}  // namespace aidcsim
