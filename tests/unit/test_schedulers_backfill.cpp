// EASY backfilling (models/scheduling/backfill.cpp) on a hand-built view (test_schedulers_bench.hpp):
// the algorithm's decisions on small cases, and its shortcuts (bisected shadow time, pass watch,
// shape memos) against a direct implementation of the algorithm on random timelines.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>
#include <tuple>
#include <utility>

#include "tests/unit/test_schedulers_bench.hpp"

using namespace aidcsim;
using namespace aidcsim::unit::sched;
using aidcsim::unit::make_cluster;
using aidcsim::unit::ServerShape;
using aidcsim::unit::uniform_cluster;

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

TEST(Backfill, AJobRefusedByBMayStartLaterOnOtherResourcesWithoutACompletion) {
  // 2 servers x 4 GPUs, first-fit. x (2 GPUs, ends at 100) on server A, y (3 GPUs, ends at 1000) on
  // B; the head h needs a whole server: its shadow time is 100, on A. l (1 GPU, long) would go on A
  // and is refused by (b). Two short jobs then fill A (they end before 100, rule (a)); at the next
  // pass, with no completion in between, l fits only on B, which the head does not need: it starts.
  Bench b(uniform_cluster(2, 4), {job("x", 0, 100, 2), job("y", 0, 1000, 3), job("h", 5, 50, 4), job("l", 6, 500, 1),
                                  job("s1", 20, 30, 1), job("s2", 20, 30, 1), job("z", 25, 10, 8)});
  b.run("x", 0);
  b.run("y", 0);
  auto s = make("backfill");
  b.set_now(10);
  b.queue({"h", "l"});
  b.pass(*s);
  EXPECT_TRUE(b.started.empty());
  b.set_now(20);
  b.queue({"s1", "s2"});
  b.pass(*s);
  EXPECT_EQ(b.names(b.started), (Names{"s1", "s2"})) << "l would still take a GPU of A";
  b.set_now(25);
  b.queue({"z"});
  b.pass(*s);
  EXPECT_EQ(b.names(b.started), (Names{"l"}));
}

// ---------------------------------------------------------------- backfill shortcuts

namespace {

// EASY as the top of backfill.cpp states it, done the plain way: the whole queue at every pass, a
// placement call per candidate, the shadow time by releasing the running jobs one end time after
// the other. The policy must start exactly the same jobs.
class PlainEasy final : public Scheduler {
 public:
  explicit PlainEasy(double factor) : factor_(factor) {}

  void schedule(SchedulingContext& ctx) override {
    const std::vector<JobIndex>& pending = ctx.pending();
    std::vector<JobIndex> started;
    std::size_t i = 0;
    for (; i < pending.size() && ctx.try_start(pending[i]); ++i) started.push_back(pending[i]);
    if (i + 1 >= pending.size()) return;
    const Request& head = *ctx.status(pending[i]).request;
    std::optional<double> shadow_s;
    std::optional<Ledger> at_shadow;
    for (std::size_t c = i + 1; c < pending.size(); ++c) {
      const JobIndex k = pending[c];
      const JobStatus status = ctx.status(k);
      std::optional<Allocation> proposal = ctx.propose(*status.request, ctx.ledger());
      if (!proposal) continue;
      if (!shadow_s) {
        std::vector<std::pair<double, JobIndex>> ends;
        for (JobIndex j : ctx.running()) ends.push_back({end_s(ctx, j), j});
        for (JobIndex j : started) ends.push_back({end_s(ctx, j), j});
        std::sort(ends.begin(), ends.end());
        at_shadow.emplace(ctx.ledger());
        shadow_s = std::numeric_limits<double>::infinity();
        for (std::size_t e = 0; e < ends.size();) {
          const double t = ends[e].first;
          for (; e < ends.size() && ends[e].first == t; ++e) at_shadow->release(*ctx.status(ends[e].second).allocation);
          if (ctx.would_fit(head, *at_shadow)) {
            shadow_s = t;
            break;
          }
        }
      }
      if (ctx.now() + run_s(ctx.spec(k)) * (1 - status.done_fraction) <= *shadow_s + 1e-9) {
        ctx.try_start(k);
        continue;
      }
      at_shadow->apply(*proposal);
      if (ctx.would_fit(head, *at_shadow) && ctx.try_start(k)) {
        const Allocation& actual = *ctx.status(k).allocation;
        if (!same(actual, *proposal)) {
          at_shadow->release(*proposal);
          at_shadow->apply(actual);
        }
      } else {
        at_shadow->release(*proposal);
      }
    }
  }

