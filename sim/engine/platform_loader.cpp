#include "sim/engine/platform_loader.hpp"

#include <fmt/format.h>
#include <simgrid/Exception.hpp>
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <cctype>
#include <fstream>
#include <set>

#include "models/platform/gpu_models.hpp"
#include "sim/metrics/energy.hpp"
#include "sim/core/topology.hpp"
#include "sim/core/units.hpp"
#include "sim/engine/platform_xml_check.hpp"

namespace aidcsim {

namespace sg4 = simgrid::s4u;

static std::string property(const sg4::Host* host, const char* key) {
  const char* value = host->get_property(key);
  return value ? std::string(value) : std::string();
}

static std::vector<DiskInfo> disks_of(const sg4::Host* host) {
  std::vector<DiskInfo> out;
  for (const sg4::Disk* d : host->get_disks())
    out.push_back({d->get_name(), d->get_read_bandwidth(), d->get_write_bandwidth()});
  return out;
}

static double memory_gib(const sg4::Host* host, const char* key, const std::string& file, ProblemList& problems) {
  std::string text = property(host, key);
  if (text.empty()) return 0;
  auto bytes = parse_size_bytes(text);
  if (!bytes) {
    problems.add(file, 0, host->get_name(),
                 fmt::format("prop '{}' is '{}', expected a size such as 512GiB, 80GB or 1TiB", key, text));
    return 0;
  }
  return *bytes / kGiB;
}

// The host's energy profile from its props (docs/energy.md); GPUs without `wattage_per_state` take
// their model's defaults (models/platform/gpu_models.cpp), servers without it have none.
static HostPower power_of(const sg4::Host* host, const std::string& gpu_model, const std::string& file,
                          ProblemList& problems) {
  std::string per_state = property(host, "wattage_per_state"), off = property(host, "wattage_off");
  if (!per_state.empty()) {
    std::string error;
    if (auto p = parse_host_power(per_state, off, static_cast<int>(host->get_pstate_count()), error)) return *p;
    problems.add(file, 0, host->get_name(), error);
    return {};
  }
  HostPower p;
  if (const GpuModelInfo* info = gpu_model.empty() ? nullptr : find_gpu_model(gpu_model)) {
    p.known = true;
    p.idle_w = p.epsilon_w = info->idle_w;
    p.full_w = info->max_w;
    std::string error;
    if (!off.empty()) {
      if (auto parsed = parse_host_power("0:0", off, 1, error)) p.off_w = parsed->off_w;
      else problems.add(file, 0, host->get_name(), error);
    }
  }
  return p;
}

// SimGrid's messages can span lines and list every host of the platform ("Existing hosts: 'a', 'b', ...");
// an error line says what is wrong in one line, with the first few names and a count.
static std::string one_line(const std::string& message) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= message.size()) {
    std::size_t end = message.find('\n', start);
    std::string part = message.substr(start, end == std::string::npos ? std::string::npos : end - start);
    while (!part.empty() && std::isspace(static_cast<unsigned char>(part.back()))) part.pop_back();
    if (!part.empty()) parts.push_back(part);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  std::string out;
  for (std::size_t i = 0; i < parts.size() && i < 3; ++i) {
    std::string part = parts[i];
    // A long list: its first five items, then how many more.
    std::size_t commas = 0, cut = std::string::npos;
    for (std::size_t k = 0; k < part.size(); ++k)
      if (part[k] == ',' && ++commas == 5) cut = k;
    if (commas > 8) part = fmt::format("{}, ... ({} more)", part.substr(0, cut), commas - 4);
    out += (out.empty() ? "" : " ") + part;
  }
  if (parts.size() > 3) out += fmt::format(" ({} more lines)", parts.size() - 3);
  return out;
}

