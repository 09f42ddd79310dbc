// The scheduling policies (sjf, backfill, las, drf, priority) on a hand-built view: a Cluster and a
// real Ledger, first-fit placement from the registry, and a fake SchedulingContext that plays the
// core (starts, preemptions, attained service, expected ends). No SimGrid, no core.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "sim/ledger.hpp"
#include "sim/options.hpp"
#include "sim/policy/placement.hpp"
#include "sim/policy/scheduler.hpp"
#include "sim/request.hpp"
#include "tests/unit/unit_support.hpp"

using namespace aidcsim;
using aidcsim::unit::make_cluster;
using aidcsim::unit::ServerShape;
using aidcsim::unit::uniform_cluster;

namespace {

// One job of a hand-made workload.
JobSpec job(const std::string& id, double submit_s, double duration_s, int gpus, const std::string& tenant = "default",
            int priority = 0, double estimate_s = -1, double cpus = 0, double mem_gib = 0) {
  JobSpec j;
  j.job_id = id;
  j.submit_s = submit_s;
  j.duration_s = duration_s;
  j.gpus = gpus;
  j.tenant = tenant;
  j.priority = priority;
  j.estimate_s = estimate_s;
  j.cpus = cpus;
  j.mem_gib = mem_gib;
  return j;
}

// A fake core: jobs (index = arrival order), a real ledger, first-fit placement. Jobs are put in
// place with run() (running since some time, with some service already attained) and queue()
// (pending); pass() runs one scheduling pass the way the core does (pending() and running() stay
// fixed during the pass and are rebuilt after it) and records what the scheduler did.
class Bench final : public SchedulingContext {
 public:
  Bench(Cluster c, std::vector<JobSpec> jobs)
      : cluster_(std::move(c)), ledger_(cluster_), jobs_(std::move(jobs)), runs_(jobs_.size()),
        placement_(unit::make_policy(builtin_registries().placements, "first-fit", cluster_)) {
    for (std::size_t j = 0; j < jobs_.size(); ++j) {
      runs_[j].request.gpus = jobs_[j].gpus;
      runs_[j].request.cpus = jobs_[j].cpus;
      runs_[j].request.mem_gib = jobs_[j].mem_gib;
    }
  }

  JobIndex id(const std::string& name) const {
    for (JobIndex j = 0; j < jobs_.size(); ++j)
      if (jobs_[j].job_id == name) return j;
    ADD_FAILURE() << "no job " << name;
    return 0;
  }
  std::vector<std::string> names(const std::vector<JobIndex>& js) const {
    std::vector<std::string> out;
    for (JobIndex j : js) out.push_back(jobs_[j].job_id);
    return out;
  }

  void set_now(double t) { now_ = t; }
  // Job `name` has been running since start_s (placed now by first-fit), with `earlier_gpu_s` of
  // service from earlier runs and `done` of its work done before this run.
  void run(const std::string& name, double start_s, double earlier_gpu_s = 0, double done = 0) {
    JobIndex j = id(name);
    auto a = placement_->place(runs_[j].request, ClusterView{cluster_, ledger_});
    ASSERT_TRUE(a) << name << " does not fit";
    ledger_.apply(*a);
    Run& r = runs_[j];
    r.state = JobState::running;
    r.allocation = *a;
    r.start_s = r.run_started_s = start_s;
    r.attained_before_gpu_s = earlier_gpu_s;
    r.done_fraction = done;
    rebuild();
  }
  // Job `name` completes now.
  void finish(const std::string& name) {
    Run& r = runs_[id(name)];
    ASSERT_EQ(r.state, JobState::running);
    ledger_.release(r.allocation);
    r.allocation = {};
    r.state = JobState::completed;
    rebuild();
  }
  // Service (GPU-seconds) a pending job attained in earlier runs.
  void set_service(const std::string& name, double gpu_s) { runs_[id(name)].attained_before_gpu_s = gpu_s; }
  void queue(const std::vector<std::string>& names_) {
    for (const auto& n : names_) runs_[id(n)].state = JobState::pending, runs_[id(n)].queued = true;
    rebuild();
  }

