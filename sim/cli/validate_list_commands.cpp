#include <fmt/format.h>

#include "sim/cli/commands.hpp"
#include "sim/run/run.hpp"

namespace aidcsim::cli {

void add_validate_command(CLI::App& app, std::function<int()>& action) {
  auto scenario = std::make_shared<std::string>();
  auto sets = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand("validate", "check a scenario, its platform and traces; run nothing");
  cmd->add_option("scenario", *scenario, "scenario JSON file")->required();
  cmd->add_option("--set", *sets, "override a scenario value: KEY=VALUE");
  cmd->callback([scenario, sets, &action]() {
    action = [scenario, sets]() {
      std::vector<Override> overrides;
      for (const auto& s : *sets) overrides.push_back(parse_override(s));
      auto& engine = make_simgrid_engine(false);
      Prepared p = prepare(engine, *scenario, overrides, std::nullopt, builtin_registries());
      fmt::print("{}: ok ({} jobs, {} servers, {} GPUs; scheduler {}, placement {})\n", *scenario, p.jobs.size(),
                 p.cluster.servers.size(), p.cluster.gpus.size(), p.scenario.scheduler.policy,
                 p.scenario.placement.policy);
      return 0;
    };
  });
}

template <class I>
static void list_concern(const char* title, const Registry<I>& registry) {
  fmt::print("{}:\n", title);
  for (const auto& e : registry.entries()) fmt::print("  {:<16} {}\n", e.name, e.description);
}

void add_list_command(CLI::App& app, std::function<int()>& action) {
  auto* cmd = app.add_subcommand("list", "list every registered policy and model");
  cmd->callback([&action]() {
    action = []() {
      const Registries& r = builtin_registries();
      list_concern("scheduler.policy", r.schedulers);
      list_concern("placement.policy", r.placements);
      list_concern("virtualization.gpu_sharing", r.gpu_sharing);
      list_concern("virtualization.runtime", r.runtimes);
      list_concern("monitoring.policy", r.monitors);
      list_concern("workload.jobs.model", r.workload_models);
      list_concern("workload.jobs.format", r.trace_readers);
      return 0;
    };
  });
}

}  // namespace aidcsim::cli
