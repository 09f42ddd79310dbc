#include "models/failures/stragglers.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "sim/core/units.hpp"

namespace aidcsim {

std::unordered_map<std::string, HostRef> hosts_by_name(const Cluster& cluster) {
  std::unordered_map<std::string, HostRef> hosts;
  for (std::size_t s = 0; s < cluster.servers.size(); ++s) hosts[cluster.servers[s].name] = {false, static_cast<std::uint32_t>(s)};
  for (std::size_t g = 0; g < cluster.gpus.size(); ++g) hosts[cluster.gpus[g].name] = {true, static_cast<std::uint32_t>(g)};
  return hosts;
}

std::vector<HostSlowdown> read_stragglers(OptionReader& failures, const Cluster& cluster) {
  std::vector<HostSlowdown> out;
  const auto hosts = hosts_by_name(cluster);
  for (OptionReader& r : failures.items("stragglers")) {
    const std::string name = r.text("host", "");
    const auto host = hosts.find(name);
    if (host == hosts.end())
      r.problem("host", name.empty() ? "missing; expected a server or GPU of the platform"
                                     : fmt::format("\"{}\" is not a server or GPU of the platform", name));
    HostSlowdown s;
    s.start_s = r.number("start_s", 0, 0, kMaxTime_s);
    s.end_s = s.start_s + r.number("duration_s", 0, 0, kMaxTime_s);
    s.factor = r.number("factor", 0.5, 0.001, 1);
    if (!r.has("duration_s")) r.problem("duration_s", "missing; expected how long the host is slow, in s");
    r.reject_unknown();
    if (host == hosts.end() || !r.has("duration_s")) continue;
    s.host = host->second;
    for (std::size_t i = 0; i < out.size(); ++i)
      if (out[i].host == s.host && s.start_s < out[i].end_s && out[i].start_s < s.end_s) {
        r.problem("start_s", fmt::format("{} overlaps the episode of {} from {} to {}; expected one factor at a time",
                                         format_number(s.start_s), name, format_number(out[i].start_s),
                                         format_number(out[i].end_s)));
        break;
      }
    out.push_back(s);
  }
  return out;
}

}  // namespace aidcsim
