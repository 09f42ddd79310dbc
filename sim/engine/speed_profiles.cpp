#include "sim/engine/speed_profiles.hpp"

#include <fmt/format.h>
#include <simgrid/kernel/ProfileBuilder.hpp>
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <map>

namespace aidcsim {

void apply_speed_profiles(const PlatformHosts& hosts, const std::vector<HostSlowdown>& slowdowns) {
  // Per host: time -> speed scale, full speed from 0 and after every episode (episodes of one host
  // do not overlap; one that starts where another ends overrides its return to 1).
  std::map<simgrid::s4u::Host*, std::map<double, double>> scales;
  std::vector<HostSlowdown> ordered = slowdowns;
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const HostSlowdown& a, const HostSlowdown& b) { return a.start_s < b.start_s; });
  for (const HostSlowdown& s : ordered) {
    simgrid::s4u::Host* host = s.host.on_gpu ? hosts.gpus[s.host.index] : hosts.servers[s.host.index];
    auto& at = scales[host];
    at.emplace(0.0, 1.0);
    at[s.end_s] = 1.0;
    at[s.start_s] = s.factor;
  }
  for (const auto& [host, at] : scales) {
    std::string text;
    for (const auto& [time_s, scale] : at) text += fmt::format("{:.17g} {:.17g}\n", time_s, scale);
    host->set_speed_profile(simgrid::kernel::profile::ProfileBuilder::from_string(host->get_name() + "-straggler", text, -1));
  }
}

}  // namespace aidcsim
