// The metrics a scrape can read (sim/policy/metrics.hpp), listed by `aidcsim list metrics` and in
// docs/monitoring.md. Names and labels follow Prometheus' conventions (base units, _total counters).
#include <algorithm>

#include "sim/policy/metrics.hpp"

namespace aidcsim {

const std::vector<MetricDecl>& metric_table() {
  static const std::vector<MetricDecl> table = {
      {"aidcsim_jobs_pending", "gauge", {}, "jobs waiting in the scheduler's queue (admitted by quota or without quota)"},
      {"aidcsim_jobs_running", "gauge", {}, "jobs running (inference replicas included)"},
      {"aidcsim_gpus_allocated", "gauge", {"gpu_model"}, "GPUs allocated (a fractional share counts as its fraction)"},
      {"aidcsim_gpus_total", "gauge", {"gpu_model"}, "GPUs of the platform"},
      {"aidcsim_tenant_gpus_allocated", "gauge", {"tenant"}, "GPUs allocated to the tenant's jobs"},
      {"aidcsim_power_watts", "gauge", {}, "power drawn by the GPUs and servers (with power data)"},
      {"aidcsim_service_replicas", "gauge", {"service"}, "replicas of the service that serve"},
      {"aidcsim_service_replicas_starting", "gauge", {"service"}, "replicas placed and still in their start-up"},
      {"aidcsim_service_requests_in_flight", "gauge", {"service", "replica"}, "requests routed to the replica and not finished"},
      {"aidcsim_service_queue_length", "gauge", {"service"}, "requests waiting: in the service's queue and in replicas' queues"},
      {"aidcsim_service_batch_size", "gauge", {"service", "replica"}, "requests in the replica's running batch"},
      {"aidcsim_service_requests_waiting", "gauge", {"service", "replica"}, "requests in the replica's queue, not yet in its batch"},
      {"aidcsim_service_kv_cache_used", "gauge", {"service", "replica"}, "share of the replica's KV-cache blocks in use (0..1)"},
      {"aidcsim_service_busy", "gauge", {"service", "replica"}, "1 while the replica runs an iteration, else 0"},
      {"aidcsim_service_busy_seconds_total", "counter", {"service", "replica"}, "seconds the replica spent in iterations (its rate is the replica's GPU busy fraction)"},
      {"aidcsim_service_requests_total", "counter", {"service"}, "requests that arrived"},
      {"aidcsim_service_requests_completed_total", "counter", {"service"}, "requests completed or rejected"},
  };
  return table;
}

const MetricDecl* find_metric(const std::string& name) {
  const auto& t = metric_table();
  auto it = std::find_if(t.begin(), t.end(), [&](const MetricDecl& d) { return d.name == name; });
  return it == t.end() ? nullptr : &*it;
}

}  // namespace aidcsim
