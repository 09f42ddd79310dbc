// The preemptive and fair-share policies (las, drf, priority) on a hand-built view
// (test_schedulers_bench.hpp), and the victim selection they share (choose_victims).
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <vector>

#include "models/scheduling/common.hpp"
#include "tests/unit/test_schedulers_bench.hpp"

using namespace aidcsim;
using namespace aidcsim::unit::sched;
using aidcsim::unit::make_cluster;
using aidcsim::unit::ServerShape;
using aidcsim::unit::uniform_cluster;

// ---------------------------------------------------------------- las (Tiresias 2D-LAS)

TEST(Las, DemotesAtTheThresholdAndThenPreemptsForAShorterJob) {
  // 1 GPU. L has run since 0; S arrives. Below the threshold (100 GPU-s) both are in queue 0 and S
  // waits; at the threshold L is demoted and S preempts it.
  for (double now : {99.0, 100.0}) {
    Bench b(uniform_cluster(1, 1), {job("L", 0, 1000, 1), job("S", 50, 50, 1)});
    b.run("L", 0);
    b.set_now(now);
    b.queue({"S"});
    b.pass(*make("las", {{"thresholds_gpu_s", {100}}, {"restart_cost_s", 30}}));
    if (now < 100) {
      EXPECT_TRUE(b.preempted.empty());
      EXPECT_TRUE(b.started.empty());
    } else {
      EXPECT_EQ(b.names(b.preempted), (Names{"L"}));
      EXPECT_EQ(b.restart_costs, (std::vector<double>{30}));
      EXPECT_EQ(b.names(b.started), (Names{"S"}));
    }
  }
}

TEST(Las, ServiceIsGpuSecondsSoWideJobsAreDemotedSooner) {
  // At t=30 the 4-GPU job has 120 GPU-s (queue 1), the 1-GPU job 30 GPU-s (queue 0).
  Bench b(uniform_cluster(1, 5), {job("wide", 0, 1000, 4), job("narrow", 0, 1000, 1), job("new", 10, 10, 1)});
  b.run("wide", 0);
  b.run("narrow", 0);
  b.set_now(30);
  b.queue({"new"});
  b.pass(*make("las", {{"thresholds_gpu_s", {100}}}));
  EXPECT_EQ(b.names(b.preempted), (Names{"wide"}));
  EXPECT_EQ(b.names(b.started), (Names{"new"}));
}

TEST(Las, PreemptsFromTheLowestQueueLatestArrivalFirstAndOnlyWhatIsNeeded) {
  // 3 GPUs: A and C in queue 2 (C arrived later), B in queue 1. A 1-GPU newcomer takes C's GPU;
  // a 2-GPU one takes C's and A's.
  for (int gpus : {1, 2}) {
    Bench b(uniform_cluster(1, 3), {job("A", 0, 1e6, 1), job("B", 1, 1e6, 1), job("C", 2, 1e6, 1), job("N", 3, 10, gpus)});
    b.run("A", 0, 2000);
    b.run("B", 0, 500);
    b.run("C", 0, 2000);
    b.set_now(10);
    b.queue({"N"});
    b.pass(*make("las", {{"thresholds_gpu_s", {100, 1000}}}));
    if (gpus == 1) EXPECT_EQ(b.names(b.preempted), (Names{"C"}));
    else EXPECT_EQ(b.names(b.preempted), (Names{"C", "A"}));
    EXPECT_EQ(b.names(b.started), (Names{"N"}));
  }
}

TEST(Las, NeverPreemptsForAJobOfTheSameOrALowerQueue) {
  // R runs in queue 1 (400 GPU-s). P, pending with earlier service, preempts it only from queue 0.
  for (double p_service : {50.0, 500.0, 5000.0}) {
    Bench b(uniform_cluster(1, 1), {job("P", 0, 1e6, 1), job("R", 1, 1e6, 1)});
    b.run("R", 0, 390);
    b.set_now(10);
    b.queue({"P"});
    b.set_service("P", p_service);
    b.pass(*make("las", {{"thresholds_gpu_s", {100, 1000}}}));
    if (p_service < 100) {
      EXPECT_EQ(b.names(b.preempted), (Names{"R"}));
      EXPECT_EQ(b.names(b.started), (Names{"P"}));
    } else {
      EXPECT_TRUE(b.preempted.empty()) << p_service;
      EXPECT_TRUE(b.started.empty()) << p_service;
    }
  }
}