 private:
  static bool same(const Allocation& a, const Allocation& b) {
    auto gpus = [](const Allocation& x) {
      std::vector<std::pair<GpuIndex, int>> out;
      for (const auto& g : x.gpus) out.emplace_back(g.gpu, g.milli);
      return out;
    };
    auto servers = [](const Allocation& x) {
      std::vector<std::tuple<ServerIndex, double, double>> out;
      for (const auto& s : x.servers) out.emplace_back(s.server, s.cpus, s.mem_gib);
      return out;
    };
    return gpus(a) == gpus(b) && servers(a) == servers(b);
  }
  double run_s(const JobSpec& j) const { return (j.estimate_s >= 0 ? j.estimate_s : j.duration_s) * factor_; }
  double end_s(SchedulingContext& ctx, JobIndex j) const {
    const JobStatus s = ctx.status(j);
    const JobSpec& spec = ctx.spec(j);
    return std::max(ctx.now(), s.expected_end_s + (run_s(spec) - spec.duration_s) * (1 - s.done_fraction));
  }
  double factor_;
};

struct Timeline {
  Cluster cluster;
  std::vector<JobSpec> jobs;  // by submission
};

// A random workload on a small platform of 2-, 4- and 8-GPU servers, loaded enough to queue: many
// jobs of the same few shapes (the shape memos), heads of up to 16 GPUs (whole servers), some
// jobs with a user estimate.
Timeline random_timeline(std::mt19937& rng) {
  const int gpus_of[] = {2, 4, 8};
  std::vector<ServerShape> servers;
  const int n_servers = 3 + static_cast<int>(rng() % 4);
  for (int s = 0; s < n_servers; ++s)
    servers.push_back(ServerShape{std::vector<std::string>(gpus_of[rng() % 3], "A100-80GB"), 32, 256});
  Timeline t{make_cluster(servers), {}};
  const int sizes[] = {1, 1, 1, 2, 2, 4, 8, 16};
  double submit_s = 0;
  const int n_jobs = 40 + static_cast<int>(rng() % 60);
  for (int i = 0; i < n_jobs; ++i) {
    submit_s += static_cast<double>(rng() % 40);
    const double duration_s = 10 + static_cast<double>(rng() % 20) * 25;
    const double estimate_s = rng() % 4 == 0 ? duration_s * (0.5 + static_cast<double>(rng() % 4) * 0.5) : -1;
    const int gpus = sizes[rng() % 8];
    t.jobs.push_back(job("j" + std::to_string(i), submit_s, duration_s, gpus, "default", 0, estimate_s, gpus * 2.0));
  }
  return t;
}

// Runs the timeline with `policy`: jobs arrive at their submission, end at their expected end, and
// a pass runs at each of these instants. Returns the jobs started by each pass.
std::vector<Names> run_timeline(const Timeline& t, const std::string& placement, Scheduler& policy) {
  Bench b(t.cluster, t.jobs, placement);
  std::vector<Names> passes;
  std::size_t arrived = 0;
  for (int events = 0; events < 10000; ++events) {
    double next_s = arrived < t.jobs.size() ? t.jobs[arrived].submit_s : std::numeric_limits<double>::infinity();
    for (JobIndex j : b.running()) next_s = std::min(next_s, b.status(j).expected_end_s);
    if (!std::isfinite(next_s)) break;
    b.set_now(next_s);
    Names ended, arriving;
    for (JobIndex j : b.running())
      if (b.status(j).expected_end_s <= next_s) ended.push_back(t.jobs[j].job_id);
    for (const auto& name : ended) b.finish(name);
    for (; arrived < t.jobs.size() && t.jobs[arrived].submit_s <= next_s; ++arrived) arriving.push_back(t.jobs[arrived].job_id);
    b.queue(arriving);
    b.pass(policy);
    passes.push_back(b.names(b.started));
  }
  return passes;
}

}  // namespace

TEST(Backfill, StartsWhatThePlainAlgorithmStarts) {
  // The shortcuts (bisected shadow time started from the previous one, the running jobs kept sorted,
  // passes without a release that look only at new arrivals and refused jobs, shape memos, (b)
  // refusals remembered) change the cost, never a decision: on random timelines, every pass starts
  // the jobs a direct implementation starts, with a deterministic and a random placement policy,
  // exact and wrong estimates.
  std::mt19937 rng(2024);
  int backfilled = 0, passes = 0;
  for (int trial = 0; trial < 120; ++trial) {
    const Timeline t = random_timeline(rng);
    const std::string placement = trial % 2 ? "random" : "first-fit";
    const double factor = trial % 3 == 0 ? 1.0 : trial % 3 == 1 ? 2.0 : 0.5;
    SCOPED_TRACE("trial " + std::to_string(trial) + ", " + placement + ", overestimate_factor " + std::to_string(factor));
    PlainEasy plain(factor);
    auto easy = make("backfill", {{"overestimate_factor", factor}});
    const std::vector<Names> expected = run_timeline(t, placement, plain);
    const std::vector<Names> got = run_timeline(t, placement, *easy);
    for (std::size_t p = 0; p < std::min(got.size(), expected.size()); ++p) ASSERT_EQ(got[p], expected[p]) << "pass " << p;
    ASSERT_EQ(got.size(), expected.size());
    for (const Names& started : got) backfilled += started.size() > 1, passes += 1;
  }
  EXPECT_GT(passes, 5000);
  EXPECT_GT(backfilled, 200) << "passes that started more than one job";
}
