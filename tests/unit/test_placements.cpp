// Placement policies on hand-built views (a Cluster and a Ledger built by hand) with known answers.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "models/placement/scoring.hpp"
#include "sim/core/ledger.hpp"
#include "sim/config/options.hpp"
#include "sim/policy/placement.hpp"
#include "sim/core/request.hpp"
#include "tests/unit/placement_support.hpp"
#include "tests/unit/unit_support.hpp"

using namespace aidcsim;
using aidcsim::unit::make_cluster;
using aidcsim::unit::uniform_cluster;
using namespace aidcsim::unit::placement_kit;

namespace {

std::unique_ptr<PlacementPolicy> make(const std::string& name, const Cluster& c, const std::vector<JobSpec>& jobs = {},
                                      nlohmann::json options = nlohmann::json::object(), std::uint64_t seed = 1) {
  return unit::make_policy_from(builtin_registries().placements, name, options, "/placement", c, jobs, seed);
}

ServerIndex server_of(const Cluster& c, const Allocation& a) {
  return a.gpus.empty() ? a.servers.front().server : c.gpus[a.gpus.front().gpu].server;
}

TEST(Placements, AllAreRegistered) {
  Cluster c = uniform_cluster(2, 2);
  for (const auto& name : kPolicies) EXPECT_NE(make(name, c), nullptr) << name;
}

// Every policy proposes allocations that fit, honours the GPU model, and gives the same answer when
// asked twice about the same view (the core asks once to propose and once to start).
TEST(Placements, ProposalsFitAndAreRepeatable) {
  Cluster c = make_cluster({{{"T4", "T4", "T4", "T4"}, 16, 64},
                            {{"V100", "V100"}, 8, 32},
                            {{"T4", "T4", "T4", "T4", "T4", "T4", "T4", "T4"}, 32, 128},
                            {{}, 16, 64}});
  std::vector<JobSpec> jobs = {job(1, 500, 2), job(1, 1000, 4), job(2, 1000, 4), job(0, 1000, 2)};
  std::vector<Request> mix = {request(1, 500, 2), request(1, 300, 1), request(1, 1000, 4), request(2, 1000, 4),
                              request(0, 1000, 2), request(4, 1000, 8), request(1, 700, 1)};
  Request v100 = request(1, 400, 1);
  v100.model_allowed.assign(c.gpu_models.size(), 0);
  v100.model_allowed[c.model_index.at("V100")] = 1;
  mix.push_back(v100);
  for (const auto& name : kPolicies) {
    auto p = make(name, c, jobs);
    Ledger ledger(c);
    int placed = 0;
    for (int round = 0; round < 12; ++round)
      for (const auto& r : mix) {
        auto a = p->place(r, ClusterView{c, ledger});
        auto again = p->place(r, ClusterView{c, ledger});
        ASSERT_EQ(a.has_value(), again.has_value()) << name;
        if (!a) continue;
        ASSERT_EQ(a->gpus.size(), again->gpus.size()) << name;
        for (std::size_t i = 0; i < a->gpus.size(); ++i) EXPECT_EQ(a->gpus[i].gpu, again->gpus[i].gpu) << name;
        ASSERT_EQ(ledger.check(*a), "") << name;
        EXPECT_EQ(static_cast<int>(a->gpus.size()), r.gpus) << name;
        for (const auto& g : a->gpus) {
          EXPECT_TRUE(r.allows(c.gpus[g.gpu])) << name;
          EXPECT_EQ(g.milli, r.gpu_milli) << name;
        }
        ledger.apply(*a);
        p->on_applied(r, *a);
        ++placed;
      }
    EXPECT_GT(placed, 10) << name;
  }
}

TEST(Placements, WholeServerJobsSpanServers) {
  Cluster c = uniform_cluster(3, 4);
  for (const auto& name : kPolicies) {
    auto p = make(name, c);
    Ledger ledger(c);
    auto a = p->place(request(8, 1000, 8), ClusterView{c, ledger});
    ASSERT_TRUE(a) << name;
    EXPECT_EQ(ledger.check(*a), "") << name;
    EXPECT_EQ(a->gpus.size(), 8u) << name;
    EXPECT_EQ(servers_of(*a).size(), 2u) << name;
  }
}

TEST(BestFit, PicksTheTightestServer) {
  Cluster c = uniform_cluster(3, 4);
  Ledger ledger(c);
  use(ledger, c.servers[1].gpus[0], 1000);
  use(ledger, c.servers[1].gpus[1], 1000);  // server 1: 2 GPUs left
  use(ledger, c.servers[2].gpus[0], 1000);  // server 2: 3 GPUs left
  auto p = make("best-fit", c);
  auto a = p->place(request(1), ClusterView{c, ledger});
  ASSERT_TRUE(a);
  EXPECT_EQ(server_of(c, *a), 1u);
  // Equal GPUs left: the server with fewer free CPUs is tighter.
  Ledger even(c);
  use_cpus(even, 2, 40);
  auto b = p->place(request(1, 1000, 1), ClusterView{c, even});
  ASSERT_TRUE(b);
  EXPECT_EQ(server_of(c, *b), 2u);
}

TEST(BestFit, SharedJobTakesTheTightestGpu) {
  Cluster c = uniform_cluster(1, 3);
  Ledger ledger(c);
  use(ledger, c.servers[0].gpus[0], 200);  // 800 free
  use(ledger, c.servers[0].gpus[1], 600);  // 400 free
  auto a = make("best-fit", c)->place(request(1, 300), ClusterView{c, ledger});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->gpus.front().gpu, c.servers[0].gpus[1]);
}

