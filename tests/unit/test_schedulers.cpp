// The scheduling policies on a hand-built view (test_schedulers_bench.hpp): what every policy must do,
// and SJF. Backfilling is in test_schedulers_backfill.cpp, the preemptive and fair-share policies
// (las, priority, drf) in test_schedulers_preemptive.cpp.
#include <gtest/gtest.h>

#include "tests/unit/test_schedulers_bench.hpp"

using namespace aidcsim;
using namespace aidcsim::unit::sched;
using aidcsim::unit::uniform_cluster;

// ---------------------------------------------------------------- every policy

TEST(Schedulers, EveryPolicyIsRegisteredAndStartsWhatFits) {
  for (const char* name : {"sjf", "backfill", "las", "drf", "priority"}) {
    SCOPED_TRACE(name);
    Bench b(uniform_cluster(1, 4), {job("a", 0, 10, 1), job("b", 1, 20, 2), job("c", 2, 30, 1)});
    b.queue({"a", "b", "c"});
    auto s = make(name);
    ASSERT_TRUE(s);
    b.pass(*s);
    EXPECT_EQ(b.started.size(), 3u);
    EXPECT_TRUE(b.preempted.empty());
    b.pass(*s);  // nothing left: a second pass does nothing
    EXPECT_TRUE(b.started.empty());
  }
}

TEST(Schedulers, EmptyQueueDoesNothing) {
  for (const char* name : {"sjf", "backfill", "las", "drf", "priority"}) {
    Bench b(uniform_cluster(1, 4), {job("a", 0, 10, 1)});
    b.run("a", 0);
    auto s = make(name);
    b.pass(*s);
    EXPECT_TRUE(b.started.empty()) << name;
    EXPECT_TRUE(b.preempted.empty()) << name;
  }
}

TEST(Schedulers, JobsThatWaitedStartAfterACompletion) {
  // Passes without a completion look only at new arrivals; the pass after a completion must look
  // at the whole queue again.
  for (const char* name : {"sjf", "backfill", "las", "drf", "priority"}) {
    SCOPED_TRACE(name);
    Bench b(uniform_cluster(1, 2), {job("a", 0, 100, 2), job("b", 1, 10, 1), job("c", 2, 10, 1), job("d", 3, 10, 2)});
    auto s = make(name);
    b.run("a", 0);
    b.set_now(1);
    b.queue({"b"});
    b.pass(*s);
    b.set_now(2);
    b.queue({"c"});
    b.pass(*s);
    EXPECT_TRUE(b.started.empty());
    b.set_now(100);
    b.finish("a");
    b.queue({"d"});
    b.pass(*s);
    EXPECT_EQ(b.names(b.started), (Names{"b", "c"}));
  }
}

TEST(Schedulers, UnknownOptionsAreReported) {
  std::vector<std::string> problems;
  make("sjf", {{"blockin", true}}, &problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("/scheduler/blockin"), std::string::npos) << problems[0];
  EXPECT_NE(problems[0].find("did you mean \"blocking\""), std::string::npos) << problems[0];
}

// ---------------------------------------------------------------- fifo

TEST(Fifo, StrictByDefaultTheHeadBlocks) {
  Bench b(uniform_cluster(1, 4), {job("r", 0, 100, 2), job("big", 1, 1, 4), job("one", 2, 5, 1)});
  b.run("r", 0);
  b.queue({"big", "one"});
  b.pass(*make("fifo"));
  EXPECT_TRUE(b.started.empty());
  b.pass(*make("fifo", {{"blocking", true}}));
  EXPECT_TRUE(b.started.empty());
}

TEST(Fifo, NonBlockingSkipsJobsThatDoNotFitInArrivalOrder) {
  // 4 GPUs, 2 held: big (4 GPUs) is skipped; one, then two (2 GPUs) no longer fits, then one-more.
  Bench b(uniform_cluster(1, 4), {job("r", 0, 100, 2), job("big", 1, 1, 4), job("one", 2, 50, 1),
                                  job("two", 3, 10, 2), job("one-more", 4, 20, 1)});
  b.run("r", 0);
  b.queue({"big", "one", "two", "one-more"});
  b.pass(*make("fifo", {{"blocking", false}}));
  EXPECT_EQ(b.names(b.started), (Names{"one", "one-more"}));
}

