#include "models/autoscaling/hpa.hpp"

#include <algorithm>
#include <climits>
#include <cmath>

namespace aidcsim {

HpaRule default_scale_up_rule() { return {0, "Max", {{false, 4, 15}, {true, 100, 15}}}; }
HpaRule default_scale_down_rule() { return {300, "Max", {{true, 100, 15}}}; }

// calcPlainMetricReplicas (replica_calculator.go) for an AverageValue metric.
int HpaController::propose(int current, const HpaObservation& seen, double& ratio, std::string& reason) const {
  double sum = 0;
  int with_metrics = 0, missing = 0;
  for (const auto& v : seen.ready_values) {
    if (v) sum += *v, ++with_metrics;
    else ++missing;
  }
  if (with_metrics == 0) {
    ratio = 0;
    reason = "no metrics";
    return current;
  }
  ratio = sum / with_metrics / spec_.target;
  const bool up = ratio > 1;
  if (missing == 0 && !(up && seen.unready > 0)) {
    if (std::fabs(1 - ratio) <= spec_.tolerance) {
      reason = "within tolerance";
      return current;
    }
    reason = "metric";
    return static_cast<int>(std::ceil(ratio * with_metrics));
  }
  // The conservative re-average: replicas without samples count as using the target when scaling
  // down and nothing when scaling up; not-ready replicas count as nothing when scaling up.
  double total = sum + (up ? 0 : missing * spec_.target);
  int counted = with_metrics + missing + (up ? seen.unready : 0);
  double new_ratio = total / counted / spec_.target;
  if (std::fabs(1 - new_ratio) <= spec_.tolerance || (new_ratio > 1) != up) {
    reason = "within tolerance after re-averaging";
    return current;
  }
  int replicas = static_cast<int>(std::ceil(new_ratio * counted));
  if ((new_ratio < 1 && replicas > current) || (new_ratio > 1 && replicas < current)) {
    reason = "direction reversed after re-averaging";
    return current;
  }
  reason = "metric (re-averaged)";
  return replicas;
}

// stabilizeRecommendation + convertDesiredReplicasWithRules (horizontal.go), `behavior: null`.
int HpaController::normalize_legacy(double now_s, int current, int proposal, std::string& reason) {
  if (recommendations_.empty()) recommendations_.push_back({now_s, current});  // recordInitialRecommendation
  const double cutoff = now_s - spec_.downscale_stabilization_s;
  int stabilized = proposal;
  bool replaced = false;
  for (auto& r : recommendations_) {
    if (r.t_s < cutoff) {  // Before(cutoff): a sample exactly 300 s old still counts
      if (!replaced) r = {now_s, proposal}, replaced = true;
      continue;
    }
    stabilized = std::max(stabilized, r.replicas);
  }
  if (!replaced) recommendations_.push_back({now_s, proposal});
  if (stabilized != proposal) reason = "downscale stabilized";
  const int up_limit = std::max(2 * current, 4);  // scaleUpLimitFactor 2, scaleUpLimitMinimum 4
  if (stabilized < spec_.min_replicas) {
    reason = "too few replicas";
    return spec_.min_replicas;
  }
  const int maximum = std::min(spec_.max_replicas, up_limit);
  if (stabilized > maximum) {
    reason = maximum == up_limit ? "scale up limit" : "too many replicas";
    return maximum;
  }
  return stabilized;
}

int HpaController::changes_within(double now_s, double period_s, bool up) const {
  int total = 0;
  for (const auto& e : events_)
    if (e.t_s > now_s - period_s && (e.change > 0) == up) total += std::abs(e.change);  // After(now - period)
  return total;
}

// stabilizeRecommendationWithBehaviors + convertDesiredReplicasWithBehaviorRate (horizontal.go).
int HpaController::normalize_with_behavior(double now_s, int current, int proposal, std::string& reason) {
  const double up_cutoff = now_s - spec_.up.stabilization_s, down_cutoff = now_s - spec_.down.stabilization_s;
  int up_rec = proposal, down_rec = proposal;
  for (const auto& r : recommendations_) {
    if (r.t_s > up_cutoff) up_rec = std::min(up_rec, r.replicas);
    if (r.t_s > down_cutoff) down_rec = std::max(down_rec, r.replicas);
  }
  const double keep_after = now_s - std::max(spec_.up.stabilization_s, spec_.down.stabilization_s);
  std::erase_if(recommendations_, [&](const Recommendation& r) { return r.t_s < keep_after; });
  recommendations_.push_back({now_s, proposal});
  int desired = current;
  if (desired < up_rec) desired = up_rec;
  if (desired > down_rec) desired = down_rec;
  if (desired != proposal) reason = desired > proposal ? "scale down stabilized" : "scale up stabilized";

  auto limit = [&](const HpaRule& rule, bool up) {
    if (rule.select == "Disabled") return current;
    const bool largest = rule.select == "Max";  // the largest change
    int result = (largest == up) ? INT_MIN : INT_MAX;
    for (const auto& p : rule.policies) {
      int start = current - changes_within(now_s, p.period_s, true) + changes_within(now_s, p.period_s, false);
      int proposed = up ? (p.percent ? static_cast<int>(std::ceil(start * (1 + p.value / 100))) : start + static_cast<int>(p.value))
                        : (p.percent ? static_cast<int>(start * (1 - p.value / 100)) : start - static_cast<int>(p.value));
      result = (largest == up) ? std::max(result, proposed) : std::min(result, proposed);
    }
    return result;
  };
  if (desired > current) {
    int maximum = std::min(spec_.max_replicas, std::max(limit(spec_.up, true), current));
    if (desired > maximum) {
      desired = maximum;
      reason = maximum == spec_.max_replicas ? "too many replicas" : "scale up limit";
    }
  } else if (desired < current) {
    int minimum = std::max(spec_.min_replicas, std::min(limit(spec_.down, false), current));
    if (desired < minimum) {
      desired = minimum;
      reason = minimum == spec_.min_replicas ? "too few replicas" : "scale down limit";
    }
  }
  return desired;
}

HpaDecision HpaController::sync(double now_s, int current, const HpaObservation& seen) {
  HpaDecision d;
  if (current > spec_.max_replicas) {
    d.desired = d.proposal = spec_.max_replicas;
    d.reason = "above max_replicas";
  } else if (current < spec_.min_replicas) {
    d.desired = d.proposal = spec_.min_replicas;
    d.reason = "below min_replicas";
  } else {
    d.proposal = propose(current, seen, d.ratio, d.reason);
    d.desired = spec_.behavior ? normalize_with_behavior(now_s, current, d.proposal, d.reason)
                               : normalize_legacy(now_s, current, d.proposal, d.reason);
  }
  if (spec_.behavior && d.desired != current) events_.push_back({now_s, d.desired - current});  // storeScaleEvent
  double longest = 0;
  for (const auto* rule : {&spec_.up, &spec_.down})
    for (const auto& p : rule->policies) longest = std::max(longest, p.period_s);
  while (!events_.empty() && events_.front().t_s <= now_s - longest) events_.pop_front();
  return d;
}

}  // namespace aidcsim
