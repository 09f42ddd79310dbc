// The topology graph of sim/core/topology.hpp, built from SimGrid routes.
#include <boost/graph/connected_components.hpp>
#include <simgrid/s4u.hpp>

#include <unordered_map>

#include "sim/core/topology.hpp"
#include "sim/engine/platform_loader.hpp"

namespace aidcsim {

namespace sg4 = simgrid::s4u;

namespace {
class Builder {
 public:
  explicit Builder(Topology& t) : t_(t) {}
  int vertex_of(const void* element) {
    auto [it, inserted] = ids_.try_emplace(element, 0);
    if (inserted) it->second = static_cast<int>(boost::add_vertex(t_.graph));
    return it->second;
  }
  // Adds the path src, links..., dst as a chain of edges.
  void add_route(const sg4::Host* src, const sg4::Host* dst) {
    std::vector<sg4::Link*> links;
    double latency = 0;
    src->route_to(dst, links, &latency);
    int previous = vertex_of(src);
    for (const sg4::Link* l : links) {
      int v = vertex_of(l);
      boost::add_edge(previous, v, t_.graph);
      previous = v;
    }
    boost::add_edge(previous, vertex_of(dst), t_.graph);
  }

 private:
  Topology& t_;
  std::unordered_map<const void*, int> ids_;
};
}  // namespace

void build_topology(const PlatformHosts& hosts, Cluster& cluster) {
  auto topology = std::make_shared<Topology>();
  Builder builder(*topology);
  // A hub every server routes to: the first storage host, else the first server. Routes to a single
  // hub cost O(servers) queries instead of O(servers^2), and still expose racks and spines.
  const sg4::Host* hub = nullptr;
  if (!hosts.storage.empty()) hub = hosts.storage.front();
  else if (!hosts.servers.empty()) hub = hosts.servers.front();
  for (const sg4::Host* h : hosts.servers) {
    topology->server_vertex.push_back(builder.vertex_of(h));
    if (hub && h != hub) builder.add_route(h, hub);
  }
  for (const sg4::Host* h : hosts.storage) {
    builder.vertex_of(h);
    if (hub && h != hub) builder.add_route(h, hub);
  }
  for (std::size_t g = 0; g < hosts.gpus.size(); ++g) {
    topology->gpu_vertex.push_back(builder.vertex_of(hosts.gpus[g]));
    builder.add_route(hosts.gpus[g], hosts.servers[cluster.gpus[g].server]);
  }
  std::vector<int> component(boost::num_vertices(topology->graph));
  cluster.topology_components =
      component.empty() ? 0 : boost::connected_components(topology->graph, component.data());
  cluster.topology_vertices = static_cast<int>(boost::num_vertices(topology->graph));
  cluster.topology_edges = static_cast<int>(boost::num_edges(topology->graph));
  cluster.topology = std::move(topology);
}

}  // namespace aidcsim
