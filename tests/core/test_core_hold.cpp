// Jobs their model holds and releases (JobSpec::held, Core::release, Core::park): the replicas an
// autoscaler will add and remove. Every expected time is computed by hand in the comment above its test.
#include <gtest/gtest.h>

#include "tests/core/core_support.hpp"

using namespace aidcsim;
using namespace aidcsim::core_test;
using aidcsim::unit::uniform_cluster;

// One GPU. r (held, 100 s) arrives at 0 and waits although the GPU is free; b (30 s) arrives at 5 and
// runs 5-35. r is released at 10: it waits in the queue for b and runs 35-135.
TEST(CoreHold, HeldJobWaitsUntilReleased) {
  JobSpec r = job("r", 0, 100);
  r.held = true;
  Harness h(uniform_cluster(1, 1), {r, job("b", 5, 30)});
  h.loop->run_until(9);
  EXPECT_EQ(h.run(0).state, JobState::pending);
  EXPECT_TRUE(h.core->is_held(0));
  EXPECT_EQ(h.core->queued_count(), 0u);
  EXPECT_EQ(h.run(1).state, JobState::running);
  h.loop->at(10, [&] { h.core->release(0, 10); });
  EXPECT_FALSE(h.core->is_held(0));
  EXPECT_EQ(h.core->queued_count(), 1u);
  h.loop->run_until();
  EXPECT_EQ(h.run(0).start_s, 35);
  EXPECT_EQ(h.run(0).end_s, 135);
  EXPECT_THROW(h.core->release(0, 200), std::logic_error);  // not held any more
}

// Two GPUs. r (2 GPUs, 100 s) runs from 0; parked at 40 it frees both GPUs for q (2 GPUs, 30 s,
// queued since 1), which runs 40-70. r's run counts as a preemption (it ran in pieces; with the trace
// model 40 % of its work is done) and its stale end at 100 is ignored. Released at 50, it waits for q
// and does the 60 s left from 70: it ends at 130.
TEST(CoreHold, ParkedJobFreesItsGpusAndComesBackOnRelease) {
  Harness h(uniform_cluster(1, 2), {job("r", 0, 100, 2), job("q", 1, 30, 2)});
  h.loop->at(40, [&] { h.core->park(0, 40); });
  EXPECT_TRUE(h.core->is_held(0));
  EXPECT_EQ(h.run(0).state, JobState::pending);
  EXPECT_EQ(h.run(0).preemptions, 1);
  EXPECT_EQ(h.run(1).start_s, 40);
  h.loop->at(50, [&] { h.core->release(0, 50); });
  h.loop->run_until();
  EXPECT_EQ(h.run(1).end_s, 70);
  EXPECT_EQ(h.run(0).state, JobState::completed);
  EXPECT_EQ(h.run(0).end_s, 130);
}

// A queued job can be parked too (it leaves the queue); one held at the end is unfinished with the
// reason, and the run ends when only held jobs are left.
TEST(CoreHold, ParkedWhileQueuedAndHeldAtTheEnd) {
  Harness h(uniform_cluster(1, 1), {job("a", 0, 50), job("w", 1, 10)});
  h.loop->at(5, [&] { h.core->park(1, 5); });
  EXPECT_EQ(h.core->queued_count(), 0u);
  EXPECT_EQ(h.run(1).preemptions, 0);
  h.loop->run_until();
  h.core->close(50, "still queued or running at the horizon");
  EXPECT_EQ(h.run(0).state, JobState::completed);
  EXPECT_EQ(h.run(1).state, JobState::unfinished);
  EXPECT_EQ(h.core->reason(1), "held by its model (not released) at the end");
}
