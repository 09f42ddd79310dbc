// The lifecycle events the core publishes (sim/core/lifecycle.hpp) to CoreOptions::observers, in
// order, for a start, a preemption and a completion.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "tests/core/core_support.hpp"

using namespace aidcsim;
using namespace aidcsim::core_test;
using aidcsim::unit::uniform_cluster;

namespace {

// One line per event; servers_changed shows the free share of GPU 0 in the ledger it is given.
class RecordingObserver final : public LifecycleObserver {
 public:
  void work_planned(JobIndex j, const ActivityPlan& plan, double work_start_s, double now) override {
    double flops = plan.execs.empty() ? 0 : plan.execs.front().flops;
    events.push_back(fmt::format("{} planned {} work@{} flops={}", now, j, work_start_s, flops));
  }
  void work_started(JobIndex j, double now) override { events.push_back(fmt::format("{} started {}", now, j)); }
  void run_ended(JobIndex j, RunEnd how, double now) override {
    events.push_back(fmt::format("{} ended {} {}", now, j, how == RunEnd::completed ? "completed" : "preempted"));
  }
  void servers_changed(const Allocation& a, const Ledger& ledger, double now) override {
    events.push_back(fmt::format("{} servers gpu{} free={}", now, a.gpus.at(0).gpu, ledger.free_milli(0)));
  }
  std::vector<std::string> events;
};

}  // namespace

// One GPU: a (100 s) from 0, preempted at 50 for b (20 s) with a 5 s restart cost; a restarts at
// 70 with half of its work (5e13 flops) starting at 75 and ends at 125. Every observer sees the
// same sequence, after the core applied each event (the ledger shows the GPU taken or free).
TEST(CoreLifecycle, ObserversSeeStartPreemptionAndCompletionInOrder) {
  RecordingObserver first, second;
  CoreOptions options;
  options.observers = {&first, &second};
  Harness h(uniform_cluster(1, 1), {job("a", 0, 100), job("b", 50, 20)}, std::make_unique<ScriptedScheduler>(),
            options);
  h.loop->run_until(49);
  h.scripted->preempt_next = {{0, 5}};
  h.loop->run_until();
  std::vector<std::string> expected{
      "0 planned 0 work@0 flops=100000000000000",
      "0 servers gpu0 free=0",
      "50 ended 0 preempted",
      "50 servers gpu0 free=1000",
      "50 planned 1 work@50 flops=20000000000000",
      "50 servers gpu0 free=0",
      "70 ended 1 completed",
      "70 servers gpu0 free=1000",
      "70 planned 0 work@75 flops=50000000000000",
      "70 servers gpu0 free=0",
      "125 ended 0 completed",
      "125 servers gpu0 free=1000",
  };
  EXPECT_EQ(first.events, expected);
  EXPECT_EQ(second.events, expected);
  EXPECT_EQ(h.run(0).end_s, 125);
}

// work_started is the engine's report that a run's work began (after image pulls): the core passes
// it on for the current run only.
TEST(CoreLifecycle, WorkStartedIsPublishedForTheCurrentRunOnly) {
  RecordingObserver observer;
  CoreOptions options;
  options.observers = {&observer};
  options.always_activities = true;
  Harness h(uniform_cluster(1, 1), {job("a", 0, 100)}, nullptr, options);
  h.loop->run_until(0);
  h.core->work_started(0, 7, 1);  // a stale epoch
  h.core->work_started(0, 0, 2);
  ASSERT_EQ(observer.events.size(), 3u);
  EXPECT_EQ(observer.events[2], "2 started 0");
}