TEST(Las, QueuesFirstThenArrivalWithinAQueue) {
  // 2 free GPUs; X arrived first but has 500 GPU-s from an earlier run (queue 1); Y, Z are new.
  Bench b(uniform_cluster(1, 2), {job("X", 0, 1e6, 1), job("Y", 1, 10, 1), job("Z", 2, 10, 1), job("W", 3, 10, 1)});
  b.set_now(10);
  b.queue({"X", "Y", "Z", "W"});
  b.set_service("X", 500);
  b.pass(*make("las", {{"thresholds_gpu_s", {100}}}));
  EXPECT_EQ(b.names(b.started), (Names{"Y", "Z"}));
}

TEST(Las, StarvedJobsArePromotedToTheTopQueueWithTheirServiceReset) {
  // X (queue 1 by its 500 GPU-s) has waited since it arrived at 0; Y is new in queue 0. With one
  // free GPU Y goes first, unless starvation_s = 600 promotes X at t=1000: X arrived first.
  for (bool promote : {false, true}) {
    Bench b(uniform_cluster(1, 1), {job("X", 0, 1e6, 1), job("Y", 1, 10, 1), job("W", 2, 10, 1)});
    b.set_now(1000);
    b.queue({"X", "Y"});
    b.set_service("X", 500);
    nlohmann::json options = {{"thresholds_gpu_s", {100}}};
    if (promote) options["starvation_s"] = 600;
    auto s = make("las", options);
    b.pass(*s);
    EXPECT_EQ(b.names(b.started), (Names{promote ? "X" : "Y"}));
    if (!promote) continue;
    // X's service counts from 0 again: at t=1050 it has 50 GPU-s of new service, still queue 0, so
    // a newcomer cannot preempt it.
    b.set_now(1050);
    b.queue({"W"});
    b.pass(*s);
    EXPECT_TRUE(b.preempted.empty());
  }
}

TEST(Las, StarvationCountsFromTheLastPreemption) {
  // 1 GPU, threshold 100, starvation 600. Y preempts X at 500; Y reaches queue 1 at 600. X has
  // waited 500 s at t=1000 (no promotion) and 600 s at t=1100: promoted, it preempts Y.
  Bench b(uniform_cluster(1, 1), {job("X", 0, 1e6, 1), job("Y", 1, 1e6, 1)});
  auto s = make("las", {{"thresholds_gpu_s", {100}}, {"starvation_s", 600}});
  b.run("X", 0);
  b.set_now(500);
  b.queue({"Y"});
  b.pass(*s);
  ASSERT_EQ(b.names(b.preempted), (Names{"X"}));
  ASSERT_EQ(b.names(b.started), (Names{"Y"}));
  b.set_now(1000);
  b.pass(*s);
  EXPECT_TRUE(b.preempted.empty());
  b.set_now(1100);
  b.pass(*s);
  EXPECT_EQ(b.names(b.preempted), (Names{"Y"}));
  EXPECT_EQ(b.names(b.started), (Names{"X"}));
}

TEST(Las, RejectsThresholdsThatAreNotIncreasing) {
  std::vector<std::string> problems;
  make("las", {{"thresholds_gpu_s", {7200, 3250}}}, &problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("/scheduler/thresholds_gpu_s"), std::string::npos) << problems[0];
  problems.clear();
  make("las", {{"restart_cost_s", -1}}, &problems);
  ASSERT_EQ(problems.size(), 1u);
}

// ---------------------------------------------------------------- drf

