// Core (sim/core/core.cpp) driven by a fake executor: arrivals, FIFO order, rejection, timer
// completions, preemption with epochs, scheduler wake-ups, activities, close(). No SimGrid: this
// binary links aidcsim_core and the policies only (tests/CMakeLists.txt), which proves the core
// needs no SimGrid. Every expected time is computed by hand in the comment above its test.
#include <gtest/gtest.h>

#include "tests/core/core_support.hpp"

using namespace aidcsim;
using namespace aidcsim::core_test;
using aidcsim::unit::uniform_cluster;


// One server of 2 GPUs, FIFO: a (2 GPUs, 100 s) starts at 0; b (1 GPU, 50 s, submitted at 5) and c
// (1 GPU, 30 s, at 10) wait for it and both start at 100, b first: b ends at 150, c at 130.
TEST(Core, FifoStartsInArrivalOrderAndTimersEndAtStartPlusDuration) {
  Harness h(uniform_cluster(1, 2), {job("a", 0, 100, 2), job("b", 5, 50), job("c", 10, 30)});
  h.loop->run_until(99);
  EXPECT_EQ(h.run(0).state, JobState::running);
  EXPECT_EQ(h.core->event_queue().next_run_end_s(), 100);  // known at the start: the timer path
  EXPECT_EQ(h.core->queued_count(), 2u);
  EXPECT_EQ(h.core->running_count(), 1u);
  h.loop->run_until();
  for (JobIndex j = 0; j < 3; ++j) EXPECT_EQ(h.run(j).state, JobState::completed) << j;
  EXPECT_EQ(h.run(0).start_s, 0);
  EXPECT_EQ(h.run(0).end_s, 100);
  EXPECT_EQ(h.run(1).start_s, 100);
  EXPECT_EQ(h.run(1).end_s, 150);
  EXPECT_EQ(h.run(2).start_s, 100);
  EXPECT_EQ(h.run(2).end_s, 130);
  // Exclusive GPUs, nothing capped: no activities, every end was a run end in the core's queue.
  EXPECT_TRUE(h.executor.activity_runs.empty());
  // b took the first GPU, c the second (what they held when they ended: jobs.csv hosts).
  ASSERT_EQ(h.core->final_hosts(1).count, 1u);
  EXPECT_FALSE(h.core->final_hosts(1).servers);
  EXPECT_EQ(h.core->final_hosts(1).ids[0], 0u);
  EXPECT_EQ(h.core->final_hosts(1).first_gpu_milli, 1000);
  ASSERT_EQ(h.core->final_hosts(2).count, 1u);
  EXPECT_EQ(h.core->final_hosts(2).ids[0], 1u);
  EXPECT_EQ(h.core->last_completion_s(), 150);
  // 2 GPUs for 100 s, then 2 for 30 s and 1 for 20 s.
  EXPECT_EQ(h.core->allocated_gpu_seconds(), 200 + 60 + 20);
}

// A job larger than the platform, or asking for a model it lacks, is rejected when it arrives with
// the reason; the others run as if it were not there.
TEST(Core, JobThatNeverFitsIsRejectedWithItsReason) {
  JobSpec h100 = job("h100", 0, 10);
  h100.gpu_models = {"H100"};
  Harness h(uniform_cluster(1, 2), {job("big", 0, 10, 3), h100, job("ok", 1, 10)});
  h.loop->run_until();
  EXPECT_EQ(h.run(0).state, JobState::rejected);
  EXPECT_EQ(h.core->reason(0), "needs 3 GPUs but the platform has 2");
  EXPECT_EQ(h.run(1).state, JobState::rejected);
  EXPECT_EQ(h.core->reason(1), "gpu_model H100 is not on the platform (models: A100-80GB)");
  EXPECT_TRUE(std::isnan(h.run(0).start_s));
  EXPECT_EQ(h.run(2).state, JobState::completed);
  EXPECT_EQ(h.run(2).start_s, 1);
  EXPECT_EQ(h.run(2).end_s, 11);
}