  void pass(Scheduler& s) {
    started.clear();
    preempted.clear();
    restart_costs.clear();
    in_pass_ = true;
    s.schedule(*this);
    in_pass_ = false;
    rebuild();
  }

  // SchedulingContext
  double now() const override { return now_; }
  const std::vector<JobIndex>& pending() const override { return pending_; }
  bool is_pending(JobIndex j) const override { return runs_[j].state == JobState::pending && runs_[j].queued; }
  const std::vector<JobIndex>& running() const override { return running_; }
  const JobSpec& spec(JobIndex j) const override { return jobs_[j]; }
  JobStatus status(JobIndex j) const override {
    const Run& r = runs_[j];
    bool on = r.state == JobState::running;
    double gpus = 0;
    for (const auto& g : r.allocation.gpus) gpus += g.milli / 1000.0;
    return {r.state,
            r.start_s,
            on ? r.run_started_s : kNoTime,
            on ? r.run_started_s + jobs_[j].duration_s * (1 - r.done_fraction) : kNoTime,
            r.attained_before_gpu_s + (on ? gpus * (now_ - r.run_started_s) : 0),
            r.done_fraction,
            r.preemptions,
            &r.request,
            &r.allocation};
  }
  const Cluster& cluster() const override { return cluster_; }
  const Ledger& ledger() const override { return ledger_; }
  bool try_start(JobIndex j) override {
    Run& r = runs_[j];
    if (r.state != JobState::pending || !r.queued || r.preempted_in_pass) return false;
    auto a = placement_->place(r.request, ClusterView{cluster_, ledger_});
    if (!a) return false;
    EXPECT_EQ(ledger_.check(*a), "");
    ledger_.apply(*a);
    r.allocation = *a;
    r.state = JobState::running;
    if (std::isnan(r.start_s)) r.start_s = now_;
    r.run_started_s = now_;
    started.push_back(j);
    return true;
  }
  bool would_fit(const Request& r, const Ledger& l) override {
    return placement_->place(r, ClusterView{cluster_, l}).has_value();
  }
  std::optional<Allocation> propose(const Request& r, const Ledger& l) override {
    return placement_->place(r, ClusterView{cluster_, l});
  }
  void preempt(JobIndex j, double restart_cost_s) override {
    Run& r = runs_[j];
    ASSERT_EQ(r.state, JobState::running) << "preempted a job that is not running";
    EXPECT_TRUE(in_pass_);
    double gpus = 0;
    for (const auto& g : r.allocation.gpus) gpus += g.milli / 1000.0;
    ledger_.release(r.allocation);
    r.attained_before_gpu_s += gpus * (now_ - r.run_started_s);
    r.done_fraction = std::min(1.0, r.done_fraction + (now_ - r.run_started_s) / jobs_[j].duration_s);
    r.allocation = {};
    r.state = JobState::pending;
    r.queued = true;
    r.preempted_in_pass = true;
    ++r.preemptions;
    preempted.push_back(j);
    restart_costs.push_back(restart_cost_s);
  }

  std::vector<JobIndex> started, preempted;
  std::vector<double> restart_costs;

 private:
  struct Run {
    JobState state = JobState::pending;
    bool queued = false;  // arrived
    bool preempted_in_pass = false;
    Request request;
    Allocation allocation;
    double start_s = kNoTime, run_started_s = kNoTime;
    double attained_before_gpu_s = 0, done_fraction = 0;
    int preemptions = 0;
  };
  void rebuild() {
    pending_.clear();
    running_.clear();
    for (JobIndex j = 0; j < jobs_.size(); ++j) {
      runs_[j].preempted_in_pass = false;
      if (runs_[j].state == JobState::running) running_.push_back(j);
      else if (runs_[j].state == JobState::pending && runs_[j].queued) pending_.push_back(j);
    }
  }

