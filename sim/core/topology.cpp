#include "sim/core/topology.hpp"

#include <boost/graph/breadth_first_search.hpp>

namespace aidcsim {

int Topology::server_hops(ServerIndex a, ServerIndex b) const {
  std::vector<int> distance(boost::num_vertices(graph), -1);
  distance[server_vertex[a]] = 0;
  boost::breadth_first_search(
      graph, boost::vertex(server_vertex[a], graph),
      boost::visitor(boost::make_bfs_visitor(boost::record_distances(
          boost::make_iterator_property_map(distance.begin(), boost::get(boost::vertex_index, graph)),
          boost::on_tree_edge()))));
  return distance[server_vertex[b]];
}

}  // namespace aidcsim