TEST(Spread, PicksTheEmptiestServerAndGpu) {
  Cluster c = uniform_cluster(3, 4);
  Ledger ledger(c);
  use(ledger, c.servers[0].gpus[0], 1000);
  use(ledger, c.servers[2].gpus[0], 500);
  auto p = make("spread", c);
  auto a = p->place(request(1), ClusterView{c, ledger});
  ASSERT_TRUE(a);
  EXPECT_EQ(server_of(c, *a), 1u);
  ledger.apply(*a);  // server 1 now has 3 free, server 2 has 3.5
  auto b = p->place(request(1, 300), ClusterView{c, ledger});
  ASSERT_TRUE(b);
  EXPECT_EQ(server_of(c, *b), 2u);
  EXPECT_EQ(ledger.free_milli(b->gpus.front().gpu), 1000);  // the GPU with the most free share
}

TEST(RandomPlacement, SeededAndSpreadOverTheFeasibleServers) {
  Cluster c = uniform_cluster(8, 2);
  Ledger ledger(c);
  use(ledger, c.servers[3].gpus[0], 1000);
  use(ledger, c.servers[3].gpus[1], 1000);  // server 3 is full
  std::set<ServerIndex> seen;
  for (std::uint64_t seed = 1; seed <= 64; ++seed) {
    auto a = make("random", c, {}, nlohmann::json::object(), seed)->place(request(1), ClusterView{c, ledger});
    ASSERT_TRUE(a);
    seen.insert(server_of(c, *a));
    // The same seed gives the same answer, also from a fresh policy.
    auto b = make("random", c, {}, nlohmann::json::object(), seed)->place(request(1), ClusterView{c, ledger});
    EXPECT_EQ(a->gpus.front().gpu, b->gpus.front().gpu);
  }
  EXPECT_EQ(seen.count(3), 0u);
  EXPECT_GE(seen.size(), 6u);
}

TEST(Packing, SharedGpusThenUsedServersThenIdleOnes) {
  Cluster c = uniform_cluster(3, 2);
  Ledger ledger(c);
  use(ledger, c.servers[1].gpus[0], 1000);  // server 1 in use, one GPU wholly free
  use(ledger, c.servers[2].gpus[0], 500);   // server 2: a shared GPU with 500 free
  auto p = make("packing", c);
  auto a = p->place(request(1, 400), ClusterView{c, ledger});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->gpus.front().gpu, c.servers[2].gpus[0]);  // the shared GPU
  auto b = p->place(request(1, 1000), ClusterView{c, ledger});
  ASSERT_TRUE(b);
  EXPECT_NE(server_of(c, *b), 0u);  // a used server before an idle one
  placement::NodeRes idle{0, 0, {1000, 1000, 1000, 1000}};
  EXPECT_EQ(placement::packing_score(idle, 1, 1000), 29);  // 33 - 4 free GPUs
}