// One GPU. a (100 s) runs from 0; b (20 s) arrives at 50 and the scheduler preempts a for it with
// a restart cost of 5 s. a has done half of its work; b runs 50-70; a restarts at 70, pays 5 s and
// does the 50 s left: it ends at 125. a's first run end (epoch 0, at 100) is cancelled, and a late
// completion of that run is ignored.
TEST(Core, PreemptedRunRestartsWithItsProgressAndItsStaleCompletionIsIgnored) {
  Harness h(uniform_cluster(1, 1), {job("a", 0, 100), job("b", 50, 20)}, std::make_unique<ScriptedScheduler>());
  h.loop->run_until(49);
  ASSERT_EQ(h.run(0).state, JobState::running);
  h.scripted->preempt_next = {{0, 5}};
  h.loop->run_until(50);
  const JobRun& a = h.run(0);
  EXPECT_EQ(a.state, JobState::pending);
  EXPECT_EQ(a.preemptions, 1);
  EXPECT_EQ(a.epoch, 1u);
  EXPECT_EQ(a.done_fraction, 0.5);
  EXPECT_EQ(a.attained_gpu_s, 50);
  EXPECT_EQ(a.run_s, 50);
  EXPECT_EQ(a.restart_penalty_s, 5);
  EXPECT_TRUE(h.core->allocation(0).gpus.empty());
  EXPECT_EQ(h.core->event_queue().next_run_end_s(), 70);  // b's; a's end at 100 is gone
  EXPECT_EQ(h.run(1).state, JobState::running);
  EXPECT_EQ(h.run(1).start_s, 50);

  h.loop->run_until(80);
  ASSERT_EQ(a.state, JobState::running);
  EXPECT_EQ(h.core->event_queue().next_run_end_s(), 125);
  EXPECT_EQ(a.start_s, 0);  // the first start stays
  h.core->finish(0, 0, 80);  // the preempted run's completion arriving late
  EXPECT_EQ(a.state, JobState::running);
  EXPECT_TRUE(std::isnan(a.end_s));

  h.loop->run_until();
  EXPECT_EQ(a.state, JobState::completed);
  EXPECT_EQ(a.end_s, 125);
  EXPECT_EQ(a.done_fraction, 1);
  EXPECT_EQ(a.run_s, 50 + 55);
  EXPECT_EQ(a.attained_gpu_s, 50 + 55);
  EXPECT_EQ(h.run(1).end_s, 70);
  // The scheduler heard of every run's end: a's preemption, b's and a's completions.
  EXPECT_EQ(h.scripted->run_ends, (std::vector<JobIndex>{0, 1, 0}));
}

// The `priority` scheduler, preemptive: the same scenario with b of higher priority gives the same
// times (restart cost 5 s: a ends at 125).
TEST(Core, PreemptivePrioritySchedulerPreemptsTheLowerPriorityJob) {
  Cluster c = uniform_cluster(1, 1);
  std::vector<JobSpec> jobs{job("a", 0, 100), job("b", 50, 20)};
  jobs[1].priority = 10;
  auto priority = unit::make_policy_from(builtin_registries().schedulers, "priority",
                                         {{"preemptive", true}, {"restart_cost_s", 5}}, "/scheduler", c, jobs);
  Harness h(c, jobs, std::move(priority));
  h.loop->run_until();
  EXPECT_EQ(h.run(0).preemptions, 1);
  EXPECT_EQ(h.run(0).end_s, 125);
  EXPECT_EQ(h.run(1).start_s, 50);
  EXPECT_EQ(h.run(1).end_s, 70);
}

