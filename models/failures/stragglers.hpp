#pragma once
// Stragglers (failures.stragglers; docs/failures.md): hosts that compute slower for a while.
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/config/options.hpp"
#include "sim/core/cluster.hpp"

namespace aidcsim {

// Every server and GPU of the platform by name.
std::unordered_map<std::string, HostRef> hosts_by_name(const Cluster& cluster);

// [{"host", "start_s", "duration_s", "factor"}]: problems reported with their JSON paths; episodes of
// one host must not overlap.
std::vector<HostSlowdown> read_stragglers(OptionReader& failures, const Cluster& cluster);

}  // namespace aidcsim