TEST(Drf, PaperExampleEqualizesDominantShares) {
  // Ghodsi et al. §4: 9 CPUs, 18 GB; A's tasks need <1 CPU, 4 GB>, B's <3 CPUs, 1 GB>. DRF gives A
  // three tasks and B two: both dominant shares are 2/3.
  std::vector<JobSpec> jobs;
  for (int i = 0; i < 6; ++i) jobs.push_back(job("A" + std::to_string(i), i, 100, 0, "A", 0, -1, 1, 4));
  for (int i = 0; i < 6; ++i) jobs.push_back(job("B" + std::to_string(i), 10 + i, 100, 0, "B", 0, -1, 3, 1));
  Bench b(make_cluster({ServerShape{{}, 9, 18}}), jobs);
  Names all;
  for (const auto& j : jobs) all.push_back(j.job_id);
  b.queue(all);
  b.pass(*make("drf"));
  EXPECT_EQ(b.names(b.started), (Names{"A0", "B0", "A1", "B1", "A2"}));
  EXPECT_DOUBLE_EQ(b.ledger().free_cpus(0), 0);
  EXPECT_DOUBLE_EQ(b.ledger().free_mem_gib(0), 18 - 12 - 2);
}

TEST(Drf, WeightsScaleTheDominantShares) {
  // Weight 2 for A: progressive filling gives A four tasks (8/9 of memory, weighted 4/9) and B one
  // (1/3 of the CPUs); B's second task no longer fits.
  std::vector<JobSpec> jobs;
  for (int i = 0; i < 6; ++i) jobs.push_back(job("A" + std::to_string(i), i, 100, 0, "A", 0, -1, 1, 4));
  for (int i = 0; i < 6; ++i) jobs.push_back(job("B" + std::to_string(i), 10 + i, 100, 0, "B", 0, -1, 3, 1));
  Bench b(make_cluster({ServerShape{{}, 9, 18}}), jobs);
  Names all;
  for (const auto& j : jobs) all.push_back(j.job_id);
  b.queue(all);
  b.pass(*make("drf", {{"weights", {{"A", 2}}}}));
  EXPECT_EQ(b.names(b.started), (Names{"A0", "B0", "A1", "A2", "A3"}));
}

TEST(Drf, TheTenantWithTheLowerShareGetsTheFreeGpu) {
  // 4 GPUs; A already runs 2, one GPU left. A's pending job arrived first, but B holds nothing.
  Bench b(uniform_cluster(1, 4, "A100-80GB", 64, 512),
          {job("a0", 0, 100, 2, "A"), job("c0", 0, 100, 1, "C"), job("a1", 1, 100, 1, "A"), job("b1", 2, 100, 1, "B")});
  b.run("a0", 0);
  b.run("c0", 0);
  b.queue({"a1", "b1"});
  b.pass(*make("drf"));
  EXPECT_EQ(b.names(b.started), (Names{"b1"}));
}

TEST(Drf, ATenantWhoseJobsDoNotFitIsPassedOver) {
  // B has the lower share but its job needs 4 GPUs; A's 1-GPU job takes the free GPU.
  Bench b(uniform_cluster(1, 4), {job("a0", 0, 100, 3, "A"), job("b1", 1, 100, 4, "B"), job("a1", 2, 100, 1, "A")});
  b.run("a0", 0);
  b.queue({"b1", "a1"});
  b.pass(*make("drf"));
  EXPECT_EQ(b.names(b.started), (Names{"a1"}));
}

TEST(Drf, BadWeightsAreReportedWithTheirPath) {
  std::vector<std::string> problems;
  make("drf", {{"weights", {{"A", "heavy"}, {"B", 0}}}}, &problems);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].find("/scheduler/weights/A"), std::string::npos) << problems[0];
  EXPECT_NE(problems[1].find("/scheduler/weights"), std::string::npos) << problems[1];
  problems.clear();
  make("drf", {{"weights", {1, 2}}}, &problems);
  ASSERT_EQ(problems.size(), 1u);
}

// ---------------------------------------------------------------- priority

