#include "sim/io/csv_writer.hpp"

namespace aidcsim {

void append_csv_field(std::string& out, std::string_view text) {
  if (text.find_first_of(",\"\n\r") == std::string_view::npos) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string csv_quote(std::string_view text) {
  std::string out;
  append_csv_field(out, text);
  return out;
}

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