TEST(Fifo, NonBlockingLooksAtTheWholeQueueAfterACompletion) {
  Bench b(uniform_cluster(1, 2), {job("a", 0, 100, 2), job("b", 1, 10, 2), job("c", 2, 10, 1), job("d", 3, 10, 1)});
  auto s = make("fifo", {{"blocking", false}});
  b.run("a", 0);
  b.set_now(1);
  b.queue({"b", "c"});
  b.pass(*s);
  EXPECT_TRUE(b.started.empty());
  b.set_now(100);
  b.finish("a");
  b.queue({"d"});
  b.pass(*s);
  EXPECT_EQ(b.names(b.started), (Names{"b"})) << "b is first in arrival order and fits once a is gone";
}

TEST(Fifo, BadOptionsAreReported) {
  std::vector<std::string> problems;
  make("fifo", {{"blockin", false}}, &problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("/scheduler/blockin"), std::string::npos) << problems[0];
  EXPECT_NE(problems[0].find("did you mean \"blocking\""), std::string::npos) << problems[0];
  problems.clear();
  make("fifo", {{"blocking", "no"}}, &problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("/scheduler/blocking"), std::string::npos) << problems[0];
}

// ---------------------------------------------------------------- sjf

TEST(Sjf, OrdersByEstimateWhenPresentElseDuration) {
  // d has the longest duration but the shortest estimate; ties (b, e: 10 s) go in arrival order.
  Bench b(uniform_cluster(1, 8), {job("a", 0, 50, 1), job("b", 1, 10, 1), job("c", 2, 30, 1),
                                  job("d", 3, 90, 1, "default", 0, 5), job("e", 4, 10, 1)});
  b.queue({"a", "b", "c", "d", "e"});
  b.pass(*make("sjf"));
  EXPECT_EQ(b.names(b.started), (Names{"d", "b", "e", "c", "a"}));
}

TEST(Sjf, SkipsJobsThatDoNotFitByDefault) {
  // 4 GPUs, 2 held: the shortest job (4 GPUs) cannot start; the next shorter ones are tried.
  Bench b(uniform_cluster(1, 4), {job("r", 0, 100, 2), job("big", 1, 1, 4), job("one", 2, 5, 1),
                                  job("two", 3, 10, 2), job("one-more", 4, 20, 1)});
  b.run("r", 0);
  b.queue({"big", "one", "two", "one-more"});
  b.pass(*make("sjf"));
  EXPECT_EQ(b.names(b.started), (Names{"one", "one-more"})) << "two (2 GPUs) no longer fits after one";
}

TEST(Sjf, BlockingStopsAtTheShortestJobThatDoesNotFit) {
  Bench b(uniform_cluster(1, 4), {job("r", 0, 100, 2), job("big", 1, 1, 4), job("one", 2, 5, 1)});
  b.run("r", 0);
  b.queue({"big", "one"});
  b.pass(*make("sjf", {{"blocking", true}}));
  EXPECT_TRUE(b.started.empty());
}

TEST(Sjf, KeepsItsOrderAcrossPassesAsJobsArrive) {
  Bench b(uniform_cluster(1, 1), {job("r", 0, 100, 1), job("long", 1, 50, 1), job("short", 2, 5, 1),
                                  job("mid", 3, 20, 1)});
  b.run("r", 0);
  auto s = make("sjf");
  b.queue({"long"});
  b.pass(*s);
  b.queue({"short", "mid"});
  b.pass(*s);
  EXPECT_TRUE(b.started.empty());
  b.finish("r");
  b.pass(*s);
  EXPECT_EQ(b.names(b.started), (Names{"short"}));
}
