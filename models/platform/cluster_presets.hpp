#pragma once
// Platforms of real clusters, on the fat-tree fabric of fat_tree.hpp (racks of servers under leaf
// switches, one spine, optional storage host):
//
//   openb   one server per row of an OpenB (Alibaba GPU 2023) node list: its sn, CPU, memory, GPUs
//   philly  Philly-like (Microsoft, ATC'19): 321 2-GPU + 231 8-GPU servers (2,490 GPUs) in 15 VCs
//   helios  Helios Venus-like (SenseTime, SC'21): 8-GPU V100 servers, per-VC node counts
//
// docs/platforms.md gives the sources of every figure and the assumptions where the sources are silent.
#include <string>
#include <vector>

#include "models/platform/fat_tree.hpp"

namespace aidcsim {

// ---- OpenB node list (openb_node_list_*.csv: sn,cpu_milli,memory_mib,gpu,model) ----

struct OpenbNode {
  std::string sn;
  long long cpu_milli = 0;
  long long memory_mib = 0;
  int gpus = 0;
  std::string model;  // "" for a CPU-only node
  int line = 0;       // line in the file, for messages
};

// Reads every row; malformed rows are collected and thrown together as InputErrors
// (`FILE:LINE: COLUMN: found ..., expected ...`). A missing/empty file or a wrong header is one error.
std::vector<OpenbNode> read_openb_node_list(const std::string& path);

// The fat tree's fabric with ZoneLayout::PerRack: SimGrid 3.32 loads the 1,523-node OpenB platform in
// ~1.5 s this way against ~3 s with a zone per server (its load cost grows with zones x hosts).
FatTreeOptions openb_default_fabric();

struct OpenbPlatformOptions {
  std::string gpu_model_override;  // "" = each node's own model; else every GPU becomes this model
  FatTreeOptions fabric = openb_default_fabric();  // fabric fields only (see ServerPlatform)
};

// Whole cores of a node: cpu_milli / 1000 rounded to the nearest integer (halves up), at least 1.
// (Both published lists hold whole cores only, so no rounding happens on them.)
int openb_cores(long long cpu_milli);
// memory_mib as a `memory` prop: "<n>GiB" when a whole number of GiB, else "<n>MiB".
std::string openb_memory(long long memory_mib);

// Builds the platform from the nodes (the file name is used in the title and in error messages).
ServerPlatform openb_platform(const std::vector<OpenbNode>& nodes, const std::string& source,
                              const OpenbPlatformOptions& options);

// ---- Presets ----

struct VirtualCluster {
  std::string name;
  double weight = 0;  // philly: GPU-hours in philly.csv; helios: node count
  int servers = 0;    // helios: node count
};

// Fabric of the presets: 16 servers per rack, 100 Gb/s (12.5 GB/s) NICs (see docs/platforms.md for
// the assumptions).
FatTreeOptions philly_default_fabric();
FatTreeOptions helios_default_fabric();

struct PhillyPresetOptions {
  FatTreeOptions fabric = philly_default_fabric();
};

// The 15 Philly virtual clusters (the `cluster` column of philly.csv) with their GPU-hours there.
const std::vector<VirtualCluster>& philly_virtual_clusters();
ServerPlatform philly_platform(const PhillyPresetOptions& options);

struct HeliosPresetOptions {
  std::string gpu_model = "V100M32";
  std::string vc_config;  // "" = the built-in Venus table (vc_config.csv of helios-summary)
  FatTreeOptions fabric = helios_default_fabric();
};

// The built-in Venus VCs (Lucid's simulation/data/Venus/vc_config.csv, September 2020): 15 VCs, 135 nodes.
const std::vector<VirtualCluster>& helios_venus_virtual_clusters();
// Reads a vc_config.csv (",num" header: VC name, node count); throws InputErrors with lines.
std::vector<VirtualCluster> read_vc_config(const std::string& path);
ServerPlatform helios_platform(const HeliosPresetOptions& options);

}  // namespace aidcsim
