// FIFO scheduling and first-fit placement on hand-built views (a Cluster and a Ledger built by hand,
// a fake SchedulingContext): no SimGrid, no core.
#include <gtest/gtest.h>

#include <functional>

#include "sim/core/ledger.hpp"
#include "sim/policy/placement.hpp"
#include "sim/policy/scheduler.hpp"
#include "sim/core/request.hpp"
#include "tests/unit/unit_support.hpp"

using namespace aidcsim;
using aidcsim::unit::make_cluster;
using aidcsim::unit::uniform_cluster;

namespace {

Request request(const Cluster& c, int gpus, double cpus = 0, double mem_gib = 0,
                const std::vector<std::string>& models = {}, int gpu_milli = 1000) {
  Request r;
  r.gpus = gpus;
  r.gpu_milli = gpu_milli;
  r.cpus = cpus;
  r.mem_gib = mem_gib;
  if (!models.empty()) {
    r.model_allowed.assign(c.gpu_models.size(), 0);
    for (const auto& m : models)
      if (c.model_index.count(m)) r.model_allowed[c.model_index.at(m)] = 1;
  }
  return r;
}

std::vector<GpuIndex> gpus_in(const Allocation& a) {
  std::vector<GpuIndex> out;
  for (const auto& g : a.gpus) out.push_back(g.gpu);
  return out;
}

std::vector<ServerIndex> servers_in(const Allocation& a) {
  std::vector<ServerIndex> out;
  for (const auto& s : a.servers) out.push_back(s.server);
  return out;
}

// First-fit on a cluster with its own ledger; place() checks every proposal against the ledger
// (as the core does) and applies it.
struct FirstFitBench {
  Cluster cluster;
  Ledger ledger;
  std::unique_ptr<PlacementPolicy> policy;
  explicit FirstFitBench(Cluster c)
      : cluster(std::move(c)), ledger(cluster),
        policy(unit::make_policy(builtin_registries().placements, "first-fit", cluster)) {}
  std::optional<Allocation> propose(const Request& r) { return policy->place(r, ClusterView{cluster, ledger}); }
  std::optional<Allocation> place(const Request& r) {
    auto a = propose(r);
    if (a) {
      EXPECT_EQ(ledger.check(*a), "") << "first-fit proposed an allocation that does not fit";
      ledger.apply(*a);
    }
    return a;
  }
};

// A SchedulingContext over a hand-made job list; try_start asks `fits` and records every attempt.
// FIFO never preempts and never needs hypothetical ledgers: those calls fail the test.
class FakeContext final : public SchedulingContext {
 public:
  FakeContext(std::vector<JobSpec> jobs, std::function<bool(JobIndex)> fits)
      : jobs_(std::move(jobs)), fits_(std::move(fits)), ledger_(cluster_) {
    for (JobIndex j = 0; j < jobs_.size(); ++j) pending_.push_back(j);
    started_flag_.assign(jobs_.size(), false);
  }
  double now() const override { return 0; }
  const std::vector<JobIndex>& pending() const override { return pending_; }
  bool is_pending(JobIndex j) const override { return !started_flag_[j]; }
  const std::vector<JobIndex>& running() const override { return running_; }
  const JobSpec& spec(JobIndex j) const override { return jobs_[j]; }
  JobStatus status(JobIndex j) const override {
    JobStatus s{};
    s.state = started_flag_[j] ? JobState::running : JobState::pending;
    s.start_s = s.run_started_s = s.expected_end_s = kNoTime;
    return s;
  }
  const Cluster& cluster() const override { return cluster_; }
  const Ledger& ledger() const override { return ledger_; }
  bool try_start(JobIndex j) override {
    attempts.push_back(j);
    if (started_flag_[j] || !fits_(j)) return false;
    started_flag_[j] = true;
    started.push_back(j);
    return true;
  }
  bool would_fit(const Request&, const Ledger&) override {
    ADD_FAILURE() << "FIFO asked would_fit()";
    return false;
  }
  void preempt(JobIndex j, double) override { ADD_FAILURE() << "FIFO preempted job " << j; }
  std::vector<JobIndex> attempts;
  std::vector<JobIndex> started;

