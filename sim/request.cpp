#include "sim/request.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "sim/units.hpp"

namespace aidcsim {

std::string Request::shape_key() const {
  std::string key = fmt::format("{}|{}|{}|{}|", gpus, gpu_milli, cpus, mem_gib);
  for (char c : model_allowed) key += c ? '1' : '0';
  return key;
}

static int eligible_gpus_on(const Cluster& cluster, const Request& r, ServerIndex s) {
  const auto& gpus = cluster.servers[s].gpus;
  return static_cast<int>(std::count_if(gpus.begin(), gpus.end(), [&](GpuIndex g) { return r.allows(cluster.gpus[g]); }));
}

bool needs_whole_servers(const Cluster& cluster, const Request& r) {
  if (r.gpus <= 1) return false;
  return r.gpus > cluster.max_gpus_per_server ||
         std::none_of(cluster.servers.begin(), cluster.servers.end(), [&](const Server& s) {
           return eligible_gpus_on(cluster, r, static_cast<ServerIndex>(&s - cluster.servers.data())) >= r.gpus;
         });
}

std::vector<GpuIndex> usable_gpus(const ClusterView& view, const Request& r, ServerIndex server) {
  std::vector<GpuIndex> out;
  for (GpuIndex g : view.cluster.servers[server].gpus)
    if (r.allows(view.cluster.gpus[g]) && view.ledger.free_milli(g) >= r.gpu_milli) out.push_back(g);
  return out;
}

static double share_of(double total, int gpus_here, int gpus_total) {
  return gpus_total > 0 ? total * gpus_here / gpus_total : total;
}

bool server_resources_fit(const ClusterView& view, const Request& r, ServerIndex server, int gpus_here) {
  return view.ledger.free_cpus(server) + 1e-9 >= share_of(r.cpus, gpus_here, r.gpus) &&
         view.ledger.free_mem_gib(server) + 1e-9 >= share_of(r.mem_gib, gpus_here, r.gpus);
}

std::optional<Allocation> allocate_on_server(const ClusterView& view, const Request& r, ServerIndex server) {
  if (!server_resources_fit(view, r, server, r.gpus)) return std::nullopt;
  Allocation a;
  if (r.gpus > 0) {
    std::vector<GpuIndex> gpus = usable_gpus(view, r, server);
    if (static_cast<int>(gpus.size()) < r.gpus) return std::nullopt;
    for (int i = 0; i < r.gpus; ++i) a.gpus.push_back({gpus[i], r.gpu_milli});
  }
  a.servers.push_back({server, r.cpus, r.mem_gib});
  return a;
}

std::optional<Allocation> allocate_whole_servers(const ClusterView& view, const Request& r,
                                                 const std::vector<ServerIndex>& order) {
  Allocation a;
  int remaining = r.gpus;
  for (ServerIndex s : order) {
    if (remaining == 0) break;
    if (!view.ledger.server_idle(s)) continue;
    std::vector<GpuIndex> gpus = usable_gpus(view, r, s);
    if (gpus.empty()) continue;
    int here = std::min<int>(remaining, static_cast<int>(gpus.size()));
    if (!server_resources_fit(view, r, s, here)) continue;
    for (int i = 0; i < here; ++i) a.gpus.push_back({gpus[i], r.gpu_milli});
    a.servers.push_back({s, share_of(r.cpus, here, r.gpus), share_of(r.mem_gib, here, r.gpus)});
    remaining -= here;
  }
  if (remaining > 0) return std::nullopt;
  return a;
}

std::string never_fits_reason(const Cluster& cluster, const Request& r) {
  Ledger empty(cluster);
  ClusterView view{cluster, empty};
  std::vector<ServerIndex> all(cluster.servers.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<ServerIndex>(i);
  if (r.gpus == 0 || !needs_whole_servers(cluster, r)) {
    for (ServerIndex s : all)
      if (allocate_on_server(view, r, s)) return "";
  } else if (allocate_whole_servers(view, r, all)) {
    return "";
  }
  int eligible = 0;
  for (const auto& g : cluster.gpus) eligible += r.allows(g) ? 1 : 0;
  if (r.gpus > eligible)
    return fmt::format("needs {} GPUs{} but the platform has {}", r.gpus, r.model_allowed.empty() ? "" : " of the allowed models",
                       eligible);
  return fmt::format("no server can hold {} CPUs and {} GiB memory beside its GPUs", format_number(r.cpus),
                     format_number(r.mem_gib));
}

}  // namespace aidcsim
