#pragma once
// Workloads that run on the cluster as jobs besides the job trace: inference services
// (workload.services; docs/inference.md). Their replicas are added to the job table and go through the
// scheduler, quota and placement like any job; the service follows them through the core's lifecycle
// events and serves its requests on those that run.
#include <string>
#include <utility>
#include <vector>

#include "sim/core/core.hpp"
#include "sim/core/lifecycle.hpp"
#include "sim/core/types.hpp"
#include "sim/policy/autoscaling.hpp"
#include "sim/policy/metrics.hpp"
#include "sim/policy/monitor.hpp"

namespace aidcsim {

// What summary.json reports of one service (the run layer computes the statistics).
struct ServiceFigures {
  long long submitted = 0, completed = 0, rejected = 0, unfinished = 0;
  std::vector<double> ttft_s, tbt_s, e2e_s;  // of completed requests (TBT: those with 2+ tokens)
  std::vector<double> kv_transfer_s;          // disaggregated: each KV cache's transfer
  long long slo_met = 0, output_tokens = 0;
  double span_s = 0, replica_s = 0;  // from the first arrival to the end; time replicas served
  long long events = 0;              // the service's events the engine handled (arrivals, iterations)
  double busy_s = 0;                 // replica time in iterations
  double energy_j = -1;              // its GPUs' energy; < 0: the platform gives no power profile
};

class ServiceWorkload : public LifecycleObserver, public StartupContributor, public MetricSource, public ScalableServices {
 public:
  // The replica jobs, added to the trace's jobs before the run.
  virtual std::vector<JobSpec> jobs() const = 0;
  // Once the core exists (with those jobs): schedules the requests' arrivals.
  virtual void attach(Core& core) = 0;
  // requests.csv (header included), and the figures per service name.
  virtual std::string requests_csv() const = 0;
  virtual std::vector<std::pair<std::string, ServiceFigures>> figures(double end_s) const = 0;
  // Whether job j is one of its replicas (their figures are the services', not the jobs' statistics).
  virtual bool is_replica(JobIndex j) const = 0;
  // Its timeseries.csv rows at a monitoring sample (label: the service).
  virtual void sample(double /*now*/, std::vector<Sample>& /*out*/) {}
};

}  // namespace aidcsim