 private:
  std::vector<JobSpec> jobs_;
  std::function<bool(JobIndex)> fits_;
  Cluster cluster_;
  Ledger ledger_;
  std::vector<JobIndex> pending_;
  std::vector<JobIndex> running_;
  std::vector<bool> started_flag_;
};

std::vector<JobSpec> jobs_of_gpus(const std::vector<int>& gpus) {
  std::vector<JobSpec> jobs;
  for (std::size_t i = 0; i < gpus.size(); ++i) {
    JobSpec j;
    j.job_id = "j" + std::to_string(i);
    j.submit_s = static_cast<double>(i);
    j.duration_s = 10;
    j.gpus = gpus[i];
    jobs.push_back(j);
  }
  return jobs;
}

std::unique_ptr<Scheduler> fifo() { return unit::make_policy(builtin_registries().schedulers, "fifo"); }

}  // namespace

// ---- FIFO ----

TEST(Fifo, StartsJobsInArrivalOrderWhileTheyFit) {
  FakeContext ctx(jobs_of_gpus({1, 1, 1, 1}), [](JobIndex) { return true; });
  fifo()->schedule(ctx);
  EXPECT_EQ(ctx.attempts, (std::vector<JobIndex>{0, 1, 2, 3}));
  EXPECT_EQ(ctx.started, (std::vector<JobIndex>{0, 1, 2, 3}));
}

TEST(Fifo, StopsAtTheFirstJobThatDoesNotFit) {
  FakeContext ctx(jobs_of_gpus({1, 1, 1, 1, 1}), [](JobIndex j) { return j != 2; });
  fifo()->schedule(ctx);
  EXPECT_EQ(ctx.attempts, (std::vector<JobIndex>{0, 1, 2})) << "jobs 3 and 4 fit but must wait behind job 2";
  EXPECT_EQ(ctx.started, (std::vector<JobIndex>{0, 1}));
}

TEST(Fifo, EmptyQueueDoesNothing) {
  FakeContext ctx({}, [](JobIndex) { return true; });
  fifo()->schedule(ctx);
  EXPECT_TRUE(ctx.attempts.empty());
}

TEST(Fifo, HeadBlocksOnARealLedger) {
  // 1 server x 4 GPUs: a 2-GPU job starts, a 3-GPU job does not fit, a 1-GPU job behind it would
  // fit but FIFO does not start it.
  FirstFitBench bench(uniform_cluster(1, 4));
  std::vector<JobSpec> jobs = jobs_of_gpus({2, 3, 1});
  FakeContext ctx(jobs, [&](JobIndex j) { return bench.place(request(bench.cluster, jobs[j].gpus)).has_value(); });
  fifo()->schedule(ctx);
  EXPECT_EQ(ctx.started, (std::vector<JobIndex>{0}));
  EXPECT_EQ(ctx.attempts, (std::vector<JobIndex>{0, 1}));
  EXPECT_TRUE(bench.propose(request(bench.cluster, 1)).has_value()) << "the blocked 1-GPU job would have fit";
  EXPECT_EQ(bench.ledger.allocated_milli(), 2000);
}

// ---- first-fit ----

