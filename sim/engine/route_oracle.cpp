// Cluster::routes: the platform's routes as a lone communication sees them, from SimGrid's routing
// and network model (the only place that asks SimGrid; the iterations model reads the answers).
#include <simgrid/s4u.hpp>
#include <xbt/config.hpp>

#include <limits>

#include "sim/engine/platform_loader.hpp"

namespace aidcsim {
namespace {

namespace sg4 = simgrid::s4u;

class SimGridRoutes final : public RouteOracle {
 public:
  explicit SimGridRoutes(const PlatformHosts& hosts)
      : gpus_(hosts.gpus), servers_(hosts.servers), storage_(hosts.storage) {
    // LV08 (SimGrid's default) scales latencies by 13.01 and bandwidths by 0.97 (docs/network.md);
    // CM02 applies none, and without cross-traffic a lone transfer takes latency + bytes / bandwidth.
    const std::string model = simgrid::config::get_value<std::string>("network/model");
    if (model == "LV08") {
      latency_factor_ = 13.01;
      bandwidth_factor_ = 0.97;
    }
    exact_ = model == "CM02" && !simgrid::config::get_value<bool>("network/crosstraffic");
    tcp_gamma_bytes_ = simgrid::config::get_value<double>("network/TCP-gamma");
  }

  NetworkRoute route(HostRef from, HostRef to) const override { return between(host(from), host(to)); }
  NetworkRoute storage_route(std::uint32_t storage, ServerIndex server, bool to_storage) const override {
    return to_storage ? between(servers_[server], storage_[storage]) : between(storage_[storage], servers_[server]);
  }
  bool exact() const override { return exact_; }

 private:
  NetworkRoute between(sg4::Host* from, sg4::Host* to) const {
    NetworkRoute r;
    std::vector<sg4::Link*> links;
    double latency = 0;
    from->route_to(to, links, &latency);
    r.latency_s = latency * latency_factor_;
    for (sg4::Link* link : links)
      r.links.emplace_back(reinterpret_cast<std::uintptr_t>(link), link->get_bandwidth() * bandwidth_factor_);
    // CM02's TCP window bound on a flow's rate: gamma / (2 x latency).
    if (tcp_gamma_bytes_ > 0 && latency > 0)
      r.links.emplace_back(0, tcp_gamma_bytes_ / (2 * latency));
    return r;
  }
  sg4::Host* host(HostRef h) const { return h.on_gpu ? gpus_[h.index] : servers_[h.index]; }
  std::vector<sg4::Host*> gpus_, servers_, storage_;
  double latency_factor_ = 1, bandwidth_factor_ = 1, tcp_gamma_bytes_ = 0;
  bool exact_ = false;
};

}  // namespace

void attach_routes(const PlatformHosts& hosts, Cluster& cluster) {
  cluster.routes = std::make_shared<SimGridRoutes>(hosts);
}

}  // namespace aidcsim
