#pragma once
// The scenario file (CONTRACT.md §4) as plain structs, with --set overrides applied first.
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/errors.hpp"
#include "sim/config/located_json.hpp"
#include "sim/core/registry.hpp"

namespace aidcsim {

struct PolicyChoice {
  std::string policy;
  std::string pointer;  // JSON path of the section, e.g. "/scheduler"
};

struct JobsSource {
  std::string path;    // resolved against the scenario's folder
  std::string format = "native";
  long long limit = -1;  // first N jobs (after the time window); -1 = all
  double window_start_s = 0;
  double window_end_s = -1;  // -1 = open
  double time_scale = 1;     // submit times are multiplied by this (< 1 raises the load)
};

struct Scenario {
  std::string file;
  std::string name;
  std::uint64_t seed = 1;
  std::string platform_path;
  JobsSource jobs;
  // The implementation chosen for each concern of the table (sim/config/concerns.hpp), by its choice
  // path ("scheduler.policy"); choice() gives the default of a concern the scenario did not set.
  std::map<std::string, std::string> choices;
  std::string choice(const std::string& choice_path) const;
  PolicyChoice scheduler{"fifo", "/scheduler"};
  PolicyChoice placement{"first-fit", "/placement"};
  PolicyChoice monitor{"periodic", "/monitoring"};
  PolicyChoice workload_model{"trace", "/workload/jobs"};
  PolicyChoice quota{"none", "/quota"};
  PolicyChoice cost{"none", "/cost"};  // cost.preset; read only when has_cost (docs/cost.md)
  bool has_failures = false;           // the scenario has a failures section (docs/failures.md)
  bool has_cost = false;              // the scenario has a cost section: summary.json reports cost
  std::string runtime = "bare-metal";
  std::string network_model = "LV08";  // engine.network_model: SimGrid's network/model
  std::string gpu_sharing = "exclusive";
  double monitoring_interval_s = 60;
  int monitoring_max_samples = 1000000;  // sample times; sampling stops after them (docs/README.scenario.md)
  std::optional<double> horizon_s;
  bool always_simgrid_activities = false;  // engine.activities = "always"
  // power: idle servers power off after off_after_s (none = never) and take boot_s to come back.
  std::optional<double> power_off_after_s;
  double power_boot_s = 0;
  nlohmann::json resolved;  // after --set and --seed, as written to run.json
  LocatedJson located;
};

struct Override {
  std::string path;  // dotted
  std::string value;
};
// Parses "a.b=VALUE"; throws InputErrors naming the flag on a malformed one.
Override parse_override(const std::string& text);

// Loads, applies overrides and seed, and validates everything that needs no platform, adding every
// problem to `problems`. Throws InputErrors only when the file is not a JSON object at all.
Scenario load_scenario(const std::string& path, const std::vector<Override>& overrides,
                       std::optional<std::uint64_t> seed, const Registries& registries, ProblemList& problems);

}  // namespace aidcsim
