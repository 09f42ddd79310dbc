#pragma once
// What a job asks of the platform, resolved against the cluster (model names -> indices) and the
// GPU-sharing mode (exclusive turns a fractional request into a whole GPU).
#include <optional>
#include <string>
#include <vector>

#include "sim/core/cluster.hpp"
#include "sim/core/ledger.hpp"

namespace aidcsim {

struct Request {
  int gpus = 0;
  int gpu_milli = kWholeGpuMilli;
  double cpus = 0;
  double mem_gib = 0;
  std::vector<char> model_allowed;  // per Cluster model index; empty = any model
  bool allows(const Gpu& g) const { return model_allowed.empty() || model_allowed[g.model_index]; }
  // Per server index, non-zero where the job may be placed (set by a quota flavor); null = anywhere.
  // The core shows placement policies the other servers as away (Core::view_for).
  const std::vector<char>* servers_allowed = nullptr;
  std::string shape_key() const;  // equal keys = equal feasibility
};

// A read-only view of the platform and what is free: all a placement policy may look at.
struct ClusterView {
  const Cluster& cluster;
  const Ledger& ledger;
};

// How the GPUs of a multi-GPU job are laid out over servers: the placement option "multi_gpu",
// honoured by every policy (models/placement/multi_gpu.hpp).
enum class MultiGpu {
  one_server,     // "one-server" (default): a job whose GPUs fit one eligible server goes on one server;
                  // a larger job takes whole idle servers
  spread,         // "spread": a job's GPUs may come from several servers, any free GPUs
  whole_servers,  // "whole-servers": every job of two or more GPUs takes whole idle servers
};
// How one request is placed under a mode.
enum class Layout {
  one_server,     // all its GPUs (and CPUs and memory) on one server
  whole_servers,  // idle servers, each filled with as many of its GPUs as it has, in order
  spread,         // any servers, each giving what it can
};
Layout layout_of(const Cluster& cluster, const Request& r, MultiGpu mode);
const char* multi_gpu_name(MultiGpu mode);  // the option's spelling: "one-server", "spread", "whole-servers"

// The default rule: a job whose GPUs fit on one eligible server goes on one server; a larger job
// takes whole idle servers (all their eligible GPUs, filled in order). True for the larger job.
bool needs_whole_servers(const Cluster& cluster, const Request& r);

// GPUs of `server` that can take this request now (allowed model, enough free milli), in order.
std::vector<GpuIndex> usable_gpus(const ClusterView& view, const Request& r, ServerIndex server);
// CPU and memory of a job on several servers, split in proportion to GPUs: the share of `total`
// that goes with `gpus_here` of the job's r.gpus GPUs (all of it for a job without GPUs).
double share_for_gpus(double total, int gpus_here, int gpus_total);
// CPU and memory for one server, with multi-server jobs splitting them in proportion to GPUs.
bool server_resources_fit(const ClusterView& view, const Request& r, ServerIndex server, int gpus_here);
// The most of r's GPUs, up to `at_most`, that `server` can take now with their share of CPU and memory.
int gpus_that_fit(const ClusterView& view, const Request& r, ServerIndex server, int at_most);
// The allocation of r on one server using its first usable GPUs, or empty when it does not fit.
std::optional<Allocation> allocate_on_server(const ClusterView& view, const Request& r, ServerIndex server);
// The allocation of r across whole idle servers taken in the given order, or empty.
std::optional<Allocation> allocate_whole_servers(const ClusterView& view, const Request& r,
                                                 const std::vector<ServerIndex>& order);
// The allocation of r spread over the servers taken in the given order (idle or not), each giving as
// many of the remaining GPUs as it can with their share of CPU and memory (first usable GPUs), or empty.
std::optional<Allocation> allocate_spread(const ClusterView& view, const Request& r, const std::vector<ServerIndex>& order);
// An allocation of r from the GPUs chosen (any servers, each GPU once), CPU and memory split in
// proportion to the GPUs on each server (servers in order of their first GPU).
Allocation allocation_from_gpus(const Cluster& cluster, const Request& r, const std::vector<GpuIndex>& gpus);

// "" when the job fits an empty platform, else the reason it never can.
// Under `mode` (the placement option; the default rule unless told).
std::string never_fits_reason(const Cluster& cluster, const Request& r, MultiGpu mode = MultiGpu::one_server);

}  // namespace aidcsim