  Cluster cluster_;
  Ledger ledger_;
  std::vector<JobSpec> jobs_;
  std::vector<Run> runs_;
  std::unique_ptr<PlacementPolicy> placement_;
  std::vector<JobIndex> pending_, running_;
  double now_ = 0;
  bool in_pass_ = false;
};

// A scheduler from the registry, with options given as JSON; problems in them are returned.
std::unique_ptr<Scheduler> make(const std::string& name, const nlohmann::json& options = nlohmann::json::object(),
                                std::vector<std::string>* problems_out = nullptr) {
  const auto* entry = builtin_registries().schedulers.find(name);
  EXPECT_NE(entry, nullptr) << name << " is not registered";
  if (!entry) return nullptr;
  ProblemList problems;
  OptionReader reader(options, "/scheduler", "scenario.json", nullptr, problems);
  Cluster none;
  std::vector<JobSpec> no_jobs;
  PolicyArgs args{reader, 1, none, no_jobs};
  auto made = entry->make(args);
  reader.reject_unknown({"policy"});
  if (problems_out)
    for (const auto& p : problems.items()) problems_out->push_back(p.where + ": " + p.what);
  else
    EXPECT_TRUE(problems.empty()) << problems.items().front().format();
  return made;
}

using Names = std::vector<std::string>;

}  // namespace

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

// ---------------------------------------------------------------- backfill (EASY)

namespace {
// 1 server x 4 GPUs; "a" (2 GPUs, 0-100) runs; at t=10 the head "h" needs `head_gpus` GPUs, so it
// waits for a's end at 100 (the shadow time); "s" (1 GPU, 60 s) ends at 70, before the shadow;
// "l" (1 GPU, 200 s) would still run at the shadow time.
Bench easy_case(int head_gpus) {
  Bench b(uniform_cluster(1, 4), {job("a", 0, 100, 2), job("h", 5, 50, head_gpus), job("s", 6, 60, 1),
                                  job("l", 7, 200, 1)});
  b.run("a", 0);
  b.set_now(10);
  b.queue({"h", "s", "l"});
  return b;
}
}  // namespace

TEST(Backfill, BackfillsAShortJobThatEndsBeforeTheShadowTime) {
  Bench b = easy_case(4);
  b.pass(*make("backfill"));
  EXPECT_EQ(b.names(b.started), (Names{"s"}));
}

TEST(Backfill, DoesNotBackfillALongJobThatWouldDelayTheHead) {
  // With l on one GPU past t=100, the 4-GPU head could not start at 100.
  Bench b = easy_case(4);
  b.pass(*make("backfill"));
  EXPECT_EQ(std::count(b.started.begin(), b.started.end(), b.id("l")), 0);
  EXPECT_EQ(std::count(b.started.begin(), b.started.end(), b.id("h")), 0);
}

TEST(Backfill, BackfillsALongJobOnResourcesTheHeadDoesNotNeed) {
  // The head needs 3 of the 4 GPUs free at t=100: one GPU is extra, and l may hold it.
  Bench b = easy_case(3);
  b.pass(*make("backfill"));
  EXPECT_EQ(b.names(b.started), (Names{"s", "l"}));
}

TEST(Backfill, ExtraResourcesAreUsedOnlyOnce) {
  // Two long 1-GPU jobs, one extra GPU at the shadow time: only the first may take it.
  Bench b(uniform_cluster(1, 4), {job("a", 0, 100, 2), job("h", 5, 50, 3), job("l1", 6, 200, 1),
                                  job("l2", 7, 200, 1)});
  b.run("a", 0);
  b.set_now(10);
  b.queue({"h", "l1", "l2"});
  b.pass(*make("backfill"));
  EXPECT_EQ(b.names(b.started), (Names{"l1"}));
}

TEST(Backfill, JobsStartedInTheSamePassCountForTheShadowTime) {
  // p starts (FIFO), h (4 GPUs) then waits for p's end at 50; c (2 GPUs, 60 s) would hold GPUs past
  // 50 and the head needs all four: c must not start.
  Bench b(uniform_cluster(1, 4), {job("p", 0, 50, 2), job("h", 1, 10, 4), job("c", 2, 60, 2), job("d", 3, 40, 2)});
  b.queue({"p", "h", "c", "d"});
  b.pass(*make("backfill"));
  EXPECT_EQ(b.names(b.started), (Names{"p", "d"})) << "d (ends at 40) backfills, c (ends at 60) does not";
}

