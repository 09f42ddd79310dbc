#pragma once
// What a job asks of the platform, resolved against the cluster (model names -> indices) and the
// GPU-sharing mode (exclusive turns a fractional request into a whole GPU).
#include <optional>
#include <string>
#include <vector>

#include "sim/cluster.hpp"
#include "sim/ledger.hpp"

namespace aidcsim {

struct Request {
  int gpus = 0;
  int gpu_milli = kWholeGpuMilli;
  double cpus = 0;
  double mem_gib = 0;
  std::vector<char> model_allowed;  // per Cluster model index; empty = any model
  bool allows(const Gpu& g) const { return model_allowed.empty() || model_allowed[g.model_index]; }
  std::string shape_key() const;  // equal keys = equal feasibility
};

// A read-only view of the platform and what is free: all a placement policy may look at.
struct ClusterView {
  const Cluster& cluster;
  const Ledger& ledger;
};

// Placement rule shared by every policy: a job whose GPUs fit on one eligible server goes on one
// server; a larger job takes whole idle servers (all their eligible GPUs, filled in order).
bool needs_whole_servers(const Cluster& cluster, const Request& r);

// GPUs of `server` that can take this request now (allowed model, enough free milli), in order.
std::vector<GpuIndex> usable_gpus(const ClusterView& view, const Request& r, ServerIndex server);
// CPU and memory for one server, with multi-server jobs splitting them in proportion to GPUs.
bool server_resources_fit(const ClusterView& view, const Request& r, ServerIndex server, int gpus_here);
// The allocation of r on one server using its first usable GPUs, or empty when it does not fit.
std::optional<Allocation> allocate_on_server(const ClusterView& view, const Request& r, ServerIndex server);
// The allocation of r across whole idle servers taken in the given order, or empty.
std::optional<Allocation> allocate_whole_servers(const ClusterView& view, const Request& r,
                                                 const std::vector<ServerIndex>& order);

// "" when the job fits an empty platform, else the reason it never can.
std::string never_fits_reason(const Cluster& cluster, const Request& r);

}  // namespace aidcsim
