#pragma once
// The Horizontal Pod Autoscaler's decision at one sync, as Kubernetes computes it
// (pkg/controller/podautoscaler: replica_calculator.go for the proposal from a per-replica average
// metric, horizontal.go for the normalisation: the legacy path when `behavior` is null, the behavior
// path otherwise; ../shared/notes/k8s-prometheus-llm-semantics.md §B). No simulation here: the caller
// gives the time, the current replica count and what monitoring scraped of each replica; this keeps
// the recommendations and scale events the controller keeps between syncs.
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace aidcsim {

struct HpaPolicy {
  bool percent = false;  // Percent, else Pods
  double value = 0;
  double period_s = 15;
};

struct HpaRule {
  double stabilization_s = 0;
  std::string select = "Max";  // Max, Min or Disabled
  std::vector<HpaPolicy> policies;
};

struct HpaSpec {
  int min_replicas = 1, max_replicas = 1;
  double target = 1;        // target average value of the metric per replica
  double tolerance = 0.1;   // --horizontal-pod-autoscaler-tolerance
  bool behavior = false;    // false: `behavior: null`, the legacy normalisation (B.4)
  HpaRule up, down;         // with behavior (B.5)
  double downscale_stabilization_s = 300;  // --horizontal-pod-autoscaler-downscale-stabilization
};
// Kubernetes' defaults for the rules of `behavior: {}` (pkg/apis/autoscaling/v2/defaults.go).
HpaRule default_scale_up_rule();
HpaRule default_scale_down_rule();

// What monitoring saw of the replicas at a sync: one entry per ready replica (nullopt: no sample),
// and how many are not ready yet (starting).
struct HpaObservation {
  std::vector<std::optional<double>> ready_values;
  int unready = 0;
};

struct HpaDecision {
  int desired = 0;       // the new replica count (= current when nothing changes)
  int proposal = 0;      // the replica calculator's proposal before normalisation
  double ratio = 0;      // average metric / target over the replicas with samples (0 when none)
  std::string reason;    // why: "within tolerance", "scale up limit", "stabilized", ...
};

class HpaController {
 public:
  explicit HpaController(HpaSpec spec) : spec_(std::move(spec)) {}
  HpaDecision sync(double now_s, int current, const HpaObservation& seen);
  const HpaSpec& spec() const { return spec_; }

 private:
  int propose(int current, const HpaObservation& seen, double& ratio, std::string& reason) const;
  int normalize_legacy(double now_s, int current, int proposal, std::string& reason);
  int normalize_with_behavior(double now_s, int current, int proposal, std::string& reason);
  int changes_within(double now_s, double period_s, bool up) const;

  struct Recommendation {
    double t_s;
    int replicas;
  };
  struct ScaleEvent {
    double t_s;
    int change;  // > 0 up, < 0 down
  };
  HpaSpec spec_;
  std::vector<Recommendation> recommendations_;
  std::deque<ScaleEvent> events_;
};

}  // namespace aidcsim