TEST(Clustering, JobsOfTheSameKindGoTogether) {
  Cluster c = uniform_cluster(3, 4);
  Ledger ledger(c);
  auto p = make("clustering", c);
  auto place = [&](const Request& r) {
    auto a = p->place(r, ClusterView{c, ledger});
    EXPECT_TRUE(a);
    ledger.apply(*a);
    p->on_applied(r, *a);
    return server_of(c, *a);
  };
  ServerIndex whole = place(request(1));
  ServerIndex shared = place(request(1, 300));
  EXPECT_NE(shared, whole);                    // an idle server beats one holding another kind
  EXPECT_EQ(place(request(1, 200)), shared);   // same kind
  EXPECT_EQ(place(request(1)), whole);
}

TEST(DotProduct, PrefersTheServerWhoseFreeResourcesAlignLeast) {
  // Server 0: many free CPUs, 2 free GPUs; server 1: few free CPUs, 2 free GPUs. A CPU-heavy job's
  // dot product with server 1's free vector is smaller: it goes there.
  Cluster c = uniform_cluster(2, 2, "A100", 64);
  Ledger ledger(c);
  use_cpus(ledger, 1, 48);
  auto a = make("dotprod", c)->place(request(1, 1000, 8), ClusterView{c, ledger});
  ASSERT_TRUE(a);
  EXPECT_EQ(server_of(c, *a), 1u);
}

TEST(Topology, OneServerOverTwoAndSameRackOverTwoRacks) {
  Cluster c = uniform_cluster(5, 2);
  for (ServerIndex s = 0; s < 5; ++s) c.servers[s].rack = s < 2 ? 0 : 1;  // racks {0,1} {2,3,4}
  Ledger ledger(c);
  use(ledger, c.servers[0].gpus[0], 1000);  // server 0 has one GPU left
  auto p = make("topology", c);
  // A 2-GPU job fits one server: it gets one (not server 0's last GPU plus another).
  auto a = p->place(request(2), ClusterView{c, ledger});
  ASSERT_TRUE(a);
  EXPECT_EQ(servers_of(*a).size(), 1u);
  // A 4-GPU job needs two whole servers: both from rack 1 (servers 2-4), not server 1 plus one of them.
  auto b = p->place(request(4), ClusterView{c, ledger});
  ASSERT_TRUE(b);
  auto used = servers_of(*b);
  ASSERT_EQ(used.size(), 2u);
  for (ServerIndex s : used) EXPECT_EQ(c.servers[s].rack, 1) << s;
}

TEST(Topology, FewestServersFirst) {
  Cluster c = make_cluster({{{"A", "A"}}, {{"A", "A"}}, {{"A", "A", "A", "A"}}, {{"A", "A", "A", "A"}}});
  c.servers[0].rack = c.servers[1].rack = 0;
  c.servers[2].rack = c.servers[3].rack = 1;
  Ledger ledger(c);
  // 6 GPUs: rack 0 holds 4 only; rack 1 holds 8 on two servers (fewer servers than 2+2+4).
  auto a = make("topology", c)->place(request(6), ClusterView{c, ledger});
  ASSERT_TRUE(a);
  EXPECT_EQ(servers_of(*a), (std::set<ServerIndex>{2, 3}));
}

// FGD keeps the typical task placeable: with 600-milli tasks typical, a 300-milli task goes to the
// idle GPU (1000 -> 700, still holds a typical task) rather than the tighter 700 (-> 400, which would
// not), where best-fit takes the tighter one.
TEST(Fgd, KeepsTheTypicalTaskPlaceable) {
  Cluster c = uniform_cluster(2, 1);
  std::vector<JobSpec> jobs(10, job(1, 600, 1));
  Ledger ledger(c);
  use(ledger, c.servers[0].gpus[0], 300);  // server 0: 700 free
  Request r = request(1, 300, 1);
  auto f = make("fgd", c, jobs)->place(r, ClusterView{c, ledger});
  ASSERT_TRUE(f);
  EXPECT_EQ(server_of(c, *f), 1u);
  auto b = make("best-fit", c, jobs)->place(r, ClusterView{c, ledger});
  ASSERT_TRUE(b);
  EXPECT_EQ(server_of(c, *b), 0u);
}

