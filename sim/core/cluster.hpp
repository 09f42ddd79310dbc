#pragma once
// The platform as aidcsim sees it: servers, GPUs, storage, and a topology graph for locality.
// Built once from the SimGrid platform; read-only afterwards (the ledger holds what changes).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/types.hpp"

namespace aidcsim {

struct Topology;

struct DiskInfo {
  std::string name;
  double read_bw_bytes_per_s = 0;
  double write_bw_bytes_per_s = 0;
};

// A host's power profile at pstate 0, as SimGrid's host energy plugin reads it from the props
// `wattage_per_state` ("idle:all_cores" or "idle:epsilon:all_cores") and `wattage_off`
// (docs/energy.md). Drawn: off_w when off; idle_w on with nothing running; else
// epsilon_w + load x (full_w - epsilon_w), load = used fraction of the host's speed (all cores).
struct HostPower {
  bool known = false;       // false: the host contributes no energy (no props, no model default)
  bool from_props = false;  // read from the host's props (else the GPU model's defaults)
  double idle_w = 0;
  double epsilon_w = 0;
  double full_w = 0;
  double off_w = 0;
};

struct Server {
  std::string name;
  int cores = 1;
  double core_speed_flops = 0;
  double memory_gib = 0;  // 0 = not declared: memory is not a constraint on this server
  std::vector<GpuIndex> gpus;
  std::vector<DiskInfo> disks;
  int rack = -1;  // index of the topology group (first-level switch) or -1 when unknown
  HostPower power;
  std::vector<std::pair<std::string, std::string>> props;  // the host's SimGrid properties, by name
};

struct Gpu {
  std::string name;
  std::string model;
  int model_index = 0;  // index into Cluster::gpu_models
  ServerIndex server = 0;
  double speed_flops = 0;
  double memory_gib = 0;
  int cores = 1;  // of its SimGrid host (its capacity is cores x speed_flops)
  HostPower power;
};

struct StorageHost {
  std::string name;
  std::vector<DiskInfo> disks;
};

// A route of the platform as a lone communication sees it (the network model's factors applied):
// the iterations model sizes its collectives with it. Filled by the platform loader from SimGrid's
// routes; policies never ask SimGrid themselves.
struct NetworkRoute {
  double latency_s = 0;
  std::vector<std::pair<std::uintptr_t, double>> links;  // each link (one direction) and its bandwidth, bytes/s
};
class RouteOracle {
 public:
  virtual ~RouteOracle() = default;
  virtual NetworkRoute route(HostRef from, HostRef to) const = 0;
  // Between storage host `storage` (Cluster::storage) and server `server`, in the direction given.
  virtual NetworkRoute storage_route(std::uint32_t storage, ServerIndex server, bool to_storage) const = 0;
  // Whether lone transfers take exactly latency + bytes / bandwidth (CM02 without cross-traffic).
  virtual bool exact() const = 0;
};

// A straggler (failures.stragglers; docs/failures.md): from start_s to end_s the host computes at
// `factor` of its speed (SimGrid's speed profile of the host).
struct HostSlowdown {
  HostRef host;
  double start_s = 0, end_s = 0, factor = 1;
};

struct Cluster {
  std::string platform_file;
  std::vector<Server> servers;
  std::vector<Gpu> gpus;
  std::vector<StorageHost> storage;
  std::vector<std::string> gpu_models;  // sorted distinct model names
  std::map<std::string, int> model_index;
  int max_gpus_per_server = 0;
  std::vector<HostSlowdown> slowdowns;  // set before the run; runs on these hosts are never timers
  bool slowed(HostRef host) const {
    for (const auto& s : slowdowns)
      if (s.host == host) return true;
    return false;
  }

  // Filled by build_topology() from SimGrid routes; null for hand-built clusters in unit tests.
  int topology_vertices = 0;
  int topology_edges = 0;
  int topology_components = 0;
  std::shared_ptr<const Topology> topology;
  std::shared_ptr<const RouteOracle> routes;  // null for hand-built clusters

  std::size_t gpu_count() const { return gpus.size(); }
  int gpus_of_model(const std::string& model) const;
};

// A server's property for selectors (quota flavors' "match"): its SimGrid host property `key`;
// "gpu_model" falls back to the model of its first GPU and "name" to its host name. "" when none.
std::string server_property(const Cluster& cluster, ServerIndex s, const std::string& key);

// Natural order: "srv2" < "srv10", so first-fit means what a reader of the platform expects.
bool natural_less(const std::string& a, const std::string& b);

}  // namespace aidcsim
