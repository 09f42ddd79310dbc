#pragma once
// Platforms of cloud GPU instances (docs/cost.md, docs/platforms.md): servers of the instance types
// of the cost price tables (models/cost/cloud_instances.hpp), with their GPUs, vCPUs, memory and NIC
// bandwidth, on the fat-tree fabric; each server carries the props `instance_type` and `node_group`,
// so a run prices it (cost.preset) and a cost group or node group selects it.
#include <string>
#include <vector>

#include "models/platform/fat_tree.hpp"

namespace aidcsim {

struct CloudNodeGroup {
  std::string instance_type;  // a row of a price table, e.g. "p5.48xlarge"
  int count = 1;
  std::string name;           // the node_group prop; "" = the instance type's name
};

// Parses "TYPE:COUNT[:GROUP]"; throws std::invalid_argument saying what was expected.
CloudNodeGroup parse_cloud_node_group(const std::string& text);

struct CloudPlatformOptions {
  std::vector<CloudNodeGroup> groups;
  FatTreeOptions fabric;  // fabric fields only (see ServerPlatform); a type's NIC replaces nic_bw_Bps
};

// Servers "<group>-NNN" in the order of the groups. Throws std::invalid_argument for an unknown
// instance type (naming the known ones), a count below 1 or a group named twice.
ServerPlatform cloud_platform(const CloudPlatformOptions& options);

}  // namespace aidcsim