TEST(Fgd, ChoosesTheGpuThatFragmentsLeast) {
  Cluster c = uniform_cluster(1, 3);
  std::vector<JobSpec> jobs(10, job(1, 600, 1));
  Ledger ledger(c);
  use(ledger, c.servers[0].gpus[0], 300);  // 700 free: 300 more would leave 400 < 600
  use(ledger, c.servers[0].gpus[1], 600);  // 400 free: already a fragment; 300 more leaves 100
  // GPU 1 shrinks the fragment (400 -> 100): the best choice; GPU 0 and 2 would create or keep one.
  auto a = make("fgd", c, jobs)->place(request(1, 300, 1), ClusterView{c, ledger});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->gpus.front().gpu, c.servers[0].gpus[1]);
}

TEST(Fgd, FillsAServerThatCanOnlyHoldFragments) {
  // Typical tasks take whole GPUs; a server with a half-used GPU is fragmented. A half-GPU task
  // fills that fragment rather than opening an idle GPU.
  Cluster c = uniform_cluster(2, 2);
  std::vector<JobSpec> jobs(10, job(1, 1000, 1));
  Ledger ledger(c);
  use(ledger, c.servers[1].gpus[1], 500);
  auto a = make("fgd", c, jobs)->place(request(1, 500, 1), ClusterView{c, ledger});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->gpus.front().gpu, c.servers[1].gpus[1]);
}

TEST(TieBreak, OrderIsSeededAndSharedFirstIsPlatformOrder) {
  Cluster c = uniform_cluster(16, 1);
  Ledger ledger(c);
  std::map<std::string, ServerIndex> chosen;
  for (const char* mode : {"order", "first"}) {
    auto a = make("best-fit", c, {}, {{"tie_break", mode}}, 7)->place(request(1), ClusterView{c, ledger});
    ASSERT_TRUE(a);
    chosen[mode] = server_of(c, *a);
    // Every score-based policy of a run breaks the ties of idle servers the same way.
    auto b = make("packing", c, {}, {{"tie_break", mode}}, 7)->place(request(1), ClusterView{c, ledger});
    EXPECT_EQ(server_of(c, *b), chosen[mode]) << mode;
  }
  EXPECT_EQ(chosen["first"], 0u);
  placement::TieBreaker t(placement::TieBreak::order, 7);
  EXPECT_EQ(t.ranks(16)[chosen["order"]], 0u);
  EXPECT_THROW(make("fgd", c, {}, {{"tie_break", "lowest"}}), InputErrors);
}

}  // namespace

// An away server (not provisioned, failed) is passed over by every policy, for whole and shared GPUs.
TEST(Placements, NoPolicyPlacesOnAnAwayServer) {
  Cluster c = uniform_cluster(3, 4);
  for (const auto& name : kPolicies) {
    auto p = make(name, c);
    Ledger ledger(c);
    ledger.set_server_available(0, false);
    ledger.set_server_available(2, false);
    for (const Request& r : {request(1, 1000, 1), request(1, 300, 1), request(4, 1000, 4), request(0, 1000, 2)}) {
      auto a = p->place(r, ClusterView{c, ledger});
      ASSERT_TRUE(a) << name;
      EXPECT_EQ(ledger.check(*a), "") << name;
      for (const auto& g : a->gpus) EXPECT_EQ(c.gpus[g.gpu].server, 1u) << name;
      for (const auto& s : a->servers) EXPECT_EQ(s.server, 1u) << name;
    }
    EXPECT_FALSE(p->place(request(8, 1000, 8), ClusterView{c, ledger})) << name;
  }
}
