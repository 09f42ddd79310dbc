#include "sim/core/cluster.hpp"

#include <algorithm>
#include <cctype>

namespace aidcsim {

int Cluster::gpus_of_model(const std::string& model) const {
  return static_cast<int>(std::count_if(gpus.begin(), gpus.end(), [&](const Gpu& g) { return g.model == model; }));
}

bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      std::size_t i_end = i, j_end = j;
      while (i_end < a.size() && std::isdigit(static_cast<unsigned char>(a[i_end]))) ++i_end;
      while (j_end < b.size() && std::isdigit(static_cast<unsigned char>(b[j_end]))) ++j_end;
      std::string_view da(a.data() + i, i_end - i), db(b.data() + j, j_end - j);
      while (da.size() > 1 && da.front() == '0') da.remove_prefix(1);
      while (db.size() > 1 && db.front() == '0') db.remove_prefix(1);
      if (da.size() != db.size()) return da.size() < db.size();
      if (da != db) return da < db;
      i = i_end;
      j = j_end;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

std::string server_property(const Cluster& cluster, ServerIndex s, const std::string& key) {
  const Server& server = cluster.servers[s];
  for (const auto& [name, value] : server.props)
    if (name == key) return value;
  if (key == "gpu_model" && !server.gpus.empty()) return cluster.gpus[server.gpus.front()].model;
  if (key == "name") return server.name;
  return "";
}

}  // namespace aidcsim
