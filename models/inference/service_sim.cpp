#include "models/inference/service_sim.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace aidcsim {

Router::Router(std::string policy, std::uint64_t seed) : policy_(std::move(policy)), state_(seed) {
  if (std::find(router_names().begin(), router_names().end(), policy_) == router_names().end())
    throw std::logic_error("unknown router " + policy_);
}

std::uint64_t Router::draw() {
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

int Router::route(const std::vector<const ReplicaEngine*>& r) {
  const int n = static_cast<int>(r.size());
  if (policy_ == "round-robin") return static_cast<int>(next_++ % r.size());
  if (policy_ == "random") return static_cast<int>(draw() % r.size());
  if (policy_ == "power-of-two") {
    int a = static_cast<int>(draw() % r.size());
    if (n == 1) return a;
    int b = static_cast<int>(draw() % (r.size() - 1));
    if (b >= a) ++b;  // two distinct replicas
    return r[b]->in_flight() < r[a]->in_flight() ? b : a;
  }
  int best = 0;
  for (int i = 1; i < n; ++i) {
    // least-kv: most free KV blocks, then fewest in flight; least-outstanding: fewest in flight. Ties: lowest index.
    bool better = r[i]->in_flight() < r[best]->in_flight();
    if (policy_ == "least-kv")
      better = r[i]->free_blocks() != r[best]->free_blocks() ? r[i]->free_blocks() > r[best]->free_blocks() : better;
    if (better) best = i;
  }
  return best;
}

ServiceSimResult simulate_service(const LlmPerfModel& perf, const std::vector<LlmRequest>& requests, const ServiceSimConfig& c) {
  ServiceSimResult result;
  result.outcomes.assign(requests.size(), {});
  result.replica.assign(requests.size(), -1);
  std::vector<ReplicaEngine> engines;
  for (int i = 0; i < c.replicas; ++i) engines.emplace_back(perf, c.key, c.batching, c.kv_blocks);
  std::vector<const ReplicaEngine*> views;
  for (const auto& e : engines) views.push_back(&e);
  std::vector<double> ends(engines.size(), std::numeric_limits<double>::infinity());
  Router router(c.router, c.seed);
  std::size_t next = 0;
  const double never = std::numeric_limits<double>::infinity();
  while (true) {
    double t_arrival = next < requests.size() ? requests[next].arrival_s : never;
    double t_end = *std::min_element(ends.begin(), ends.end());
    double now = std::min(t_arrival, t_end);
    if (now == never) break;
    // At one instant: iterations that end, then arrivals, then the next iterations.
    for (std::size_t i = 0; i < engines.size(); ++i)
      if (ends[i] == now) {
        engines[i].finish_iteration(now, result.outcomes);
        ends[i] = never;
      }
    while (next < requests.size() && requests[next].arrival_s == now) {
      const LlmRequest& r = requests[next];
      if (engines.front().can_serve(r)) {
        int k = router.route(views);
        result.replica[next] = k;
        engines[k].enqueue(static_cast<ReplicaEngine::RequestIndex>(next), r);
      }
      ++next;
    }
    for (std::size_t i = 0; i < engines.size(); ++i)
      if (ends[i] == never)
        if (auto d = engines[i].start_iteration(now)) ends[i] = now + *d;
  }
  return result;
}

}  // namespace aidcsim
