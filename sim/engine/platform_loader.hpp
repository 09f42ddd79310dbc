#pragma once
// Reads aidcsim's meaning (CONTRACT.md §2) out of a SimGrid platform already loaded in an engine.
#include <string>
#include <vector>

#include "sim/core/cluster.hpp"
#include "sim/core/errors.hpp"

namespace simgrid::s4u {
class Engine;
class Host;
}  // namespace simgrid::s4u

namespace aidcsim {

// SimGrid hosts by aidcsim index, resolved once: Engine::get_all_hosts and host_by_name walk the
// whole zone tree on every call.
struct PlatformHosts {
  std::vector<simgrid::s4u::Host*> servers;
  std::vector<simgrid::s4u::Host*> gpus;
  std::vector<simgrid::s4u::Host*> storage;
};

// Loads `file` into `engine` and builds the cluster; throws InputErrors listing every problem.
Cluster load_cluster(simgrid::s4u::Engine& engine, const std::string& file, PlatformHosts* hosts = nullptr);

// Fills cluster.topology_* counts and cluster.topology from the routes between `hosts`.
void build_topology(const PlatformHosts& hosts, Cluster& cluster);

// Sets cluster.routes: the routes between `hosts` as SimGrid's network model prices them.
void attach_routes(const PlatformHosts& hosts, Cluster& cluster);

// Textual description for `aidcsim platform info`.
std::string describe_cluster(const Cluster& cluster);

}  // namespace aidcsim
