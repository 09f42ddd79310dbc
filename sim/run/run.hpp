#pragma once
// Loading a scenario with everything it names, and running it to its output files.
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/core/cluster.hpp"
#include "sim/core/core.hpp"
#include "sim/core/run_record.hpp"
#include "sim/engine/platform_loader.hpp"
#include "sim/config/scenario.hpp"
#include "sim/policy/cost.hpp"
#include "sim/policy/metrics.hpp"
#include "sim/policy/autoscaling.hpp"
#include "sim/policy/failures.hpp"
#include "sim/policy/services.hpp"

namespace simgrid::s4u {
class Engine;
}

namespace aidcsim {

struct Prepared {
  Scenario scenario;
  Cluster cluster;
  std::vector<JobSpec> jobs;
  std::vector<std::pair<std::string, long long>> skipped_rows;
  Policies policies;
  std::unique_ptr<ServiceWorkload> services;  // workload.services; null when there are none
  std::unique_ptr<Scraper> scraper;            // scrapes and alert rules (monitoring.*)
  PlatformHosts hosts;
  bool energy_plugin = false;  // SimGrid's host energy plugin is on (cross-check of energy_j)
  RunRecord record{};          // the files read and random streams drawn, for run.json
  std::chrono::system_clock::time_point started_at = std::chrono::system_clock::now();
  std::unique_ptr<ServiceAutoscaler> autoscaler{};  // autoscaling.services; null when there are none
  std::unique_ptr<NodeAutoscaler> node_autoscaler{};  // autoscaling.nodes; null when not set
  std::unique_ptr<FailureModel> failures{};           // the failures section; null when not set
  std::unique_ptr<ServerPrices> cost_prices{};  // the cost section's server prices; null without one
};

// A SimGrid engine for one simulation (SimGrid allows one per process), quiet unless asked.
simgrid::s4u::Engine& make_simgrid_engine(bool verbose);

// Loads scenario, platform and trace and instantiates the policies; throws InputErrors with every
// problem found across all of them.
Prepared prepare(simgrid::s4u::Engine& engine, const std::string& scenario_path, const std::vector<Override>& overrides,
                 std::optional<std::uint64_t> seed, const Registries& registries);

struct RunOptions {
  std::string out_dir;  // "" = results/<scenario name>
  bool progress = false;
  // Polled between events; a true answer stops the run and run_prepared throws RunInterrupted.
  std::function<bool()> stop_requested;
  // When set: a JSON file of the run's engine figures (SimGrid activities and steps, core events,
  // wall time), for benchmarks; outside the run's outputs, which stay as they are.
  std::string engine_stats_path;
};

// The run was stopped before its end (stop_requested); no output file was written.
struct RunInterrupted : std::runtime_error {
  RunInterrupted() : std::runtime_error("the run was interrupted; no outputs were written") {}
};

// Runs and writes summary.json, jobs.csv, timeseries.csv and run.json; returns the summary.
nlohmann::json run_prepared(simgrid::s4u::Engine& engine, Prepared& prepared, const RunOptions& options);

// Short human-readable table of a summary.
std::string format_summary(const nlohmann::json& summary);

}  // namespace aidcsim
