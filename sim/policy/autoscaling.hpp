#pragma once
// Autoscaling (docs/autoscaling.md): controllers that resize what runs on the cluster from what
// monitoring scraped. A service autoscaler (the HPA) resizes inference services through
// ScalableServices; it reads metrics only through the Scraper, never the simulator's state.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/events.hpp"
#include "sim/policy/metrics.hpp"
#include "sim/policy/monitor.hpp"

namespace aidcsim {

class Core;

// One row of scaling.csv: a replica count (kind "service") or a node group's size (kind "node_group")
// changed at time_s, and why.
struct ScalingRow {
  double t_s = 0;
  std::string object, kind;
  int from = 0, to = 0;
  std::string reason;
};

// What a service autoscaler sees of one service's replicas at a sync, as the Kubernetes controller
// sees pods: the ready ones (serving and not being removed) by their `replica` label, and how many
// are wanted but not ready yet (waiting for GPUs or in their start-up).
struct ReplicaStatus {
  int desired = 0;                   // the current replica count (the scale's spec.replicas)
  std::vector<std::string> ready;    // `replica` label of each ready replica
  std::vector<double> ready_since_s;  // when each became ready (samples before that are another pod's)
  int unready = 0;
  bool over = false;  // the service has no more requests: nothing to scale
};

// Implemented by the inference services (sim/policy/services.hpp).
class ScalableServices {
 public:
  virtual ~ScalableServices() = default;
  virtual std::optional<std::size_t> service_index(const std::string& name) const = 0;
  // Why the service cannot be autoscaled (empty: it can), e.g. disaggregated serving.
  virtual std::string not_scalable(std::size_t s) const = 0;
  // Before the replica jobs are made: the service keeps max_replicas replica slots and starts with
  // its configured count clamped into [min, max].
  virtual void set_replica_range(std::size_t s, int min_replicas, int max_replicas) = 0;
  virtual ReplicaStatus replica_status(std::size_t s) const = 0;
  // A new replica count from `now`: added replicas are released to the scheduler (they wait for GPUs
  // and pay their start-up); removed ones stop taking requests and leave once those in flight are done.
  virtual void scale(std::size_t s, int replicas, double now) = 0;
  // Time its replicas held their GPUs (placed, start-ups included), all replicas, as of the end.
  virtual double replica_seconds(std::size_t s) const = 0;
};

class ServiceAutoscaler {
 public:
  virtual ~ServiceAutoscaler() = default;
  // Checks the configured services against what exists and reserves their replica slots (problems go
  // to the reader it was made with); before the replica jobs are made.
  virtual void configure(ScalableServices& services) = 0;
  // Schedules its syncs from `start_s` on `queue`, reading metrics through `scraper`.
  virtual void start(EventQueue& queue, double start_s, Scraper& scraper) = 0;
  virtual const std::vector<ScalingRow>& scaling_rows() const = 0;
  // summary.json `autoscaling.services`, as of `end_s`.
  virtual nlohmann::json summary(double end_s) const = 0;
};

// The Cluster Autoscaler (autoscaling.nodes): node groups of the platform's servers whose size it
// changes; servers beyond a group's size are away (Core::set_server_available).
class NodeAutoscaler {
 public:
  virtual ~NodeAutoscaler() = default;
  // Schedules its scans on the core's queue (the first one, at `start_s`, takes the servers beyond each
  // group's initial size away).
  virtual void start(Core& core, double start_s) = 0;
  virtual const std::vector<ScalingRow>& scaling_rows() const = 0;
  // nodes.csv (header included): every change of a node of a group, with the hosts it carries.
  virtual std::string nodes_csv() const = 0;
  // summary.json `autoscaling.nodes`, as of `end_s`.
  virtual nlohmann::json summary(double end_s) const = 0;
  // Its timeseries.csv rows at a monitoring sample: each group's nodes ready and coming (label: the group).
  virtual void sample(double now, std::vector<Sample>& out) const = 0;
};

}  // namespace aidcsim
