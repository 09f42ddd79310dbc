#include "sim/metrics/run_metrics.hpp"

#include <algorithm>
#include <cmath>

#include "sim/metrics/metrics.hpp"

namespace aidcsim {

void FragmentationMetric::sampled(double t, const std::vector<Sample>& monitor_samples, std::vector<Sample>&) {
  for (const auto& s : monitor_samples)
    if (s.metric == "gpu_fragmentation" && s.label.empty()) steps_.emplace_back(t, s.value);
}

void FragmentationMetric::summarize(nlohmann::json& summary, const RunWindow& window) {
  summary["gpu_fragmentation"] = nullptr;
  if (steps_.empty()) return;
  double from = steps_.front().first, to = std::max(from, window.end_s);
  summary["gpu_fragmentation"] = round6(to > from ? time_weighted_mean(steps_, from, to) : steps_.front().second);
}

void EnergyMetric::sampled(double t, const std::vector<Sample>&, std::vector<Sample>& out) {
  if (power_ && power_->has_power_data()) power_->sample(t, out);
}

void EnergyMetric::summarize(nlohmann::json& summary, const RunWindow& window) {
  // gpu_busy: the share of the GPUs' speed actually used (work, not allocation), over the same
  // window as energy: first submission to the end of the run.
  summary["gpu_busy"] = nullptr;
  if (power_ && gpus_ > 0 && window.end_s > window.first_submit_s)
    summary["gpu_busy"] = round6(power_->gpu_busy_s(window.end_s) /
                                 (static_cast<double>(gpus_) * (window.end_s - window.first_submit_s)));
  summary["energy_j"] = nullptr;
  if (power_ && power_->has_power_data()) {
    nlohmann::json energy = power_->summary(window.end_s);
    energy["simgrid_plugin"] = plugin_energy_j_ ? plugin_energy_j_() : nullptr;
    summary["energy_j"] = std::move(energy);
  }
}

void MigrationMetric::migration_started(std::size_t, double) { ++started_; }

void MigrationMetric::migration_ended(const MigrationLogEntry& e) {
  log_.push_back(e);
  if (e.job_moved) ++jobs_moved_;
  bytes_ += e.bytes;
  total_s_ += e.end_s - e.start_s;
  paused_s_ += std::isnan(e.paused_s) ? 0 : e.end_s - e.paused_s;
}

void MigrationMetric::summarize(nlohmann::json& summary, const RunWindow&) {
  summary["vm_migrations"] = nullptr;
  if (started_ == 0) return;
  const long long completed = static_cast<long long>(log_.size());
  summary["vm_migrations"] = {{"started", started_},
                              {"completed", completed},
                              {"jobs_moved", jobs_moved_},
                              {"bytes", static_cast<long long>(std::llround(bytes_))},
                              {"mean_s", completed > 0 ? round6(total_s_ / completed) : 0.0},
                              {"mean_paused_s", completed > 0 ? round6(paused_s_ / completed) : 0.0}};
}

}  // namespace aidcsim