TEST(FirstFit, TakesTheFirstServerThatFitsAndItsFirstFreeGpus) {
  FirstFitBench b(uniform_cluster(3, 4));  // GPUs 0-3 on srv0, 4-7 on srv1, 8-11 on srv2
  auto a = b.place(request(b.cluster, 2, 8, 64));
  ASSERT_TRUE(a);
  EXPECT_EQ(gpus_in(*a), (std::vector<GpuIndex>{0, 1}));
  ASSERT_EQ(a->servers.size(), 1u);
  EXPECT_EQ(a->servers[0].server, 0u);
  EXPECT_EQ(a->servers[0].cpus, 8);
  EXPECT_EQ(a->servers[0].mem_gib, 64);
  a = b.place(request(b.cluster, 3));  // srv0 has 2 left: next server
  ASSERT_TRUE(a);
  EXPECT_EQ(gpus_in(*a), (std::vector<GpuIndex>{4, 5, 6}));
  a = b.place(request(b.cluster, 1));  // back to the first server with room
  ASSERT_TRUE(a);
  EXPECT_EQ(gpus_in(*a), (std::vector<GpuIndex>{2}));
  a = b.place(request(b.cluster, 2));  // srv0 and srv1 have one GPU left each
  ASSERT_TRUE(a);
  EXPECT_EQ(gpus_in(*a), (std::vector<GpuIndex>{8, 9}));
  a = b.place(request(b.cluster, 3));
  EXPECT_FALSE(a) << "no server has 3 free GPUs";
  a = b.place(request(b.cluster, 1));
  ASSERT_TRUE(a);
  EXPECT_EQ(gpus_in(*a), (std::vector<GpuIndex>{3}));
}

TEST(FirstFit, ReleasedGpusAreReusedFirst) {
  FirstFitBench b(uniform_cluster(2, 2));
  auto first = b.place(request(b.cluster, 2));
  auto second = b.place(request(b.cluster, 2));
  ASSERT_TRUE(first && second);
  EXPECT_EQ(servers_in(*second), std::vector<ServerIndex>{1});
  b.ledger.release(*first);
  auto third = b.place(request(b.cluster, 1));
  ASSERT_TRUE(third);
  EXPECT_EQ(gpus_in(*third), std::vector<GpuIndex>{0});
}

TEST(FirstFit, FractionalSharesPackOntoTheFirstGpuWithRoom) {
  FirstFitBench b(uniform_cluster(2, 2));
  auto a = b.place(request(b.cluster, 1, 0, 0, {}, 600));
  ASSERT_TRUE(a);
  EXPECT_EQ(gpus_in(*a), std::vector<GpuIndex>{0});
  EXPECT_EQ(a->gpus[0].milli, 600);
  a = b.place(request(b.cluster, 1, 0, 0, {}, 600));  // GPU 0 has 400 left
  ASSERT_TRUE(a);
  EXPECT_EQ(gpus_in(*a), std::vector<GpuIndex>{1});
  a = b.place(request(b.cluster, 1, 0, 0, {}, 400));
  ASSERT_TRUE(a);
  EXPECT_EQ(gpus_in(*a), std::vector<GpuIndex>{0});
  a = b.place(request(b.cluster, 2, 0, 0, {}, 500));  // srv0: GPU 1 has 400 -> srv1
  ASSERT_TRUE(a);
  EXPECT_EQ(gpus_in(*a), (std::vector<GpuIndex>{2, 3}));
  EXPECT_EQ(b.ledger.free_milli(0), 0);
  EXPECT_EQ(b.ledger.free_milli(1), 400);
}

TEST(FirstFit, SkipsServersWithoutTheCpusOrMemory) {
  FirstFitBench b(make_cluster({{{"A", "A", "A", "A"}, 8, 64}, {{"A", "A", "A", "A"}, 32, 512}}));
  auto a = b.propose(request(b.cluster, 1, 16, 0));
  ASSERT_TRUE(a);
  EXPECT_EQ(servers_in(*a), std::vector<ServerIndex>{1});
  EXPECT_EQ(gpus_in(*a), std::vector<GpuIndex>{4});
  a = b.propose(request(b.cluster, 1, 4, 100));
  ASSERT_TRUE(a);
  EXPECT_EQ(servers_in(*a), std::vector<ServerIndex>{1});
  a = b.propose(request(b.cluster, 1, 8, 64));  // exactly what srv0 has
  ASSERT_TRUE(a);
  EXPECT_EQ(servers_in(*a), std::vector<ServerIndex>{0});
  // CPUs held by another job count too.
  Allocation cpu_hog;
  cpu_hog.servers.push_back({0, 6, 0});
  b.ledger.apply(cpu_hog);
  a = b.propose(request(b.cluster, 1, 4, 0));
  ASSERT_TRUE(a);
  EXPECT_EQ(servers_in(*a), std::vector<ServerIndex>{1});
  // A job without GPUs takes CPUs on the first server with room, and no GPU.
  a = b.propose(request(b.cluster, 0, 2, 0));
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->gpus.empty());
  EXPECT_EQ(servers_in(*a), std::vector<ServerIndex>{0});
}

