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
      {"scheduler.policy", "fifo", "docs/schedulers.md", entries_of<&Registries::schedulers>, "/scheduler", {"policy"}},
      {"placement.policy", "first-fit", "docs/placement.md", entries_of<&Registries::placements>, "/placement", {"policy"}},
      {"virtualization.gpu_sharing", "exclusive", "docs/gpu_sharing.md", entries_of<&Registries::gpu_sharing>,
       "/virtualization", {"runtime", "gpu_sharing", "<virtualization.runtime>"}},
      {"virtualization.runtime", "bare-metal", "docs/runtimes.md", entries_of<&Registries::runtimes>,
       "/virtualization/{}", {}},
      {"quota.policy", "none", "docs/quota.md", entries_of<&Registries::quotas>, "/quota", {"policy"}},
      {"monitoring.policy", "periodic", "docs/monitoring.md", entries_of<&Registries::monitors>, "/monitoring",
       {"policy", "interval_s", "max_samples"}},
      // The trace reader and the workload model share the jobs section: prepare() reads it through one
      // reader and reports its unknown keys once both are made.
      {"workload.jobs.model", "trace", "docs/traces.md", entries_of<&Registries::workload_models>, "/workload/jobs", {"model"}},
      {"workload.jobs.format", "native", "docs/traces.md", entries_of<&Registries::trace_readers>, "/workload/jobs",
       {"path", "format", "limit", "time_window", "time_scale"}},
      {"cost.preset", "none", "docs/cost.md", entries_of<&Registries::costs>, "/cost", {"preset"}, MadeWhen::set},
      // Concerns with one implementation, made when their section is there.
      {"workload.services", "llm", "docs/inference.md", entries_of<&Registries::services>, "/workload", {},
       MadeWhen::not_empty, "/workload/services", false, true, false},
      {"autoscaling.services", "hpa", "docs/autoscaling.md", entries_of<&Registries::service_autoscalers>, "/autoscaling",
       {}, MadeWhen::not_empty, "/autoscaling/services", false, false, false},
      {"autoscaling.nodes", "cluster-autoscaler", "docs/autoscaling.md", entries_of<&Registries::node_autoscalers>,
       "/autoscaling/nodes", {}, MadeWhen::set, "", false, true, false},
      {"failures", "host-failures", "docs/failures.md", entries_of<&Registries::failures>, "/failures", {}, MadeWhen::set,
       "", false, false, false},
      // The scraper shares the monitoring section with the monitoring policy.
      {"monitoring.alerts", "prometheus", "docs/monitoring.md", entries_of<&Registries::scrapers>, "/monitoring",
       {"policy", "interval_s", "max_samples"}, MadeWhen::always, "", false},
  };
  return table;
}

std::vector<std::string> ConcernDecl::known_keys(const Registries& r) const {
  std::vector<std::string> out;
  for (const auto& key : shared_keys) {
    if (key.size() > 2 && key.front() == '<' && key.back() == '>') {
      for (const auto& name : concern(key.substr(1, key.size() - 2)).names(r)) out.push_back(name);
    } else {
      out.push_back(key);
    }
  }
  return out;
}

const ConcernDecl& concern(const std::string& path) {
  for (const auto& c : concern_table())
    if (c.choice_path == path) return c;
  throw std::logic_error("no concern is declared at " + path);
}

}  // namespace aidcsim
