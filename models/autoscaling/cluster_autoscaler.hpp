#pragma once
// The Cluster Autoscaler on node groups of the platform (autoscaling.nodes; docs/autoscaling.md),
// after kubernetes/autoscaler cluster-autoscaler (../shared/notes/k8s-prometheus-llm-semantics.md §C):
// a scan every scan_interval_s; pending jobs that fit nowhere now (nor on nodes already coming) are
// packed first-fit-decreasing onto new nodes of each group (the placement policy on the group's
// unprovisioned servers), an expander picks the group, and the nodes become available provision_s
// later; an empty node whose utilization stays below the threshold for scale_down_unneeded_time_s
// (strictly) is removed, not within scale_down_delay_after_add_s of a scale-up, never below the
// group's min. Nodes with a running job are not removed (training jobs are not moved).
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "sim/config/options.hpp"
#include "sim/core/cluster.hpp"
#include "sim/core/registry.hpp"
#include "sim/policy/autoscaling.hpp"

namespace aidcsim {

struct NodeGroupSpec {
  std::string name;
  std::vector<std::pair<std::string, std::string>> match;  // host properties, all must hold
  int min = 0, max = 0, initial = 0;
  double provision_s = 300;
  double price_per_hour = 0;  // the `price` expander
  int priority = 0;           // the `priority` expander: the highest wins
  std::vector<ServerIndex> servers;  // matching servers, platform order
};

struct ClusterAutoscalerConfig {
  std::vector<NodeGroupSpec> groups;
  double scan_interval_s = 10, unneeded_time_s = 600, utilization_threshold = 0.5, delay_after_add_s = 600;
  double unready_time_s = 1200;  // a ready node that failed (the failures concern) is unready
  double max_provision_s = 900, failure_backoff_s = 300;
  int max_scale_down_parallelism = 10;
  int max_pending_per_scan = 1000;  // pending jobs examined per scan, in queue order
  std::string expander = "least-waste";
};

// Reads autoscaling.nodes (problems go to the reader); groups match servers of `cluster`.
ClusterAutoscalerConfig read_cluster_autoscaler(OptionReader& nodes, const Cluster& cluster);

class ClusterAutoscaler final : public NodeAutoscaler, private EventHandler {
 public:
  ClusterAutoscaler(ClusterAutoscalerConfig config, std::uint64_t seed);
  void start(Core& core, double start_s) override;
  const std::vector<ScalingRow>& scaling_rows() const override { return rows_; }
  std::string nodes_csv() const override;
  nlohmann::json summary(double end_s) const override;
  void sample(double now, std::vector<Sample>& out) const override;

 private:
  enum class Node : std::uint8_t { away, coming, ready };
  struct Group {
    int size = 0;  // ready + coming
    long long ups = 0, downs = 0, failures = 0;
    double node_s = 0, gpu_s = 0, provision_s_total = 0;
    int gpus = 0;  // of its nodes up or coming
    long long provisioned = 0;
    double backoff_until_s = -1;
  };
  void on_event(std::uint64_t payload, double now) override;
  void scan(double now);
  bool scale_up(double now);
  void scale_down(double now, bool may_delete);
  void node_ready(std::size_t g, ServerIndex s, double now);
  void node_failed(std::size_t g, ServerIndex s, double now);
  void resize(std::size_t g, int to, double now, const std::string& reason);
  void log_node(double now, ServerIndex s, const char* event) { node_log_.push_back({now, s, event}); }
  // Integrates the groups' nodes and GPUs (billed from each scale-up request) up to `now`.
  void account(double now);
  int gpus_of(ServerIndex s) const;
  int gpus_at_max(std::size_t g) const;  // the GPUs of its first max servers
  double utilization(ServerIndex s) const;
  bool unready(ServerIndex s) const;

  ClusterAutoscalerConfig config_;
  std::mt19937_64 rng_;
  std::vector<Group> groups_;
  std::vector<Node> node_;          // per server of a group
  std::vector<int> group_of_;       // per server: its group, or -1
  std::vector<double> since_s_;     // per server: unneeded since (< 0: not unneeded)
  std::vector<double> requested_s_;  // per server: when it was asked for
  std::vector<ScalingRow> rows_;
  struct NodeEvent {
    double time_s;
    ServerIndex server;
    const char* event;  // at the first scan up or away, then requested, ready, failed, removed
  };
  std::vector<NodeEvent> node_log_;
  Core* core_ = nullptr;
  double start_s_ = 0, last_scale_up_s_ = -1e300, last_change_s_ = 0;
  long long scans_ = 0;
  bool keep_alive_ = true;
  // What the last scan that scaled nothing up saw: a scan that sees the same (ledger version, queue,
  // node states) cannot scale up either, and skips the simulation.
  std::uint64_t node_changes_ = 0;
  std::vector<std::uint64_t> idle_signature_;  // the next scan keeps the run going (jobs to come, or scale-ups under way)
};

std::unique_ptr<NodeAutoscaler> make_cluster_autoscaler(PolicyArgs& args);

}  // namespace aidcsim
