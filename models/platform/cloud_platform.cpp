#include "models/platform/cloud_platform.hpp"

#include <fmt/format.h>

#include <set>
#include <stdexcept>

#include "models/cost/cloud_instances.hpp"

namespace aidcsim {

CloudNodeGroup parse_cloud_node_group(const std::string& text) {
  const auto first = text.find(':');
  const auto second = first == std::string::npos ? std::string::npos : text.find(':', first + 1);
  const std::string expected = "expected TYPE:COUNT or TYPE:COUNT:GROUP, e.g. p5.48xlarge:4:burst";
  if (first == std::string::npos || first == 0)
    throw std::invalid_argument(fmt::format("'{}': {}", text, expected));
  CloudNodeGroup g;
  g.instance_type = text.substr(0, first);
  const std::string count = text.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
  if (count.empty() || count.size() > 6 || count.find_first_not_of("0123456789") != std::string::npos)
    throw std::invalid_argument(fmt::format("'{}': the count '{}' is not a whole number; {}", text, count, expected));
  g.count = std::stoi(count);
  if (second != std::string::npos) {
    g.name = text.substr(second + 1);
    if (g.name.empty()) throw std::invalid_argument(fmt::format("'{}': empty group name; {}", text, expected));
  }
  return g;
}

ServerPlatform cloud_platform(const CloudPlatformOptions& options) {
  if (options.groups.empty()) throw std::invalid_argument("no instance types; expected at least one TYPE:COUNT");
  ServerPlatform p;
  p.fabric = options.fabric;
  std::set<std::string> names;
  std::string summary;
  for (const CloudNodeGroup& g : options.groups) {
    const CloudInstanceType* type = find_cloud_instance(g.instance_type);
    if (!type) {
      std::string known;
      for (const auto& preset : cloud_price_presets())
        for (const auto& i : preset.instances) known += (known.empty() ? "" : ", ") + i.name;
      throw std::invalid_argument(fmt::format("unknown instance type '{}'; known: {}", g.instance_type, known));
    }
    if (g.count < 1) throw std::invalid_argument(fmt::format("'{}': the count must be at least 1", g.instance_type));
    const std::string group = g.name.empty() ? type->name : g.name;
    if (!names.insert(group).second)
      throw std::invalid_argument(fmt::format("node group '{}' is given twice; expected one TYPE:COUNT:GROUP per group", group));
    for (int k = 0; k < g.count; ++k) {
      ServerSpec s;
      s.id = fmt::format("{}-{:03}", group, k);
      s.cores = type->vcpus;
      s.core_speed_flops = p.fabric.core_speed_flops;
      s.memory = fmt::format("{:g}GiB", type->memory_gib);
      s.idle_w = p.fabric.server_idle_w;
      s.max_w = p.fabric.server_max_w;
      s.gpus = type->gpus;
      s.gpu_model = type->gpu_model;
      if (type->nic_gbps > 0) s.nic_bw_Bps = type->nic_gbps * 1e9 / 8;
      s.props = {{"instance_type", type->name}, {"node_group", group}};
      p.servers.push_back(std::move(s));
    }
    summary += fmt::format("\n  {} x {} ({}, {} x {}, {} vCPUs, {:g} GiB, NIC {}; {} ${}/h in {} on {}) as node_group {}",
                           g.count, type->name, type->provider, type->gpus, type->gpu_model, type->vcpus,
                           type->memory_gib,
                           type->nic_gbps > 0 ? fmt::format("{:g} Gbit/s", type->nic_gbps) : "not recorded: the fabric's",
                           "on-demand", type->usd_per_hour, type->region, type->price_date, group);
  }
  p.title = "aidcsim cloud platform: instance types of the cost price tables (docs/cost.md):" + summary;
  return p;
}

}  // namespace aidcsim
