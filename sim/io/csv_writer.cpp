#include "sim/io/csv_writer.hpp"

namespace aidcsim {

void append_hosts(std::string& out, const Allocation& allocation, const Cluster& cluster) {
  bool first = true;
  auto add = [&](const std::string& name) {
    if (!first) out += ';';
    out += name;
    first = false;
  };
  for (const auto& g : allocation.gpus) add(cluster.gpus[g.gpu].name);
  if (allocation.gpus.empty())
    for (const auto& s : allocation.servers) add(cluster.servers[s.server].name);
}

std::string hosts_of(const Allocation& allocation, const Cluster& cluster) {
  std::string out;
  append_hosts(out, allocation, cluster);
  return out;
}

}  // namespace aidcsim
