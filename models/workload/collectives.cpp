// Collectives as stages of flows, and their cost alone on the platform's routes (docs/network.md).
#include "models/workload/collectives.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace aidcsim {
namespace {

HostRef gpu(GpuIndex g) { return {true, g}; }

void ring(const std::vector<GpuIndex>& members, double bytes, std::vector<CollectiveStage>& out) {
  const std::size_t n = members.size();
  if (n < 2) return;
  CollectiveStage stage;
  for (std::size_t i = 0; i < n; ++i) stage.flows.emplace_back(gpu(members[i]), gpu(members[(i + 1) % n]));
  stage.bytes = bytes / double(n);
  stage.rounds = 2 * int(n - 1);
  out.push_back(std::move(stage));
}

// The parameters' two all-gathers before the computation, the gradients' reduce-scatter after it.
void sharded(const std::vector<GpuIndex>& members, double bytes, std::vector<CollectiveStage>& out) {
  const std::size_t n = members.size();
  CollectiveStage gather;
  for (std::size_t i = 0; i < n; ++i) gather.flows.emplace_back(gpu(members[i]), gpu(members[(i + 1) % n]));
  gather.bytes = bytes / double(n);
  CollectiveStage scatter = gather;
  gather.rounds = 2 * int(n - 1);
  gather.before_compute = true;
  scatter.rounds = int(n - 1);
  out.push_back(std::move(gather));
  out.push_back(std::move(scatter));
}

void tree(const std::vector<GpuIndex>& members, double bytes, std::vector<CollectiveStage>& out) {
  const std::size_t n = members.size();
  std::vector<CollectiveStage> reduce;
  for (std::size_t step = 1; step < n; step *= 2) {
    CollectiveStage stage;
    for (std::size_t i = step; i < n; i += 2 * step) stage.flows.emplace_back(gpu(members[i]), gpu(members[i - step]));
    stage.bytes = bytes;
    reduce.push_back(std::move(stage));
  }
  for (const auto& s : reduce) out.push_back(s);
  for (auto it = reduce.rbegin(); it != reduce.rend(); ++it) {
    CollectiveStage back = *it;
    for (auto& [from, to] : back.flows) std::swap(from, to);
    out.push_back(std::move(back));
  }
}

void hierarchical(const std::vector<GpuIndex>& members, const Cluster& cluster, double bytes,
                  std::vector<CollectiveStage>& out) {
  std::vector<std::vector<GpuIndex>> by_server;
  std::map<ServerIndex, std::size_t> slot;
  for (GpuIndex g : members) {
    auto [it, inserted] = slot.try_emplace(cluster.gpus[g].server, by_server.size());
    if (inserted) by_server.emplace_back();
    by_server[it->second].push_back(g);
  }
  CollectiveStage reduce, broadcast;
  std::vector<GpuIndex> leaders;
  for (const auto& local : by_server) {
    leaders.push_back(local.front());
    for (std::size_t i = 1; i < local.size(); ++i) {
      reduce.flows.emplace_back(gpu(local[i]), gpu(local.front()));
      broadcast.flows.emplace_back(gpu(local.front()), gpu(local[i]));
    }
  }
  reduce.bytes = broadcast.bytes = bytes;
  if (!reduce.flows.empty()) out.push_back(std::move(reduce));
  ring(leaders, bytes, out);
  if (!broadcast.flows.empty()) out.push_back(std::move(broadcast));
}

}  // namespace

std::vector<CollectiveStage> collective_stages(const std::string& algorithm, const std::vector<GpuIndex>& members,
                                               const Cluster& cluster, double gradient_bytes) {
  std::vector<CollectiveStage> stages;
  if (members.size() < 2 || gradient_bytes <= 0) return stages;
  if (algorithm == "tree") tree(members, gradient_bytes, stages);
  else if (algorithm == "hierarchical") hierarchical(members, cluster, gradient_bytes, stages);
  else if (algorithm == "sharded") sharded(members, gradient_bytes, stages);
  else ring(members, gradient_bytes, stages);
  return stages;
}

double concurrent_flows_s(const std::vector<NetworkRoute>& paths, const std::vector<double>& bytes) {
  std::map<std::uintptr_t, int> flows_on;
  for (const auto& path : paths)
    for (const auto& [link, bw] : path.links)
      if (link != 0) ++flows_on[link];  // 0: the flow's own TCP bound, shared with nobody
  double time_s = 0;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    double rate = std::numeric_limits<double>::infinity();
    for (const auto& [link, bw] : paths[i].links) rate = std::min(rate, link == 0 ? bw : bw / flows_on[link]);
    time_s = std::max(time_s, paths[i].latency_s + (std::isinf(rate) ? 0 : bytes[i] / rate));
  }
  return time_s;
}

double round_cost_s(const CollectiveStage& stage, double bytes, const RouteOracle& routes) {
  std::vector<NetworkRoute> paths;
  for (const auto& [from, to] : stage.flows) paths.push_back(routes.route(from, to));
  return concurrent_flows_s(paths, std::vector<double>(paths.size(), bytes));
}

CollectivePlan plan_collective(const std::vector<CollectiveStage>& stages, double iterations, bool aggregate,
                               const RouteOracle& routes, std::uint32_t segments) {
  CollectivePlan plan;
  for (const auto& stage : stages) {
    const double per_round_s = round_cost_s(stage, stage.bytes, routes);
    plan.per_iteration_s += stage.rounds * per_round_s;
    auto steps = [&](double bytes) {
      std::vector<CommStep> round;
      for (const auto& [from, to] : stage.flows) round.push_back({from, to, bytes});
      return round;
    };
    const auto rounds_before = plan.rounds.size();
    if (aggregate) {
      // All iterations' rounds of the stage as one round: SimGrid pays one latency, the wait the rest.
      // Run in `segments` (between checkpoints), each a share of the bytes: one latency per segment.
      const double bytes = iterations * stage.rounds * stage.bytes;
      plan.rounds.push_back(steps(bytes));
      plan.wait_s += std::max(0.0, iterations * stage.rounds * per_round_s -
                                       segments * round_cost_s(stage, bytes / segments, routes));
    } else {
      for (int r = 0; r < stage.rounds; ++r) plan.rounds.push_back(steps(iterations * stage.bytes));
    }
    if (stage.before_compute) plan.rounds_before_compute += static_cast<std::uint32_t>(plan.rounds.size() - rounds_before);
  }
  plan.alone_s = iterations * plan.per_iteration_s;
  return plan;
}

}  // namespace aidcsim
