#pragma once
// Generator of SimGrid platform XML for a GPU datacenter laid out as a two-level fat tree
// (servers -> rack leaf switch -> one non-blocking spine), plus an optional shared storage host.
//
// Routing is hierarchical so that SimGrid never builds a route table over all hosts:
//   zone "aidc"        Floyd : the spine zone, rack zones, storage zone (racks + 2 nodes)
//   zone "z-rack-NNN"  Floyd : the leaf-switch zone and the rack's server zones
//   zone "z-srv-NNNNN" Full  : the server host and its GPUs
// fat_tree.cpp documents the element layout, the naming and the SimGrid 3.32 quirks it avoids.

#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace aidcsim {

enum class ZoneLayout {
  // One Full-routing zone per server inside each rack zone. Least memory; SimGrid 3.32's load and
  // seal cost grows with zones x hosts: ~1.6 s for 10,000 GPUs, ~20 s for 25,000.
  PerServer,
  // Hosts placed directly in a Floyd rack zone (no per-server zones). ~4x faster to load past
  // 20,000 GPUs, at ~40% more memory (a (servers_per_rack * (gpus_per_server + 1))^2 table per rack).
  PerRack,
};

struct FatTreeOptions {
  int servers = 2;
  int gpus_per_server = 8;
  std::string gpu_model = "A100-80GB"; // a name from gpu_model_names()
  int servers_per_rack = 16;
  ZoneLayout layout = ZoneLayout::PerServer;

  int cores_per_server = 64;
  // 2.5 GHz x 16 FP64 FLOP/cycle (AVX-512 FMA): a typical host core.
  double core_speed_flops = 2.5e9 * 16;
  std::string server_memory = "1TiB"; // written verbatim as the `memory` prop: <number><byte unit>
  // Host power without its GPUs (CPUs, DRAM, NICs, fans); each GPU is a host with its own figures.
  double server_idle_w = 250;
  double server_max_w = 1000;

  // Bandwidths are per direction: every link is SPLITDUPLEX (full-duplex hardware).
  double nic_bw_Bps = 25e9; // 200 Gb/s server NIC
  double nic_latency_s = 1e-6;
  // Leaf->spine uplink capacity = (servers in the rack) * nic_bw_Bps / uplink_oversubscription.
  // The spine is a single router (non-blocking), so uplinks are the only fabric choke point.
  double uplink_oversubscription = 1.0;
  double uplink_latency_s = 1e-6;
  double pcie_latency_s = 1e-6;
  double nvlink_latency_s = 0.5e-6;

  bool storage = true;
  // One host standing for the shared parallel filesystem (aggregate figures of an appliance).
  double storage_nic_bw_Bps = 100e9;
  double storage_latency_s = 1e-6;
  double storage_disk_read_bw_Bps = 50e9;
  double storage_disk_write_bw_Bps = 25e9;
};

// Throws std::invalid_argument naming the bad field (for an unknown GPU model: lists the known ones).
void validate_fat_tree_options(const FatTreeOptions& opts);

// Validates, then writes the whole platform. Output is deterministic for given options.
void write_fat_tree_platform(const FatTreeOptions& opts, std::ostream& out);

// ---- Heterogeneous servers on the same fabric (node lists of real clusters, presets) ----
// The layout, naming of fabric elements, links and routes are those of the fat tree; each server
// brings its own id, CPU, memory, power, GPU count and model. GPU hosts are "<server id>-gpu-<g>".

struct ServerSpec {
  std::string id;                    // host id: letters, digits, '-', '_', '.'; zone "z-<id>"
  int cores = 64;
  double core_speed_flops = 2.5e9 * 16;
  std::string memory;                // `memory` prop (<number><byte unit>); "" = not declared
  double idle_w = 250;               // host power without its GPUs
  double max_w = 1000;
  int gpus = 0;                      // 0..64
  std::string gpu_model;             // a name from gpu_model_names() when gpus > 0
  std::vector<std::pair<std::string, std::string>> props; // extra host props (e.g. vc), after `rack`
  double nic_bw_Bps = 0;             // its NIC, per direction; 0 = the fabric's nic_bw_Bps
};

struct ServerPlatform {
  std::string title;                 // first lines of the header comment (no "--")
  std::vector<ServerSpec> servers;   // declaration order; racks of fabric.servers_per_rack in this order
  // Only the fabric fields are used: servers_per_rack, layout, NIC, uplinks, latencies, storage (whose
  // host takes core_speed_flops and the server power figures). servers, gpus_per_server, gpu_model,
  // cores_per_server and server_memory are ignored.
  FatTreeOptions fabric;
};

// Throws std::invalid_argument naming the server (index and id) or the fabric field.
void validate_server_platform(const ServerPlatform& platform);
// Validates, then writes. Deterministic.
void write_server_platform(const ServerPlatform& platform, std::ostream& out);

} // namespace aidcsim
