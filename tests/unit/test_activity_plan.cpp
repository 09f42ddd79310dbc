// A plan's phases (sim/policy/workload_model.hpp): the default order of one repeat, a model's own order,
// and the mistakes a model can make; the sharded collective's stages (models/workload/collectives.cpp).
#include <gtest/gtest.h>

#include <stdexcept>

#include "models/workload/collectives.hpp"
#include "sim/policy/workload_model.hpp"

namespace aidcsim {
namespace {

ActivityPlan plan_with_everything() {
  ActivityPlan plan;
  plan.execs.push_back({true, 0, 1e12, 0});
  plan.comm_rounds = {{{{true, 0}, {true, 1}, 1e6}}, {{{true, 1}, {true, 0}, 1e6}}};
  plan.comm_wait_s = 0.5;
  plan.reads.push_back({0, 0, 1e9, false});
  plan.checkpoint_writes.push_back({0, 0, 1e9, true});
  return plan;
}

TEST(ActivityPlan, DefaultOrderIsReadsComputeRoundsWaitWrites) {
  using K = PhaseKind;
  const std::vector<PlanPhase> expected = {{K::read, 0}, {K::compute, 0}, {K::round, 0}, {K::round, 1}, {K::wait, 0}, {K::write, 0}};
  EXPECT_EQ(plan_with_everything().sequence(), expected);
  // What a plan lacks is not a phase of it: the trace model's plan is its executions alone.
  ActivityPlan compute_only;
  compute_only.execs.push_back({true, 0, 1e12, 0});
  EXPECT_EQ(compute_only.sequence(), (std::vector<PlanPhase>{{K::compute, 0}}));
}

TEST(ActivityPlan, AModelsOwnOrderIsKeptWhenItNamesEachPartOnce) {
  using K = PhaseKind;
  ActivityPlan plan = plan_with_everything();
  plan.phases = {{K::read, 0}, {K::round, 0}, {K::compute, 0}, {K::round, 1}, {K::wait, 0}, {K::write, 0}};
  EXPECT_EQ(plan.sequence(), plan.phases);
  ActivityPlan twice = plan_with_everything();
  twice.phases = {{K::read, 0}, {K::round, 0}, {K::compute, 0}, {K::round, 0}, {K::wait, 0}, {K::write, 0}};
  EXPECT_THROW(twice.sequence(), std::logic_error);  // round 1 left out, round 0 twice
  ActivityPlan missing = plan_with_everything();
  missing.phases = {{K::read, 0}, {K::compute, 0}, {K::round, 0}, {K::round, 1}, {K::write, 0}};
  EXPECT_THROW(missing.sequence(), std::logic_error);  // no wait
  ActivityPlan foreign = plan_with_everything();
  foreign.phases = {{K::read, 0}, {K::compute, 0}, {K::round, 0}, {K::round, 2}, {K::wait, 0}, {K::write, 0}};
  EXPECT_THROW(foreign.sequence(), std::logic_error);  // no round 2
}

// Several computations: each is a phase of its own, in the default order one after the other; their
// parts must split every execution whole.
TEST(ActivityPlan, SeveralComputationsAreSeveralPhases) {
  using K = PhaseKind;
  ActivityPlan plan;
  plan.execs = {{true, 0, 1e12, 0}, {true, 1, 1e12, 0}};
  plan.compute_parts = {{1, 0}, {0, 1}};
  EXPECT_TRUE(plan.sequenced());
  EXPECT_EQ(plan.sequence(), (std::vector<PlanPhase>{{K::compute, 0}, {K::compute, 1}}));
  plan.comm_rounds = {{{{true, 0}, {true, 1}, 1e6}}};
  plan.phases = {{K::compute, 0}, {K::round, 0}, {K::compute, 1}};  // a pipeline: stage, transfer, stage
  EXPECT_EQ(plan.sequence(), plan.phases);
  plan.phases = {{K::compute, 0}, {K::round, 0}};
  EXPECT_THROW(plan.sequence(), std::logic_error);  // computation 1 left out
  plan.phases.clear();
  plan.compute_parts = {{0.5, 0}, {0.4, 1}};
  EXPECT_THROW(plan.sequence(), std::logic_error);  // execution 0 split into 0.9
  plan.compute_parts = {{1}, {0, 1}};
  EXPECT_THROW(plan.sequence(), std::logic_error);  // a part per execution
  ActivityPlan one;
  one.execs = {{true, 0, 1e12, 0}};
  EXPECT_FALSE(one.sequenced());
  EXPECT_EQ(one.part(0, 0), 1);
}

// Sharded data parallelism moves 1.5 times the ring all-reduce's bytes: two all-gathers of the
// parameters before the computation, one reduce-scatter of the gradients after it.
TEST(Collectives, ShardedGathersTwiceBeforeAndScattersOnceAfter) {
  Cluster cluster;
  const std::vector<GpuIndex> members = {0, 1, 2, 3};
  auto ring = collective_stages("ring", members, cluster, 4e9);
  auto sharded = collective_stages("sharded", members, cluster, 4e9);
  ASSERT_EQ(ring.size(), 1u);
  ASSERT_EQ(sharded.size(), 2u);
  EXPECT_TRUE(sharded[0].before_compute);
  EXPECT_FALSE(sharded[1].before_compute);
  EXPECT_EQ(sharded[0].rounds, 6);
  EXPECT_EQ(sharded[1].rounds, 3);
  EXPECT_EQ(sharded[0].bytes, 1e9);
  EXPECT_EQ(sharded[0].flows, ring[0].flows);
  auto volume = [](const std::vector<CollectiveStage>& stages) {
    double bytes = 0;
    for (const auto& s : stages) bytes += s.bytes * s.rounds * s.flows.size();
    return bytes;
  };
  EXPECT_DOUBLE_EQ(volume(sharded), 1.5 * volume(ring));
}

}  // namespace
}  // namespace aidcsim
