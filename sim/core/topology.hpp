#pragma once
// Topology graph (Boost.Graph): GPU -> server -> fabric -> hub, built from SimGrid routes by
// build_topology() (sim/engine/platform_loader.hpp).
// Vertices are hosts and links; an edge joins consecutive elements of a route.
#include <boost/graph/adjacency_list.hpp>
#include <memory>
#include <vector>

#include "sim/core/cluster.hpp"

namespace aidcsim {

struct Topology {
  using Graph = boost::adjacency_list<boost::setS, boost::vecS, boost::undirectedS>;
  Graph graph;
  std::vector<int> server_vertex;  // per ServerIndex
  std::vector<int> gpu_vertex;     // per GpuIndex
  // Hops between two servers' vertices (BFS); -1 when disconnected.
  int server_hops(ServerIndex a, ServerIndex b) const;
};

}  // namespace aidcsim
