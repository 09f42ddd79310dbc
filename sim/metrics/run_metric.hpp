#pragma once
// A metric of one run: it follows the run (as a LifecycleObserver of the core, or from the monitor's
// samples) and writes its own summary.json keys and timeseries.csv rows, so a new metric is a new
// class registered in run_prepared() (sim/run/run.cpp), not new members of Core or report.cpp.
#include <nlohmann/json.hpp>
#include <vector>

#include "sim/policy/monitor.hpp"

namespace aidcsim {

// The span a run's time-weighted figures cover: from the first submission to the end of the run.
struct RunWindow {
  double first_submit_s = 0;
  double end_s = 0;
};

class RunMetric {
 public:
  virtual ~RunMetric() = default;
  // The monitor sampled at t (`monitor_samples`); a metric may add rows of its own to `out`.
  virtual void sampled(double /*t*/, const std::vector<Sample>& /*monitor_samples*/, std::vector<Sample>& /*out*/) {}
  // Its keys in summary.json (null where there is nothing to report, never absent).
  virtual void summarize(nlohmann::json& summary, const RunWindow& window) = 0;
};

}  // namespace aidcsim
