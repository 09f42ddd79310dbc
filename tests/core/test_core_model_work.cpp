// Work that a job's model runs within its run (Core::run_model_work; an inference replica's batch
// iterations): a plain step is an exact timer when nothing is shared, a step with phases of its own
// (computations on some of the job's GPUs, a transfer between them) goes to the executor as a plan of
// phases, and a step under way is cancelled when its run ends.
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "tests/core/core_support.hpp"

using namespace aidcsim;
using namespace aidcsim::core_test;
using aidcsim::unit::uniform_cluster;

namespace {

// Records the model events the core hands back: (payload, time).
struct RecordingModel final : EventHandler {
  std::vector<std::pair<std::uint64_t, double>> events;
  void on_event(std::uint64_t payload, double now_s) override { events.emplace_back(payload, now_s); }
};

// A replica-like job: 2 GPUs, its work run by its model, submitted at 0.
JobSpec served(int gpus = 2) {
  JobSpec j = job("replica", 0, 1e9, gpus);
  j.work_by_model = true;
  return j;
}

// Two computations, one per GPU, with the first GPU's output sent to the second between them (a
// pipeline of two stages): compute 0, round 0, compute 1.
ActivityPlan two_stages(GpuIndex first, GpuIndex second, double bytes) {
  ActivityPlan shape;
  shape.compute_parts = {{1, 0}, {0, 1}};
  shape.comm_rounds = {{CommStep{{true, first}, {true, second}, bytes}}};
  shape.phases = {{PhaseKind::compute, 0}, {PhaseKind::round, 0}, {PhaseKind::compute, 1}};
  return shape;
}

}  // namespace

// Alone on its exclusive GPUs, a step of 2.5 s started at 3 is due at 5.5 exactly, and the executor
// runs nothing.
TEST(CoreModelWork, PlainStepIsAnExactTimer) {
  Harness h(uniform_cluster(1, 2), {served()});
  RecordingModel model;
  h.loop->run_until(1);
  ASSERT_EQ(h.run(0).state, JobState::running);
  h.loop->at(3, [&] { h.core->run_model_work(0, 2.5, &model, 42); });
  h.loop->run_until(10);
  ASSERT_EQ(model.events.size(), 1u);
  EXPECT_EQ(model.events[0], (std::pair<std::uint64_t, double>{42, 5.5}));
  EXPECT_TRUE(h.executor.executions.empty());
}

// A step with a transfer between its GPUs is never a timer: the executor gets the plan of phases, with
// one execution per GPU sized at alone_s of that GPU's speed, the model's parts, round and order. When
// the run is preempted, the step under way is cancelled and its event never comes.
TEST(CoreModelWork, StepWithPhasesRunsAsAPlanAndIsCancelledWithItsRun) {
  auto scheduler = std::make_unique<ScriptedScheduler>();
  ScriptedScheduler& scripted = *scheduler;
  Harness h(uniform_cluster(1, 2), {served(), job("b", 101, 10)}, std::move(scheduler));  // b's arrival: a pass
  RecordingModel model;
  h.loop->run_until(1);
  ASSERT_EQ(h.run(0).state, JobState::running);
  const auto& gpus = h.live(0).allocation.gpus;
  ASSERT_EQ(gpus.size(), 2u);
  h.loop->at(2, [&] { h.core->run_model_work(0, 0.5, &model, 7, two_stages(gpus[0].gpu, gpus[1].gpu, 1e9)); });
  ASSERT_EQ(h.executor.executions.size(), 1u);
  const ActivityPlan& plan = h.executor.executions[0];
  ASSERT_EQ(plan.execs.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(plan.execs[i].index, gpus[i].gpu);
    EXPECT_DOUBLE_EQ(plan.execs[i].flops, 0.5 * h.cluster.gpus[gpus[i].gpu].speed_flops);
  }
  EXPECT_EQ(plan.compute_parts, (std::vector<std::vector<double>>{{1, 0}, {0, 1}}));
  ASSERT_EQ(plan.comm_rounds.size(), 1u);
  EXPECT_EQ(plan.comm_rounds[0][0].bytes, 1e9);
  EXPECT_EQ(plan.sequence(), two_stages(0, 1, 1).phases);
  h.loop->run_until(100);
  EXPECT_TRUE(model.events.empty());  // SimGrid's to end, not a timer
  scripted.preempt_next.push_back({0, 0});
  h.loop->run_until(101);
  EXPECT_EQ(h.run(0).preemptions, 1);
  EXPECT_EQ(h.executor.cancelled_executions, (std::vector<std::uint64_t>{0}));
}

// The core makes the executions: a shape that brings its own, has a delay, or splits the work among
// computations with a share per GPU that the job does not have, is the model's mistake.
TEST(CoreModelWork, ShapeThatDoesNotFitTheJobIsALogicError) {
  Harness h(uniform_cluster(1, 2), {served()});
  RecordingModel model;
  h.loop->run_until(1);
  ActivityPlan three_parts;
  three_parts.compute_parts = {{1, 0, 0}, {0, 1, 1}};
  EXPECT_THROW(h.core->run_model_work(0, 1, &model, 0, three_parts), std::logic_error);
  ActivityPlan delayed;
  delayed.delay_s = 1;
  EXPECT_THROW(h.core->run_model_work(0, 1, &model, 0, delayed), std::logic_error);
  ActivityPlan with_execs;
  with_execs.execs.push_back({true, 0, 1, 0});
  EXPECT_THROW(h.core->run_model_work(0, 1, &model, 0, with_execs), std::logic_error);
  EXPECT_TRUE(h.executor.executions.empty());
}