TEST(Priority, LargerPriorityFirstThenArrival) {
  Bench b(uniform_cluster(1, 8), {job("a", 0, 10, 1, "t", 0), job("b", 1, 10, 1, "t", 5), job("c", 2, 10, 1, "t", 1),
                                  job("d", 3, 10, 1, "t", 5), job("e", 4, 10, 1, "t", -2)});
  b.queue({"a", "b", "c", "d", "e"});
  b.pass(*make("priority"));
  EXPECT_EQ(b.names(b.started), (Names{"b", "d", "c", "a", "e"}));
}

TEST(Priority, NonPreemptiveByDefaultAndSkipsWhatDoesNotFit) {
  Bench b(uniform_cluster(1, 2), {job("lo", 0, 100, 2, "t", 0), job("hi", 1, 10, 1, "t", 9), job("hi2", 2, 10, 3, "t", 9)});
  b.run("lo", 0);
  b.queue({"hi", "hi2"});
  b.pass(*make("priority"));
  EXPECT_TRUE(b.preempted.empty());
  EXPECT_TRUE(b.started.empty());
}

TEST(Priority, PreemptsTheLowestPriorityLatestArrivalFirst) {
  Bench b(uniform_cluster(1, 2), {job("lo0", 0, 100, 1, "t", 0), job("lo1", 1, 100, 1, "t", 0), job("hi", 2, 10, 1, "t", 5)});
  b.run("lo0", 0);
  b.run("lo1", 1);
  b.set_now(3);
  b.queue({"hi"});
  b.pass(*make("priority", {{"preemptive", true}, {"restart_cost_s", 12}}));
  EXPECT_EQ(b.names(b.preempted), (Names{"lo1"}));
  EXPECT_EQ(b.restart_costs, (std::vector<double>{12}));
  EXPECT_EQ(b.names(b.started), (Names{"hi"}));
}

TEST(Priority, SparesVictimsThatDoNotHelp) {
  // srv0: a (prio 0), b (prio 1); srv1: y (prio 7), x (prio 0, latest). hi (prio 5) needs 2 GPUs
  // on one server. Releasing x (first in line) does not help; a and b must go; x is spared.
  Bench b(uniform_cluster(2, 2), {job("a", 0, 100, 1, "t", 0), job("b", 1, 100, 1, "t", 1), job("y", 2, 100, 1, "t", 7),
                                  job("x", 3, 100, 1, "t", 0), job("hi", 4, 10, 2, "t", 5)});
  for (const char* n : {"a", "b", "y", "x"}) b.run(n, 0);
  b.set_now(5);
  b.queue({"hi"});
  b.pass(*make("priority", {{"preemptive", true}}));
  auto victims = b.names(b.preempted);
  std::sort(victims.begin(), victims.end());
  EXPECT_EQ(victims, (Names{"a", "b"}));
  EXPECT_EQ(b.names(b.started), (Names{"hi"}));
}

TEST(Priority, EqualPrioritiesNeverPreemptEachOther) {
  Bench b(uniform_cluster(1, 1), {job("r", 0, 100, 1, "t", 3), job("p", 1, 10, 1, "t", 3)});
  b.run("r", 0);
  b.queue({"p"});
  b.pass(*make("priority", {{"preemptive", true}}));
  EXPECT_TRUE(b.preempted.empty());
  EXPECT_TRUE(b.started.empty());
}

TEST(Priority, NoPreemptionWhenEvenAllLowerJobsWouldNotMakeRoom) {
  // hi needs 2 GPUs; only one GPU is held by a lower-priority job, the other by a higher one.
  Bench b(uniform_cluster(1, 2), {job("lo", 0, 100, 1, "t", 0), job("top", 1, 100, 1, "t", 9), job("hi", 2, 10, 2, "t", 5)});
  b.run("lo", 0);
  b.run("top", 0);
  b.queue({"hi"});
  b.pass(*make("priority", {{"preemptive", true}}));
  EXPECT_TRUE(b.preempted.empty());
}

