#pragma once
// Reads aidcsim's meaning (CONTRACT.md §2) out of a SimGrid platform already loaded in an engine.
#include <string>

#include "sim/cluster.hpp"
#include "sim/errors.hpp"

namespace simgrid::s4u {
class Engine;
}

namespace aidcsim {

// Loads `file` into `engine` and builds the cluster; throws InputErrors listing every problem.
Cluster load_cluster(simgrid::s4u::Engine& engine, const std::string& file);

// Textual description for `aidcsim platform info`.
std::string describe_cluster(const Cluster& cluster);

}  // namespace aidcsim
