// Topology: locality on the platform graph.
//   * A job that fits one server gets one server (the shared placement rule), the one left with the
//     fewest free GPUs after placement (ties: fewest free CPUs, then platform order), so that whole
//     servers stay free for the jobs that need several.
//   * A larger job takes whole idle servers, choosing, in this order of importance: the fewest
//     servers, the fewest racks (Server::rack, the fat-tree generator's `rack` prop), and the smallest
//     largest distance between its GPUs (hops on the Boost.Graph topology built from SimGrid routes;
//     without a graph: 0 on one server, 1 within a rack, 2 across racks). Candidate sets are grown
//     greedily around seed servers, nearest first (same rack, then fewer hops, then more eligible
//     GPUs, then platform order); one seed per rack, or up to 32 seeds without racks.
//   * Option "multi_gpu" (multi_gpu.hpp): "whole-servers" sends every multi-GPU job the second way;
//     "spread" keeps a job on one server when one can hold it, else chooses its servers the second
//     way among all servers with room (idle or not), each giving the GPUs it can with their share of
//     CPUs and memory.
#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <deque>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "models/placement/multi_gpu.hpp"
#include "models/placement/placements.hpp"
#include "models/placement/scoring.hpp"
#include "sim/core/topology.hpp"

namespace aidcsim {
namespace {

class Topo final : public PlacementPolicy, public placement::LaysOutAcrossServers {
 public:
  std::optional<Allocation> place(const Request& r, const ClusterView& view) override {
    if (r.gpus > 0 && needs_whole_servers(view.cluster, r)) return place_multi(r, view, Layout::whole_servers);
    return place_one(r, view);
  }

  std::optional<Allocation> place_across(const Request& r, const ClusterView& view, Layout layout) override {
    if (layout == Layout::one_server) return place_one(r, view);
    if (layout == Layout::spread)
      if (auto one = place_one(r, view)) return one;  // one server beats any set of several
    return place_multi(r, view, layout);
  }

 private:
  std::optional<Allocation> place_one(const Request& r, const ClusterView& view) {
    std::optional<ServerIndex> best;
    std::tuple<long long, long long> best_key{};
    const auto servers = static_cast<ServerIndex>(view.cluster.servers.size());
    placement::NodeRes n;
    for (ServerIndex s = 0; s < servers; ++s) {
      if (!placement::fits_single_server(view, r, s)) continue;
      placement::read_node(view, s, n);
      std::tuple<long long, long long> key{n.gpu_left_total() - placement::request_gpu_milli(r),
                                           n.cpu_left_milli - placement::request_cpu_milli(r)};
      if (!best || key < best_key) {
        best = s;
        best_key = key;
      }
    }
    if (!best) return std::nullopt;
    std::mt19937_64 unused(0);
    return placement::allocation_on(r, *best, placement::choose_gpus(view, r, *best, placement::GpuChoice::best, unused));
  }

  // Hops from server a's vertex to every vertex (cached: the graph never changes).
  const std::vector<int>& distances_from(const Cluster& c, ServerIndex a) {
    auto it = bfs_.find(a);
    if (it != bfs_.end()) return it->second;
    if (bfs_.size() >= 512) bfs_.clear();  // bounded memory on large platforms
    const auto& g = c.topology->graph;
    std::vector<int> d(boost::num_vertices(g), -1);
    std::deque<std::size_t> queue{static_cast<std::size_t>(c.topology->server_vertex[a])};
    d[queue.front()] = 0;
    while (!queue.empty()) {
      std::size_t v = queue.front();
      queue.pop_front();
      for (auto [e, end] = boost::adjacent_vertices(v, g); e != end; ++e)
        if (d[*e] < 0) {
          d[*e] = d[v] + 1;
          queue.push_back(*e);
        }
    }
    return bfs_.emplace(a, std::move(d)).first->second;
  }

  int distance(const Cluster& c, ServerIndex a, ServerIndex b) {
    if (a == b) return 0;
    if (c.topology && a < c.topology->server_vertex.size() && b < c.topology->server_vertex.size()) {
      int d = distances_from(c, a)[c.topology->server_vertex[b]];
      return d < 0 ? 1 << 20 : d;
    }
    int ra = c.servers[a].rack, rb = c.servers[b].rack;
    return ra >= 0 && ra == rb ? 1 : 2;
  }