TEST(Backfill, UsesEstimatesForRunningAndPendingJobs) {
  // a's estimate is 300 s: the head's reservation is at 300, so a 150-s job fits before it.
  Bench b(uniform_cluster(1, 4), {job("a", 0, 100, 2, "default", 0, 300), job("h", 5, 50, 4), job("c", 6, 150, 1)});
  b.run("a", 0);
  b.set_now(10);
  b.queue({"h", "c"});
  b.pass(*make("backfill"));
  EXPECT_EQ(b.names(b.started), (Names{"c"}));
  // With exact estimates (no column) the reservation is at 100 and c (ends at 160) waits.
  Bench exact(uniform_cluster(1, 4), {job("a", 0, 100, 2), job("h", 5, 50, 4), job("c", 6, 150, 1)});
  exact.run("a", 0);
  exact.set_now(10);
  exact.queue({"h", "c"});
  exact.pass(*make("backfill"));
  EXPECT_TRUE(exact.started.empty());
}

TEST(Backfill, OverestimateFactorScalesEveryEstimate) {
  // Factor 2: a is estimated to end at 200; c (60 s, estimated 120 s) ends by then at t=50.
  for (double factor : {1.0, 2.0}) {
    Bench b(uniform_cluster(1, 4), {job("a", 0, 100, 2), job("h", 5, 50, 4), job("c", 6, 60, 1)});
    b.run("a", 0);
    b.set_now(50);
    b.queue({"h", "c"});
    b.pass(*make("backfill", {{"overestimate_factor", factor}}));
    EXPECT_EQ(b.started.size(), factor == 2.0 ? 1u : 0u) << "factor " << factor;
  }
}

TEST(Backfill, NeverDelaysTheHeadsReservation) {
  // Random states on 2 servers x 4 GPUs: the head's earliest start (by estimated ends, with exact
  // estimates) after the pass is never later than before it, and some passes do backfill.
  std::mt19937 rng(7);
  int backfilled = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<JobSpec> jobs;
    int running = 1 + static_cast<int>(rng() % 5), queued = 2 + static_cast<int>(rng() % 6);
    for (int i = 0; i < running + queued; ++i)
      jobs.push_back(job("j" + std::to_string(i), i, 10 + static_cast<double>(rng() % 200), 1 + static_cast<int>(rng() % 4)));
    jobs[running].gpus = 4;  // the head
    Bench b(uniform_cluster(2, 4), jobs);
    Names pending;
    for (int i = 0; i < running; ++i) {
      if (!b.propose(*b.status(i).request, b.ledger())) break;
      b.run("j" + std::to_string(i), 0);
    }
    for (int i = running; i < running + queued; ++i) pending.push_back("j" + std::to_string(i));
    b.set_now(5);
    b.queue(pending);
    JobIndex head = b.id("j" + std::to_string(running));
    if (b.propose(*b.status(head).request, b.ledger())) continue;  // the head fits: not this case

    auto shadow = [&]() {
      std::vector<std::pair<double, JobIndex>> ends;
      for (JobIndex j : b.running()) ends.push_back({b.status(j).expected_end_s, j});
      std::sort(ends.begin(), ends.end());
      Ledger l = b.ledger();
      for (auto [t, j] : ends) {
        l.release(*b.status(j).allocation);
        if (b.would_fit(*b.status(head).request, l)) return t;
      }
      return std::numeric_limits<double>::infinity();
    };
    double before = shadow();
    b.pass(*make("backfill"));
    ASSERT_EQ(std::count(b.started.begin(), b.started.end(), head), 0);
    backfilled += static_cast<int>(b.started.size());
    EXPECT_LE(shadow(), before) << "trial " << trial;
  }
  EXPECT_GT(backfilled, 20);
}

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
