#pragma once
// Stragglers as SimGrid speed profiles: the host's executions progress at `factor` of its speed
// during each episode (SimGrid rescales the running ones at the episode's edges).
#include <vector>

#include "sim/core/cluster.hpp"
#include "sim/engine/platform_loader.hpp"

namespace aidcsim {

// Before the simulation starts (its clock at 0).
void apply_speed_profiles(const PlatformHosts& hosts, const std::vector<HostSlowdown>& slowdowns);

}  // namespace aidcsim
