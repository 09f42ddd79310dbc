// The HPA's decision at each sync (models/autoscaling/hpa.cpp) on the fact sheet's hand-computed
// trajectory (../shared/notes/k8s-prometheus-llm-semantics.md, F-B): a load that quadruples at 60 s
// and drops to a quarter at 600 s, target 50 per replica, min 2, under `behavior: null` (legacy
// normalisation) and `behavior: {}` (Kubernetes' defaults); and the replica calculator's re-averaging
// when samples are missing or replicas are not ready.
#include <gtest/gtest.h>

#include <map>

#include "models/autoscaling/hpa.hpp"

namespace aidcsim {
namespace {

// Syncs every 15 s from 0 to 1000 s; returns the replica count after each sync that changed it.
std::map<int, int> trajectory(bool behavior) {
  HpaSpec spec;
  spec.min_replicas = 2;
  spec.max_replicas = 20;
  spec.target = 50;
  spec.behavior = behavior;
  if (behavior) spec.up = default_scale_up_rule(), spec.down = default_scale_down_rule();
  HpaController hpa(spec);
  std::map<int, int> changes;
  int replicas = 2;
  for (int t = 0; t <= 1000; t += 15) {
    double load = t < 60 ? 100 : t < 600 ? 400 : 100;  // metric summed over the replicas
    HpaObservation seen;
    seen.ready_values.assign(replicas, load / replicas);
    int next = hpa.sync(t, replicas, seen).desired;
    if (next != replicas) changes[t] = next;
    replicas = next;
  }
  return changes;
}

TEST(Hpa, LegacyNormalisationTrajectory) {
  // 2 -> 4 at 60 (scale-up limit max(2 x 2, 4)), -> 8 at 75, -> 2 at 900 (the 8 recommended at 585
  // holds the 300 s window until the cutoff passes it).
  EXPECT_EQ(trajectory(false), (std::map<int, int>{{60, 4}, {75, 8}, {900, 2}}));
}

TEST(Hpa, DefaultBehaviorTrajectory) {
  // 2 -> 6 at 60 (max of +4 pods and +100 %), -> 8 at 75, -> 2 at 885 (a recommendation exactly 300 s
  // old no longer counts on this path).
  EXPECT_EQ(trajectory(true), (std::map<int, int>{{60, 6}, {75, 8}, {885, 2}}));
}

TEST(Hpa, ToleranceBandAndLimits) {
  HpaSpec spec;
  spec.min_replicas = 1;
  spec.max_replicas = 5;
  spec.target = 10;
  HpaController hpa(spec);
  HpaObservation within{{10.9, 10.9, 10.9}, 0};  // ratio 1.09: within 0.1
  EXPECT_EQ(hpa.sync(0, 3, within).desired, 3);
  HpaObservation hot{{40, 40, 40}, 0};           // ratio 4: 12 proposed, max 5
  HpaDecision d = hpa.sync(15, 3, hot);
  EXPECT_EQ(d.proposal, 12);
  EXPECT_EQ(d.desired, 5);
  EXPECT_EQ(d.reason, "too many replicas");
}

TEST(Hpa, MissingSamplesAndUnreadyReplicasAreReaveraged) {
  HpaSpec spec;
  spec.min_replicas = 1;
  spec.max_replicas = 20;
  spec.target = 50;
  auto propose = [&](HpaObservation seen) { return HpaController(spec).sync(0, 4, seen).proposal; };
  // Two replicas at 130 and two without samples: scaling up, the missing count as 0 -> 65 -> 6 (not 11).
  EXPECT_EQ(propose({{130, 130, std::nullopt, std::nullopt}, 0}), 6);
  // At 60: scaling up, the missing count as 0 -> 30: the direction flips -> stays 4.
  EXPECT_EQ(propose({{60, 60, std::nullopt, std::nullopt}, 0}), 4);
  // At 10: scaling down, the missing count as the target (a plain metric) -> 30 -> ceil(0.6 x 4) = 3.
  EXPECT_EQ(propose({{10, 10, std::nullopt, std::nullopt}, 0}), 3);
  // Three ready at 100, one starting: it counts as 0 -> 75 -> 6 (not 8).
  EXPECT_EQ(propose({{100, 100, 100}, 1}), 6);
}

}  // namespace
}  // namespace aidcsim
