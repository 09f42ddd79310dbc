#pragma once
// Requests of one service through its replicas (docs/inference.md): a router sends each arriving
// request to a replica (round-robin, random, least-outstanding, power-of-two, least-kv), and each
// replica batches with ReplicaEngine. This loop owns its own time; the simulator proper will drive the
// same engines from the core's event queue once services are placed on the cluster.
#include <cstdint>
#include <string>
#include <vector>

#include "models/inference/replica_engine.hpp"

namespace aidcsim {

inline const std::vector<std::string>& router_names() {
  static const std::vector<std::string> names = {"round-robin", "random", "least-outstanding", "power-of-two", "least-kv"};
  return names;
}

// Picks a replica for the next request from what each replica has in flight and its free KV blocks.
class Router {
 public:
  Router(std::string policy, std::uint64_t seed);
  int route(const std::vector<const ReplicaEngine*>& replicas);

 private:
  std::string policy_;
  std::uint64_t state_;
  std::size_t next_ = 0;
  std::uint64_t draw();  // splitmix64: the same stream everywhere
};

struct ServiceSimConfig {
  LlmPerfModel::Key key;
  BatchingConfig batching;
  long long kv_blocks = 0;
  int replicas = 1;
  std::string router = "round-robin";
  std::uint64_t seed = 1;
};

struct ServiceSimResult {
  std::vector<RequestOutcome> outcomes;  // by request position
  std::vector<int> replica;              // where each request went; -1 when rejected (never fits the KV cache)
};

ServiceSimResult simulate_service(const LlmPerfModel& perf, const std::vector<LlmRequest>& requests, const ServiceSimConfig& config);

}  // namespace aidcsim