TEST(FirstFit, HonoursGpuModelConstraints) {
  // srv0: 4 V100; srv1: 4 A100; srv2: 1 V100 + 1 A100 (GPUs 8, 9).
  FirstFitBench b(make_cluster({{{"V100", "V100", "V100", "V100"}}, {{"A100", "A100", "A100", "A100"}}, {{"V100", "A100"}}}));
  auto a = b.place(request(b.cluster, 2, 0, 0, {"A100"}));
  ASSERT_TRUE(a);
  EXPECT_EQ(gpus_in(*a), (std::vector<GpuIndex>{4, 5}));
  a = b.place(request(b.cluster, 2, 0, 0, {"A100"}));
  ASSERT_TRUE(a);
  EXPECT_EQ(gpus_in(*a), (std::vector<GpuIndex>{6, 7}));
  a = b.place(request(b.cluster, 1, 0, 0, {"A100"}));
  ASSERT_TRUE(a);
  EXPECT_EQ(gpus_in(*a), std::vector<GpuIndex>{9}) << "the A100 of srv2, not its V100";
  EXPECT_FALSE(b.place(request(b.cluster, 1, 0, 0, {"A100"}))) << "every A100 is taken, V100s are free";
  a = b.place(request(b.cluster, 1, 0, 0, {"H100", "V100"}));
  ASSERT_TRUE(a);
  EXPECT_EQ(gpus_in(*a), std::vector<GpuIndex>{0});
  for (const auto& g : a->gpus) EXPECT_EQ(b.cluster.gpus[g.gpu].model, "V100");
}

TEST(FirstFit, MultiServerJobsTakeWholeIdleServers) {
  FirstFitBench b(uniform_cluster(3, 4));
  Request eight = request(b.cluster, 8, 16, 64);
  EXPECT_TRUE(needs_whole_servers(b.cluster, eight));
  auto a = b.propose(eight);
  ASSERT_TRUE(a);
  EXPECT_EQ(gpus_in(*a), (std::vector<GpuIndex>{0, 1, 2, 3, 4, 5, 6, 7}));
  ASSERT_EQ(a->servers.size(), 2u);
  EXPECT_EQ(a->servers[0].server, 0u);
  EXPECT_EQ(a->servers[1].server, 1u);
  EXPECT_DOUBLE_EQ(a->servers[0].cpus, 8);  // CPU and memory split in proportion to GPUs
  EXPECT_DOUBLE_EQ(a->servers[1].mem_gib, 32);

  // One busy GPU on srv0 makes it not idle: the job takes srv1 and srv2.
  Allocation one_gpu;
  one_gpu.gpus.push_back({3, 1000});
  b.ledger.apply(one_gpu);
  a = b.propose(eight);
  ASSERT_TRUE(a);
  EXPECT_EQ(servers_in(*a), (std::vector<ServerIndex>{1, 2}));

  // Busy CPUs alone also make a server not idle.
  Allocation cpus_only;
  cpus_only.servers.push_back({1, 1, 0});
  b.ledger.apply(cpus_only);
  EXPECT_FALSE(b.propose(eight)) << "only srv2 is idle";
  b.ledger.release(cpus_only);
  b.ledger.release(one_gpu);

  // 6 GPUs: all of srv0 and the first two GPUs of srv1, CPUs split 4:2.
  Request six = request(b.cluster, 6, 12, 0);
  a = b.propose(six);
  ASSERT_TRUE(a);
  EXPECT_EQ(gpus_in(*a), (std::vector<GpuIndex>{0, 1, 2, 3, 4, 5}));
  ASSERT_EQ(a->servers.size(), 2u);
  EXPECT_DOUBLE_EQ(a->servers[0].cpus, 8);
  EXPECT_DOUBLE_EQ(a->servers[1].cpus, 4);
  EXPECT_EQ(b.ledger.check(*a), "");

  // 12 GPUs need all three servers; 13 cannot be placed.
  EXPECT_TRUE(b.propose(request(b.cluster, 12)));
  EXPECT_FALSE(b.propose(request(b.cluster, 13)));
}

