#pragma once
// Failures (the scenario's `failures` section; docs/failures.md): hosts that fail and are repaired.
// A failure ends the runs on the failed server (they restart from their last checkpoint, paying the
// restart cost), and the server is away until repaired. Made by models/failures/ from the section.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/cluster.hpp"
#include "sim/core/job_columns.hpp"
#include "sim/core/lifecycle.hpp"

namespace aidcsim {

class Core;

// jobs.csv: its columns (CONTRACT §7: failures, lost_gpu_s) through JobColumns.
class FailureModel : public LifecycleObserver, public JobColumns {
 public:
  // Schedules the failures from `start_s` (the first submission) on the core's queue.
  virtual void start(Core& core, double start_s) = 0;
  // failures.csv (header included) and summary.json `failures`, as of `end_s`.
  virtual std::string failures_csv() const = 0;
  virtual nlohmann::json summary(double end_s) const = 0;
  // Stragglers: hosts slowed for a while (set on the cluster before the run).
  virtual std::vector<HostSlowdown> slowdowns() const { return {}; }
};

}  // namespace aidcsim
