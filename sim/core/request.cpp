#include "sim/core/request.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "sim/core/units.hpp"

namespace aidcsim {

std::string Request::shape_key() const {
  std::string key = fmt::format("{}|{}|{}|{}|", gpus, gpu_milli, cpus, mem_gib);
  for (char c : model_allowed) key += c ? '1' : '0';
  if (servers_allowed) key += fmt::format("|{}", static_cast<const void*>(servers_allowed));
  return key;
}

static int eligible_gpus_on(const Cluster& cluster, const Request& r, ServerIndex s) {
  const auto& gpus = cluster.servers[s].gpus;
  return static_cast<int>(std::count_if(gpus.begin(), gpus.end(), [&](GpuIndex g) { return r.allows(cluster.gpus[g]); }));
}

Layout layout_of(const Cluster& cluster, const Request& r, MultiGpu mode) {
  if (r.gpus <= 1) return Layout::one_server;
  switch (mode) {
    case MultiGpu::spread: return Layout::spread;
    case MultiGpu::whole_servers: return Layout::whole_servers;
    case MultiGpu::one_server: break;
  }
  return needs_whole_servers(cluster, r) ? Layout::whole_servers : Layout::one_server;
}

const char* multi_gpu_name(MultiGpu mode) {
  switch (mode) {
    case MultiGpu::spread: return "spread";
    case MultiGpu::whole_servers: return "whole-servers";
    case MultiGpu::one_server: break;
  }
  return "one-server";
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

double share_for_gpus(double total, int gpus_here, int gpus_total) {
  return gpus_total > 0 ? total * gpus_here / gpus_total : total;
}

bool server_resources_fit(const ClusterView& view, const Request& r, ServerIndex server, int gpus_here) {
  return view.ledger.free_cpus(server) + 1e-9 >= share_for_gpus(r.cpus, gpus_here, r.gpus) &&
         view.ledger.free_mem_gib(server) + 1e-9 >= share_for_gpus(r.mem_gib, gpus_here, r.gpus);
}

int gpus_that_fit(const ClusterView& view, const Request& r, ServerIndex server, int at_most) {
  int k = std::min<int>(at_most, static_cast<int>(usable_gpus(view, r, server).size()));
  while (k > 0 && !server_resources_fit(view, r, server, k)) --k;  // the share grows with k
  return k;
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
    a.servers.push_back({s, share_for_gpus(r.cpus, here, r.gpus), share_for_gpus(r.mem_gib, here, r.gpus)});
    remaining -= here;
  }
  if (remaining > 0) return std::nullopt;
  return a;
}

std::optional<Allocation> allocate_spread(const ClusterView& view, const Request& r, const std::vector<ServerIndex>& order) {
  Allocation a;
  int remaining = r.gpus;
  for (ServerIndex s : order) {
    if (remaining == 0) break;
    int here = gpus_that_fit(view, r, s, remaining);
    if (here == 0) continue;
    std::vector<GpuIndex> gpus = usable_gpus(view, r, s);
    for (int i = 0; i < here; ++i) a.gpus.push_back({gpus[i], r.gpu_milli});
    a.servers.push_back({s, share_for_gpus(r.cpus, here, r.gpus), share_for_gpus(r.mem_gib, here, r.gpus)});
    remaining -= here;
  }
  if (remaining > 0) return std::nullopt;
  return a;
}

Allocation allocation_from_gpus(const Cluster& cluster, const Request& r, const std::vector<GpuIndex>& gpus) {
  Allocation a;
  std::vector<std::pair<ServerIndex, int>> per_server;  // (server, GPUs there), in order of first GPU
  for (GpuIndex g : gpus) {
    a.gpus.push_back({g, r.gpu_milli});
    ServerIndex s = cluster.gpus[g].server;
    auto it = std::find_if(per_server.begin(), per_server.end(), [&](const auto& p) { return p.first == s; });
    if (it == per_server.end()) per_server.emplace_back(s, 1);
    else ++it->second;
  }
  for (const auto& [s, here] : per_server)
    a.servers.push_back({s, share_for_gpus(r.cpus, here, r.gpus), share_for_gpus(r.mem_gib, here, r.gpus)});
  return a;
}

std::string never_fits_reason(const Cluster& cluster, const Request& r, MultiGpu mode) {
  Ledger empty(cluster);
  ClusterView view{cluster, empty};
  std::vector<ServerIndex> all(cluster.servers.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<ServerIndex>(i);
  const Layout layout = layout_of(cluster, r, mode);
  if (layout == Layout::one_server) {
    for (ServerIndex s : all)
      if (allocate_on_server(view, r, s)) return "";
  } else if (layout == Layout::whole_servers ? allocate_whole_servers(view, r, all).has_value()
                                             : allocate_spread(view, r, all).has_value()) {
    // On the empty platform taking each server's most in turn finds a spread whenever one exists:
    // what a server can give depends on it alone.
    return "";
  }
  int eligible = 0;
  for (const auto& g : cluster.gpus) eligible += r.allows(g) ? 1 : 0;
  if (r.gpus > eligible)
    return fmt::format("needs {} GPUs{} but the platform has {}", r.gpus, r.model_allowed.empty() ? "" : " of the allowed models",
                       eligible);
  if (layout == Layout::spread)
    return fmt::format("{} CPUs and {} GiB memory do not fit beside its GPUs, even spread over servers in proportion to GPUs",
                       format_number(r.cpus), format_number(r.mem_gib));
  return fmt::format("no server can hold {} CPUs and {} GiB memory beside its GPUs", format_number(r.cpus),
                     format_number(r.mem_gib));
}

}  // namespace aidcsim
