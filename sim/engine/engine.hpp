#pragma once
// Drives the core on SimGrid's clock: the only code that runs SimGrid actors and activities.
#include <functional>
#include <optional>
#include <vector>

#include "sim/core/core.hpp"
#include "sim/engine/platform_loader.hpp"

namespace simgrid::s4u {
class Engine;
}

namespace aidcsim {

struct EngineOptions {
  double monitoring_interval_s = 60;
  // Sample times at most: then sampling stops (EngineResult::sampling_stopped_s), which bounds
  // timeseries.csv and keeps a far-off timer from being reached one interval at a time.
  long long max_samples = 1000000;
  std::optional<double> horizon_s;
  // Called with each batch of monitoring samples, in time order.
  std::function<void(double time_s, const std::vector<Sample>&)> on_samples;
  // Called now and then (every few thousand events) with the simulated time; may print progress.
  std::function<void(double time_s)> on_progress;
  // Polled between events: true stops the run at once (EngineResult::interrupted), e.g. on SIGINT.
  std::function<bool()> stop_requested;
};

struct EngineResult {
  double end_s = 0;  // simulated time when the run stopped
  bool hit_horizon = false;
  bool interrupted = false;
  long long samples = 0;            // sample times taken
  // SimGrid's work (for benchmarks, `aidcsim run --engine-stats`): executions and communications
  // started, and the times its clock advanced (each one solve of its sharing model, LMM).
  long long simgrid_activities = 0;
  long long simgrid_steps = 0;
  double sampling_stopped_s = -1;   // >= 0: time of the last sample, when max_samples cut sampling short  // stop_requested() said so; the results are incomplete
};

// The platform must already be loaded into `engine`; runs until every job ended or the horizon.
EngineResult run_simulation(simgrid::s4u::Engine& engine, const PlatformHosts& hosts, Core& core,
                            const EngineOptions& options);

}  // namespace aidcsim