Cluster load_cluster(sg4::Engine& engine, const std::string& file, PlatformHosts* hosts_out) {
  if (std::string why = input_file_problem(file); !why.empty())
    throw InputErrors({{file, 0, "", why == "file not found" ? "platform file not found" : why}});
  check_platform_xml(file);  // the mistakes on which SimGrid would abort the process
  try {
    engine.load_platform(file);
    engine.seal_platform();  // routes (route_to) exist only once the platform is sealed
  } catch (const simgrid::ParseError& e) {
    throw InputErrors({{file, 0, "", fmt::format("SimGrid could not parse the platform: {}", one_line(e.what()))}});
  } catch (const std::exception& e) {
    throw InputErrors({{file, 0, "", fmt::format("SimGrid could not load the platform: {}", one_line(e.what()))}});
  }

  Cluster cluster;
  cluster.platform_file = file;
  ProblemList problems;
  std::vector<sg4::Host*> hosts = engine.get_all_hosts();
  std::sort(hosts.begin(), hosts.end(),
            [](const sg4::Host* a, const sg4::Host* b) { return natural_less(a->get_name(), b->get_name()); });
  // SimGrid loads these, then aborts the process ("The Impossible Did Happen") once an activity runs
  // on such a host or sends through such a link.
  for (const sg4::Host* h : hosts)
    if (!(h->get_speed() > 0))
      problems.add(file, 0, h->get_name(), fmt::format("speed is {} flop/s; expected a speed > 0 (e.g. 1Gf)", h->get_speed()));
  std::vector<sg4::Link*> links = engine.get_all_links();
  std::sort(links.begin(), links.end(),
            [](const sg4::Link* a, const sg4::Link* b) { return natural_less(a->get_name(), b->get_name()); });
  for (const sg4::Link* l : links)
    if (!(l->get_bandwidth() > 0))
      problems.add(file, 0, l->get_name(),
                   fmt::format("link bandwidth is {} B/s; expected a bandwidth > 0 (e.g. 10GBps)", l->get_bandwidth()));

  std::map<std::string, ServerIndex> server_of_name;
  std::map<std::string, int> rack_index;  // rack prop -> Server::rack
  std::vector<sg4::Host*> gpu_hosts;
  PlatformHosts resolved;
  for (sg4::Host* h : hosts) {
    std::string kind = property(h, "kind");
    if (kind.empty() || kind == "server") {
      Server s;
      s.name = h->get_name();
      s.cores = h->get_core_count();
      s.core_speed_flops = h->get_speed();
      s.memory_gib = memory_gib(h, "memory", file, problems);
      s.disks = disks_of(h);
      s.power = power_of(h, "", file, problems);
      if (const auto* props = h->get_properties()) {
        s.props.assign(props->begin(), props->end());
        std::sort(s.props.begin(), s.props.end());
      }
      if (std::string rack = property(h, "rack"); !rack.empty())  // written by the fat-tree generator
        s.rack = rack_index.try_emplace(rack, static_cast<int>(rack_index.size())).first->second;
      server_of_name[s.name] = static_cast<ServerIndex>(cluster.servers.size());
      cluster.servers.push_back(std::move(s));
      resolved.servers.push_back(h);
    } else if (kind == "gpu") {
      gpu_hosts.push_back(h);
    } else if (kind == "storage") {
      cluster.storage.push_back({h->get_name(), disks_of(h)});
      resolved.storage.push_back(h);
    } else {
      problems.add(file, 0, h->get_name(),
                   fmt::format("prop 'kind' is '{}', expected one of: server, gpu, storage", kind));
    }
  }

  std::set<std::string> models;
  for (sg4::Host* h : gpu_hosts) {
    Gpu g;
    g.name = h->get_name();
    g.model = property(h, "gpu_model");
    g.speed_flops = h->get_speed();
    g.memory_gib = memory_gib(h, "gpu_memory", file, problems);
    g.cores = h->get_core_count();
    g.power = power_of(h, g.model, file, problems);
    std::string server = property(h, "server");
    if (g.model.empty()) problems.add(file, 0, g.name, "GPU host has no prop 'gpu_model' (e.g. A100-80GB)");
    auto it = server_of_name.find(server);
    if (server.empty()) {
      problems.add(file, 0, g.name, "GPU host has no prop 'server' naming its server host");
      continue;
    }
    if (it == server_of_name.end()) {
      problems.add(file, 0, g.name, fmt::format("prop 'server' is '{}', which is not a server host", server));
      continue;
    }
    g.server = it->second;
    models.insert(g.model);
    cluster.servers[g.server].gpus.push_back(static_cast<GpuIndex>(cluster.gpus.size()));
    cluster.gpus.push_back(std::move(g));
    resolved.gpus.push_back(h);
  }
  if (hosts.empty())
    problems.add(file, 0, "platform", "the platform has no host; expected at least one <host> (a server)");
  else if (cluster.servers.empty())
    problems.add(file, 0, "platform", "the platform has no server host; expected at least one <host> of kind server");
  problems.throw_if_any();

  cluster.gpu_models.assign(models.begin(), models.end());
  for (std::size_t i = 0; i < cluster.gpu_models.size(); ++i) cluster.model_index[cluster.gpu_models[i]] = int(i);
  for (auto& g : cluster.gpus) g.model_index = cluster.model_index[g.model];
  for (const auto& s : cluster.servers)
    cluster.max_gpus_per_server = std::max<int>(cluster.max_gpus_per_server, int(s.gpus.size()));

  build_topology(resolved, cluster);
  attach_routes(resolved, cluster);
  if (hosts_out) *hosts_out = std::move(resolved);
  return cluster;
}

std::string describe_cluster(const Cluster& cluster) {
  std::string out = fmt::format("platform: {}\n", cluster.platform_file);
  std::size_t gpu_servers = std::count_if(cluster.servers.begin(), cluster.servers.end(),
                                          [](const Server& s) { return !s.gpus.empty(); });
  double cores = 0, memory = 0;
  for (const auto& s : cluster.servers) {
    cores += s.cores;
    memory += s.memory_gib;
  }
  out += fmt::format("servers: {} ({} with GPUs), {} cores, {} GiB memory\n", cluster.servers.size(), gpu_servers,
                     cores, format_number(memory));
  out += fmt::format("gpus: {}\n", cluster.gpus.size());
  for (const auto& m : cluster.gpu_models) {
    std::size_t servers_with = std::count_if(cluster.servers.begin(), cluster.servers.end(), [&](const Server& s) {
      return std::any_of(s.gpus.begin(), s.gpus.end(), [&](GpuIndex g) { return cluster.gpus[g].model == m; });
    });
    out += fmt::format("  {}: {} GPUs on {} servers\n", m, cluster.gpus_of_model(m), servers_with);
  }
  out += fmt::format("storage hosts: {}\n", cluster.storage.size());
  out += fmt::format("topology graph: {} vertices, {} edges, {} connected component{}\n", cluster.topology_vertices,
                     cluster.topology_edges, cluster.topology_components,
                     cluster.topology_components == 1 ? "" : "s");
  return out;
}

}  // namespace aidcsim