TEST(Priority, BlockingStopsAtTheFirstJobThatCannotStart) {
  Bench b(uniform_cluster(1, 2), {job("r", 0, 100, 1, "t", 0), job("hi", 1, 10, 2, "t", 5), job("lo", 2, 10, 1, "t", 1)});
  b.run("r", 0);
  b.queue({"hi", "lo"});
  b.pass(*make("priority", {{"blocking", true}}));
  EXPECT_TRUE(b.started.empty());
  b.pass(*make("priority"));
  EXPECT_EQ(b.names(b.started), (Names{"lo"}));
}

// ---------------------------------------------------------------- victim selection

namespace {
// choose_victims done the plain way: release the candidates one by one until the request fits,
// then the reprieve.
std::optional<std::vector<JobIndex>> plain_victims(SchedulingContext& ctx, const Request& request,
                                                   const std::vector<JobIndex>& candidates) {
  Ledger trial = ctx.ledger();
  std::vector<JobIndex> chosen;
  bool fits = false;
  for (JobIndex v : candidates) {
    trial.release(*ctx.status(v).allocation);
    chosen.push_back(v);
    if (ctx.would_fit(request, trial)) {
      fits = true;
      break;
    }
  }
  if (!fits) return std::nullopt;
  for (std::size_t i = chosen.size(); i-- > 0;) {
    const Allocation& a = *ctx.status(chosen[i]).allocation;
    trial.apply(a);
    if (ctx.would_fit(request, trial)) chosen.erase(chosen.begin() + static_cast<std::ptrdiff_t>(i));
    else trial.release(a);
  }
  return chosen;
}
}  // namespace

TEST(ChooseVictims, SameVictimsAsReleasingOneAtATime) {
  // The shortest fitting prefix is bisected; on random platforms, running jobs and candidate orders
  // the victims are those of the plain loop, and next_candidate is never asked past the end.
  std::mt19937 rng(11);
  int chosen_some = 0, hopeless = 0;
  for (int trial = 0; trial < 400; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const int gpus_of[] = {2, 4, 8};
    std::vector<ServerShape> servers;
    for (int s = 0, n = 2 + static_cast<int>(rng() % 4); s < n; ++s)
      servers.push_back(ServerShape{std::vector<std::string>(gpus_of[rng() % 3], "A100-80GB"), 32, 256});
    const int sizes[] = {1, 1, 2, 4, 8, 16};
    std::vector<JobSpec> jobs;
    for (int i = 0; i < 40; ++i) {
      const int gpus = sizes[rng() % 6];
      jobs.push_back(job("j" + std::to_string(i), i, 100, gpus, "default", 0, -1, gpus * 2.0));
    }
    Bench b(make_cluster(servers), jobs, trial % 2 ? "random" : "first-fit");
    std::vector<JobIndex> running;
    for (JobIndex j = 1; j < jobs.size(); ++j)
      if (b.propose(*b.status(j).request, b.ledger())) {
        b.run(jobs[j].job_id, 0);
        running.push_back(j);
      }
    std::shuffle(running.begin(), running.end(), rng);
    if (!running.empty() && rng() % 3 == 0) running.resize(1 + rng() % running.size());
    const Request& request = *b.status(0).request;
    if (b.would_fit(request, b.ledger())) continue;  // choose_victims is for requests that do not fit
    std::size_t asked = 0;
    bool past_end = false;
    auto next = [&]() -> std::optional<JobIndex> {
      if (asked >= running.size()) {
        EXPECT_FALSE(past_end) << "asked again after the end";
        past_end = true;
        return std::nullopt;
      }
      return running[asked++];
    };
    auto expected = plain_victims(b, request, running);
    auto got = scheduling::choose_victims(b, request, next);
    ASSERT_EQ(got.has_value(), expected.has_value());
    if (got) {
      EXPECT_EQ(*got, *expected);
      ++chosen_some;
    } else {
      ++hopeless;
    }
  }
  EXPECT_GT(chosen_some, 50);
  EXPECT_GT(hopeless, 10);
}
