#pragma once
// Host failures (the scenario's `failures`; docs/failures.md): per kind (`server`, `gpu`) a renewal
// process on every host of that kind, exponential or Weibull times to failure of mean mtbf_s counted
// from the host's last repair, each failure followed by repair_s of repair; and/or a failure trace
// (time_s,host,duration_s). A failure takes the host's server away until repaired (a failed GPU
// drains its server, as an XID error does): the runs on it restart from their last checkpoint after
// restart_s. Each host draws from its own random stream.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/config/options.hpp"
#include "sim/core/events.hpp"
#include "sim/core/registry.hpp"
#include "sim/policy/failures.hpp"

namespace aidcsim {

struct FailureProcessSpec {
  bool enabled = false;
  double mtbf_s = 0, repair_s = 0, shape = 1;
  bool weibull = false;
};

struct TraceFailure {
  double time_s = 0, duration_s = 0;
  std::string host;
  bool gpu = false;
  std::uint32_t index = 0;  // GpuIndex or ServerIndex
};

struct FailureConfig {
  FailureProcessSpec server, gpu;
  std::vector<TraceFailure> trace;
  std::vector<HostSlowdown> stragglers;
  double restart_s = 0;
};

FailureConfig read_failure_config(OptionReader& failures, const Cluster& cluster, const std::string& scenario_dir,
                                  RunRecord* record);
std::unique_ptr<FailureModel> make_failure_model(PolicyArgs& args);

class HostFailures final : public FailureModel, private EventHandler {
 public:
  HostFailures(FailureConfig config, const Cluster& cluster, std::size_t jobs, std::uint64_t seed);
  void start(Core& core, double start_s) override;
  std::vector<std::string> job_columns() const override { return {"failures", "lost_gpu_s"}; }
  void append_job_fields(JobIndex j, const JobSpec&, const JobRun&, std::string& line) const override;
  std::string failures_csv() const override;
  nlohmann::json summary(double end_s) const override;
  void work_planned(JobIndex j, const ActivityPlan&, double work_start_s, double now) override;
  std::vector<HostSlowdown> slowdowns() const override { return config_.stragglers; }

 private:
  struct Process {  // one host's failures (or one trace row)
    bool gpu = false, from_trace = false;
    std::uint32_t index = 0;
    std::uint64_t stream = 0;  // splitmix64 state
    double repair_s = 0;
  };
  struct Logged {
    double time_s, repair_s;
    std::size_t process;
    std::vector<JobIndex> jobs;
  };
  void on_event(std::uint64_t payload, double now) override;
  void fail(std::size_t p, double now, double repair_s);
  double time_to_failure(Process& p);
  ServerIndex server_of(const Process& p) const;
  std::string host_name(const Process& p) const;

  FailureConfig config_;
  const Cluster& cluster_;
  Core* core_ = nullptr;
  std::vector<Process> processes_;
  std::vector<double> down_until_s_;           // per server
  std::vector<int> failures_of_;               // per job
  std::vector<double> lost_gpu_s_;             // per job
  std::map<JobIndex, double> awaiting_restart_;  // job -> failure time
  std::vector<Logged> log_;
  double restart_delay_s_ = 0;
  long long restarts_ = 0;
};

}  // namespace aidcsim
