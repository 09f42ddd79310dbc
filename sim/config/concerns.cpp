#include "sim/config/concerns.hpp"

#include <stdexcept>

namespace aidcsim {

namespace {
template <auto Member>
std::vector<std::pair<std::string, std::string>> entries_of(const Registries& r) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : (r.*Member).entries()) out.emplace_back(e.name, e.description);
  return out;
}
}  // namespace

const std::vector<ConcernDecl>& concern_table() {
  static const std::vector<ConcernDecl> table = {  // immutable after construction
      {"scheduler.policy", "fifo", "docs/schedulers.md", entries_of<&Registries::schedulers>},
      {"placement.policy", "first-fit", "docs/placement.md", entries_of<&Registries::placements>},
      {"virtualization.gpu_sharing", "exclusive", "docs/gpu_sharing.md", entries_of<&Registries::gpu_sharing>},
      {"virtualization.runtime", "bare-metal", "docs/runtimes.md", entries_of<&Registries::runtimes>},
      {"quota.policy", "none", "docs/quota.md", entries_of<&Registries::quotas>},
      {"monitoring.policy", "periodic", "docs/monitoring.md", entries_of<&Registries::monitors>},
      {"workload.jobs.model", "trace", "docs/traces.md", entries_of<&Registries::workload_models>},
      {"workload.jobs.format", "native", "docs/traces.md", entries_of<&Registries::trace_readers>},
      {"cost.preset", "none", "docs/cost.md", entries_of<&Registries::costs>},
  };
  return table;
}

const ConcernDecl& concern(const std::string& path) {
  for (const auto& c : concern_table())
    if (c.choice_path == path) return c;
  throw std::logic_error("no concern is declared at " + path);
}

}  // namespace aidcsim
