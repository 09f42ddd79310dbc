#pragma once
// The metrics every simulation run reports besides the core's job statistics (sim/run/report.cpp):
// GPU fragmentation, energy and GPU busy time, live migrations.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/lifecycle.hpp"
#include "sim/metrics/energy.hpp"
#include "sim/metrics/run_metric.hpp"

namespace aidcsim {

// summary.json gpu_fragmentation: the time-weighted mean of the monitor's total gpu_fragmentation
// samples, each holding until the next (computing it at every event would cost too much).
class FragmentationMetric final : public RunMetric {
 public:
  void sampled(double t, const std::vector<Sample>& monitor_samples, std::vector<Sample>& out) override;
  void summarize(nlohmann::json& summary, const RunWindow& window) override;

 private:
  std::vector<std::pair<double, double>> steps_;
};

// summary.json gpu_busy and energy_j, timeseries power_w and servers_off, from the power model.
class EnergyMetric final : public RunMetric {
 public:
  // `power`: null when the run has none (no GPUs and no power data); `gpus`: how many GPUs the platform
  // has; `plugin_energy_j`: SimGrid's own measurement for energy_j.simgrid_plugin (null when the plugin
  // did not run).
  EnergyMetric(PowerModel* power, std::size_t gpus, std::function<nlohmann::json()> plugin_energy_j)
      : power_(power), gpus_(gpus), plugin_energy_j_(std::move(plugin_energy_j)) {}
  void sampled(double t, const std::vector<Sample>& monitor_samples, std::vector<Sample>& out) override;
  void summarize(nlohmann::json& summary, const RunWindow& window) override;

 private:
  PowerModel* power_;
  std::size_t gpus_;
  std::function<nlohmann::json()> plugin_energy_j_;
};

// summary.json vm_migrations (null when none started) and the rows of migrations.csv.
class MigrationMetric final : public RunMetric, public LifecycleObserver {
 public:
  void migration_started(std::size_t vm, double now) override;
  void migration_ended(const MigrationLogEntry& entry) override;
  void summarize(nlohmann::json& summary, const RunWindow& window) override;
  long long started() const { return started_; }
  const std::vector<MigrationLogEntry>& log() const { return log_; }  // ended ones, in order

 private:
  long long started_ = 0;
  long long jobs_moved_ = 0;
  double bytes_ = 0, total_s_ = 0, paused_s_ = 0;
  std::vector<MigrationLogEntry> log_;
};

}  // namespace aidcsim
