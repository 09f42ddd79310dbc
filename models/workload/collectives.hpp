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
};

// ring: 2(n-1) rounds of S/n around the members; tree: a binomial reduce to member 0 then its
// broadcast, ceil(log2 n) rounds each of S; hierarchical: each server's GPUs send S to its first GPU,
// a ring of those across servers, and the broadcast back. `members` in allocation order.
std::vector<CollectiveStage> collective_stages(const std::string& algorithm, const std::vector<GpuIndex>& members,
                                               const Cluster& cluster, double gradient_bytes);

// The time of one round of `stage` with nothing else on the network: its slowest flow's latency plus
// bytes at its rate, the flows of the round sharing each link equally (per direction).
struct RoundCost {
  double time_s = 0;
  double latency_s = 0;  // of the flow that sets time_s
};
RoundCost round_cost(const CollectiveStage& stage, double bytes, const RouteOracle& routes);

// The collective's plan for `iterations` iterations: comm rounds, their time alone, the wait that
// makes an aggregated run as long alone as the per-iteration one. `aggregate`: one round per stage
// carrying all its volume; else per-iteration rounds (the plan's repeats are set by the caller).
struct CollectivePlan {
  std::vector<std::vector<CommStep>> rounds;
  double wait_s = 0;
  double alone_s = 0;          // all iterations
  double per_iteration_s = 0;  // one iteration's collective alone
};
// `segments`: an aggregated plan runs in that many equal repeats (checkpoint segments).
CollectivePlan plan_collective(const std::vector<CollectiveStage>& stages, double iterations, bool aggregate,
                               const RouteOracle& routes, std::uint32_t segments = 1);

}  // namespace aidcsim
