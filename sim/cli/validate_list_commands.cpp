#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "models/cost/cloud_instances.hpp"
#include "sim/cli/commands.hpp"
#include "sim/config/concerns.hpp"
#include "sim/run/run.hpp"

#include "sim/policy/metrics.hpp"

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


void add_list_command(CLI::App& app, std::function<int()>& action) {
  auto* cmd = app.add_subcommand("list", "list every registered policy and model");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "print the concern table as JSON: per concern its default, docs page and implementations");
  auto what = std::make_shared<std::string>();
  cmd->add_option("what", *what,
                  "\"metrics\": the metrics a scrape reads (alert rules, autoscalers); \"instances\": the cloud "
                  "instance types of the cost price tables")
      ->check(CLI::IsMember({"metrics", "instances"}));
  cmd->callback([json, what, &action]() {
    action = [json, what]() {
      if (*what == "instances") {
        nlohmann::json out = nlohmann::json::array();
        for (const CloudPricePreset& preset : cloud_price_presets())
          for (const CloudInstanceType& i : preset.instances) {
            if (*json) {
              out.push_back({{"preset", preset.name}, {"name", i.name}, {"provider", i.provider},
                             {"gpu_model", i.gpu_model}, {"gpus", i.gpus}, {"vcpus", i.vcpus},
                             {"memory_gib", i.memory_gib}, {"nic_gbps", i.nic_gbps}, {"usd_per_hour", i.usd_per_hour},
                             {"region", i.region}, {"price_date", i.price_date}, {"source", i.source}});
              continue;
            }
            fmt::print("{:<22} {:<26} {:>2} x {:<10} {:>4} vCPUs {:>6g} GiB  NIC {:>12}  ${:<10g} {:<10} {}  {}\n",
                       preset.name, i.name, i.gpus, i.gpu_model, i.vcpus, i.memory_gib,
                       i.nic_gbps > 0 ? fmt::format("{:g} Gbit/s", i.nic_gbps) : "-", i.usd_per_hour, i.region,
                       i.price_date, i.source);
          }
        if (*json) fmt::print("{}\n", out.dump(2));
        return 0;
      }
      if (*what == "metrics") {
        if (*json) {
          nlohmann::json out = nlohmann::json::array();
          for (const MetricDecl& m : metric_table())
            out.push_back({{"name", m.name}, {"type", m.type}, {"labels", m.labels}, {"help", m.help}});
          fmt::print("{}\n", out.dump(2));
          return 0;
        }
        for (const MetricDecl& m : metric_table()) {
          std::string labels;
          for (const auto& l : m.labels) labels += (labels.empty() ? "{" : ",") + l;
          if (!labels.empty()) labels += "}";
          fmt::print("{:<44} {:<7} {}\n", m.name + labels, m.type, m.help);
        }
        return 0;
      }
      if (*json) {
        nlohmann::json out = nlohmann::json::array();
        for (const ConcernDecl& c : concern_table()) {
          nlohmann::json implementations = nlohmann::json::array();
          for (const auto& [name, description] : c.entries(builtin_registries()))
            implementations.push_back({{"name", name}, {"description", description}});
          out.push_back({{"concern", c.choice_path},
                         {"default", c.default_choice},
                         {"chosen", c.chosen},
                         {"doc_page", c.doc_page},
                         {"implementations", implementations}});
        }
        fmt::print("{}\n", out.dump(2));
        return 0;
      }
      for (const ConcernDecl& c : concern_table()) {
        fmt::print("{}:\n", c.choice_path);
        for (const auto& [name, description] : c.entries(builtin_registries()))
          fmt::print("  {:<16} {}\n", name, description);
      }
      return 0;
    };
  });
}

}  // namespace aidcsim::cli
