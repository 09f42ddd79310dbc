#pragma once
// Topology graph (Boost.Graph) built from SimGrid routes: GPU -> server -> fabric -> hub.
// Vertices are hosts and links; an edge joins consecutive elements of a route.
#include <boost/graph/adjacency_list.hpp>
#include <memory>
#include <vector>

#include "sim/cluster.hpp"

namespace aidcsim {

struct PlatformHosts;

struct Topology {
  using Graph = boost::adjacency_list<boost::setS, boost::vecS, boost::undirectedS>;
  Graph graph;
  std::vector<int> server_vertex;  // per ServerIndex
  std::vector<int> gpu_vertex;     // per GpuIndex
  // Hops between two servers' vertices (BFS); -1 when disconnected.
  int server_hops(ServerIndex a, ServerIndex b) const;
};

// Fills cluster.topology_* counts and cluster.topology.
void build_topology(const PlatformHosts& hosts, Cluster& cluster);

}  // namespace aidcsim