// A scheduler's wake-up request reaches the core's event queue (one at or before now is spent), and
// the loop then runs a pass at that instant: b waits behind a on one GPU, passes run at 0, 40 (the
// wake-up) and 100 (a's end).
TEST(Core, SchedulerWakeUpReachesTheEventQueueAndRunsAPass) {
  Harness h(uniform_cluster(1, 1), {job("a", 0, 100), job("b", 0, 10)}, std::make_unique<ScriptedScheduler>());
  h.scripted->wake_next = {0, 40};
  h.loop->run_until(0);
  EXPECT_EQ(h.core->event_queue().next_wakeup_s(0), 40);
  h.loop->run_until();
  EXPECT_EQ(h.scripted->passes, (std::vector<double>{0, 40, 100}));
  EXPECT_EQ(h.run(1).end_s, 110);
}

// With engine.activities = "always" every run goes to run_activities(); the engine reports the end
// (finish) and, on preemption, how much of the plan was done (here 25%).
TEST(Core, ActivityRunsArePreemptedWithTheShareTheExecutorReports) {
  CoreOptions options;
  options.always_activities = true;
  Harness h(uniform_cluster(1, 1), {job("a", 0, 100), job("b", 40, 10)}, std::make_unique<ScriptedScheduler>(), options);
  h.loop->run_until(39);
  ASSERT_EQ(h.executor.activity_runs.size(), 1u);
  EXPECT_EQ(h.executor.activity_runs[0].job, 0u);
  EXPECT_EQ(h.executor.activity_runs[0].plan.execs.at(0).flops, 100 * 1e12);
  EXPECT_EQ(h.executor.activity_runs[0].isolated_work_s, -1);
  h.executor.stop_fraction = 0.25;
  h.scripted->preempt_next = {{0, 0}};
  h.loop->run_until(40);
  EXPECT_EQ(h.executor.stopped, (std::vector<JobIndex>{0}));
  EXPECT_DOUBLE_EQ(h.run(0).done_fraction, 0.25);
  ASSERT_EQ(h.executor.activity_runs.size(), 2u);  // b's
  h.loop->activities_end_at(50, [&] { h.core->finish(1, 0, 50); });
  ASSERT_EQ(h.executor.activity_runs.size(), 3u);  // a again, with 75% of its work
  EXPECT_EQ(h.executor.activity_runs[2].epoch, 1u);
  EXPECT_EQ(h.executor.activity_runs[2].plan.execs.at(0).flops, 75 * 1e12);
  h.loop->activities_end_at(125, [&] { h.core->finish(0, 1, 125); });
  EXPECT_EQ(h.run(0).state, JobState::completed);
  EXPECT_EQ(h.run(0).end_s, 125);
  EXPECT_EQ(h.core->event_queue().next_run_end_s(), EventQueue::kNever);  // no run end was queued
}

// close() ends what is still running or queued as unfinished with the reason, counting the running
// job's service up to then; a job submitted later never arrived.
TEST(Core, CloseMarksRunningAndQueuedJobsUnfinished) {
  Harness h(uniform_cluster(1, 1), {job("a", 0, 100), job("b", 0, 100), job("late", 500, 1)});
  h.loop->run_until(50);
  h.core->close(50, "still queued or running at the horizon");
  EXPECT_EQ(h.run(0).state, JobState::unfinished);
  EXPECT_EQ(h.core->reason(0), "still queued or running at the horizon");
  EXPECT_EQ(h.run(0).run_s, 50);
  EXPECT_EQ(h.run(0).attained_gpu_s, 50);
  EXPECT_TRUE(std::isnan(h.run(0).end_s));
  EXPECT_EQ(h.run(1).state, JobState::unfinished);
  EXPECT_EQ(h.core->reason(1), "still queued or running at the horizon");
  EXPECT_TRUE(std::isnan(h.run(1).start_s));
  EXPECT_EQ(h.run(2).state, JobState::unfinished);
  EXPECT_EQ(h.core->reason(2), "submitted after the horizon");
  EXPECT_EQ(h.core->running_count(), 0u);
  EXPECT_EQ(h.core->queued_count(), 0u);
}