TEST(FirstFit, MultiServerJobsUseOnlyAllowedModels) {
  // Each server: GPUs A, A, B, B. Four A GPUs exist only across two servers.
  FirstFitBench b(make_cluster({{{"A", "A", "B", "B"}}, {{"A", "A", "B", "B"}}, {{"A", "A", "B", "B"}}}));
  Request four_a = request(b.cluster, 4, 0, 0, {"A"});
  EXPECT_TRUE(needs_whole_servers(b.cluster, four_a));
  EXPECT_FALSE(needs_whole_servers(b.cluster, request(b.cluster, 4)));
  auto a = b.place(four_a);
  ASSERT_TRUE(a);
  EXPECT_EQ(gpus_in(*a), (std::vector<GpuIndex>{0, 1, 4, 5}));
  for (const auto& g : a->gpus) EXPECT_EQ(b.cluster.gpus[g.gpu].model, "A");
}

TEST(NeedsWholeServers, OnlyWhenNoSingleServerCanHoldTheJob) {
  Cluster c = make_cluster({{{"A", "A"}}, {{"A", "A", "A", "A"}}});
  EXPECT_FALSE(needs_whole_servers(c, request(c, 0)));
  EXPECT_FALSE(needs_whole_servers(c, request(c, 1)));
  EXPECT_FALSE(needs_whole_servers(c, request(c, 3)));  // fits srv1
  EXPECT_FALSE(needs_whole_servers(c, request(c, 4)));
  EXPECT_TRUE(needs_whole_servers(c, request(c, 5)));
}

TEST(NeverFitsReason, NamesWhatThePlatformLacks) {
  Cluster one = uniform_cluster(1, 4, "A100-80GB", 64, 512);
  EXPECT_EQ(never_fits_reason(one, request(one, 4, 64, 512)), "");
  EXPECT_EQ(never_fits_reason(one, request(one, 0, 8)), "");
  EXPECT_EQ(never_fits_reason(one, request(one, 16)), "needs 16 GPUs but the platform has 4");
  EXPECT_EQ(never_fits_reason(one, request(one, 1, 100)), "no server can hold 100 CPUs and 0 GiB memory beside its GPUs");
  EXPECT_EQ(never_fits_reason(one, request(one, 1, 1, 600.5)),
            "no server can hold 1 CPUs and 600.5 GiB memory beside its GPUs");

  Cluster mixed = make_cluster({{{"A", "A", "A", "A"}}, {{"B", "B"}}});
  EXPECT_EQ(never_fits_reason(mixed, request(mixed, 2, 0, 0, {"B"})), "");
  EXPECT_EQ(never_fits_reason(mixed, request(mixed, 3, 0, 0, {"B"})),
            "needs 3 GPUs of the allowed models but the platform has 2");
  EXPECT_EQ(never_fits_reason(mixed, request(mixed, 6)), "") << "6 GPUs fit across both idle servers";

  // A multi-server job whose CPU share per server exceeds every server.
  Cluster two = uniform_cluster(2, 4, "A", 64, 512);
  EXPECT_EQ(never_fits_reason(two, request(two, 8, 128)), "");
  EXPECT_EQ(never_fits_reason(two, request(two, 8, 200)), "no server can hold 200 CPUs and 0 GiB memory beside its GPUs");
}
