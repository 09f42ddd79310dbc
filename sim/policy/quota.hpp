#pragma once
// Quota and admission (docs/quota.md): which submitted jobs may enter the scheduler's queue. A quota
// policy reserves quota for a job and admits it; only admitted jobs are the scheduler's pending jobs
// and only they are placed. It may evict admitted jobs (their runs are preempted and they wait for
// admission again) and reject jobs that can never be admitted. No policy (quota.policy "none"): every
// job is admitted on arrival, as before.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/core/cluster.hpp"
#include "sim/core/events.hpp"
#include "sim/core/job_columns.hpp"
#include "sim/core/request.hpp"
#include "sim/core/types.hpp"
#include "sim/policy/monitor.hpp"

namespace aidcsim {

// What a quota policy reports per ClusterQueue, cohort or tenant (summary.json "quota", docs/quota.md).
struct QuotaGroupReport {
  std::string kind;  // "cluster_queue", "cohort" or "tenant"
  std::string name;
  long long admitted = 0;  // admissions (a job evicted and admitted again counts twice)
  long long rejected = 0;
  long long peak_pending = 0;               // jobs waiting for admission, at most at once
  std::vector<double> admission_delays_s;   // per job admitted before its first start: admitted_s - submit_s
  double borrowed_gpu_s = 0, lent_gpu_s = 0;
  std::map<std::string, long long> preemptions;  // by reason
  nlohmann::json config;  // its quotas and policies as configured (the invariant checker reads them)
};
struct QuotaReport {
  std::string policy;
  nlohmann::json settings = nlohmann::json::object();  // policy-wide options (e.g. fair_sharing)
  std::vector<QuotaGroupReport> groups;
};

class QuotaContext {
 public:
  virtual ~QuotaContext() = default;
  virtual double now() const = 0;
  virtual const Cluster& cluster() const = 0;
  virtual const JobSpec& spec(JobIndex j) const = 0;
  // What j asks of the platform after the sharing mode's rules, for placement constraints.
  virtual const Request& request_of(JobIndex j) const = 0;
  // GPUs are exclusive (no sharing mode): a fractional request holds a whole GPU. Quota counts a job's
  // GPUs as gpus x gpu_milli of its trace row, rounded up to whole GPUs when exclusive.
  virtual bool exclusive_gpus() const = 0;
  virtual bool is_running(JobIndex j) const = 0;
  virtual bool has_started(JobIndex j) const = 0;  // ever
  // Admits j: it joins the scheduler's queue. `servers` (per server index, non-zero = allowed; owned
  // by the policy, alive for the run) narrows where it may be placed (a flavor); null = anywhere.
  virtual void admit(JobIndex j, const std::vector<char>* servers) = 0;
  // Takes an admitted job back: its run, if any, is preempted (progress kept up to the workload
  // model's last checkpoint, restart_cost_s paid at its next start, as for any preemption);
  // it leaves the scheduler's queue and is the policy's to admit again.
  virtual void evict(JobIndex j, double restart_cost_s) = 0;
  // j will never be admitted: it ends `rejected` with this reason.
  virtual void reject(JobIndex j, const std::string& reason) = 0;
  // A model event (sim/core/events.hpp), e.g. a retry after a backoff; keeps the run alive.
  virtual void at(double t_s, EventHandler* handler, std::uint64_t payload) = 0;
};

class QuotaPolicy : public JobColumns {
 public:
  // j arrived (it does not fit the platform is already ruled out: such jobs are rejected before).
  virtual void submitted(JobIndex j, QuotaContext& ctx) = 0;
  // An admission pass at the current instant, before each scheduling pass.
  virtual void admit(QuotaContext& ctx) = 0;
  // j completed: its quota is free again.
  virtual void completed(JobIndex j, QuotaContext& ctx) = 0;

  // Outputs (docs/quota.md): the columns appended to jobs.csv (JobColumns), timeseries rows at each
  // monitoring sample, the figures of summary.json's "quota" section and admissions.csv (header line
  // included).
  virtual void sample(double now, std::vector<Sample>& out) = 0;
  virtual QuotaReport report(double end_s) = 0;
  virtual std::string admissions_csv(const std::vector<JobSpec>& jobs) const = 0;
};

}  // namespace aidcsim