  // Several servers: whole idle ones (Layout::whole_servers), or any with room (Layout::spread).
  std::optional<Allocation> place_multi(const Request& r, const ClusterView& view, Layout layout) {
    const bool spread = layout == Layout::spread;
    const Cluster& c = view.cluster;
    struct Candidate {
      ServerIndex server;
      int gpus;
    };
    std::vector<Candidate> candidates;
    for (ServerIndex s = 0; s < c.servers.size(); ++s) {
      if (spread) {
        if (int room = gpus_that_fit(view, r, s, r.gpus); room > 0) candidates.push_back({s, room});
        continue;
      }
      if (!view.ledger.server_idle(s)) continue;
      int eligible = static_cast<int>(usable_gpus(view, r, s).size());
      if (eligible > 0 && server_resources_fit(view, r, s, std::min(eligible, r.gpus)))
        candidates.push_back({s, eligible});
    }
    // Seeds: the candidate with the most eligible GPUs of each rack, or the 32 largest without racks.
    std::vector<ServerIndex> seeds;
    std::map<int, std::size_t> best_in_rack;
    std::vector<Candidate> by_size = candidates;
    std::stable_sort(by_size.begin(), by_size.end(), [](const Candidate& a, const Candidate& b) { return a.gpus > b.gpus; });
    for (const auto& cand : by_size) {
      int rack = c.servers[cand.server].rack;
      if (rack >= 0) {
        if (best_in_rack.emplace(rack, cand.server).second) seeds.push_back(cand.server);
      } else if (seeds.size() < 32) {
        seeds.push_back(cand.server);
      }
    }
    std::optional<std::vector<ServerIndex>> best;
    std::tuple<std::size_t, std::size_t, int> best_key{};
    for (ServerIndex seed : seeds) {
      const int seed_rack = c.servers[seed].rack;
      std::vector<std::tuple<int, int, int, ServerIndex>> order;  // (other rack, hops, -gpus, server)
      std::unordered_map<ServerIndex, int> gpus_of;
      for (const auto& cand : candidates) {
        int rack = c.servers[cand.server].rack;
        order.emplace_back(seed_rack >= 0 && rack == seed_rack ? 0 : 1, distance(c, seed, cand.server), -cand.gpus,
                           cand.server);
        gpus_of[cand.server] = cand.gpus;
      }
      std::sort(order.begin(), order.end());
      std::vector<ServerIndex> chosen;
      int have = 0;
      for (const auto& o : order) {
        if (have >= r.gpus) break;
        chosen.push_back(std::get<3>(o));
        have += gpus_of[std::get<3>(o)];
      }
      if (have < r.gpus) continue;
      std::set<int> racks;
      for (ServerIndex s : chosen) racks.insert(c.servers[s].rack >= 0 ? c.servers[s].rack : -1 - static_cast<int>(s));
      int widest = 0;
      for (std::size_t i = 0; i < chosen.size(); ++i)
        for (std::size_t j = i + 1; j < chosen.size(); ++j) widest = std::max(widest, distance(c, chosen[i], chosen[j]));
      std::tuple<std::size_t, std::size_t, int> key{chosen.size(), racks.size(), widest};
      if (!best || key < best_key) {
        best = chosen;
        best_key = key;
      }
    }
    if (!best) return std::nullopt;
    // Larger servers first, so the allocation fills them before the last, partly used one.
    std::unordered_map<ServerIndex, int> room;
    for (const auto& cand : candidates) room[cand.server] = cand.gpus;
    std::stable_sort(best->begin(), best->end(), [&](ServerIndex a, ServerIndex b) { return room[a] > room[b]; });
    return spread ? allocate_spread(view, r, *best) : allocate_whole_servers(view, r, *best);
  }

  std::unordered_map<ServerIndex, std::vector<int>> bfs_;
};
}  // namespace

std::unique_ptr<PlacementPolicy> make_topology(PolicyArgs&) { return std::make_unique<Topo>(); }

}  // namespace aidcsim
