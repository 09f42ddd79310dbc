// The placement option "multi_gpu" (models/placement/multi_gpu.hpp): one server (default), spread over
// servers, or whole servers, honoured by every placement policy, on hand-built views.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <set>

#include "models/placement/multi_gpu.hpp"
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

const std::vector<std::string> kModes = {"one-server", "spread", "whole-servers"};

// A registered placement with the option multi_gpu = mode ("" = not given).
std::unique_ptr<PlacementPolicy> make(const std::string& name, const Cluster& c, const std::string& mode,
                                      const std::vector<JobSpec>& jobs = {}, std::uint64_t seed = 1) {
  nlohmann::json options = nlohmann::json::object();
  if (!mode.empty()) options["multi_gpu"] = mode;
  return unit::make_policy_from(builtin_registries().placements, name, options, "/placement", c, jobs, seed);
}

std::map<ServerIndex, int> gpus_per_server(const Cluster& c, const Allocation& a) {
  std::map<ServerIndex, int> out;
  for (const auto& g : a.gpus) ++out[c.gpus[g.gpu].server];
  return out;
}

// What every allocation of r must satisfy, whatever the mode: it fits the ledger, has r.gpus distinct
// allowed GPUs with r.gpu_milli each, one server entry per server used (and only those), and the
// job's CPUs and memory split over them in proportion to the GPUs on each.
void expect_well_formed(const Cluster& c, const Ledger& ledger, const Request& r, const Allocation& a,
                        const std::string& what) {
  EXPECT_EQ(ledger.check(a), "") << what;
  ASSERT_EQ(static_cast<int>(a.gpus.size()), r.gpus) << what;
  std::set<GpuIndex> distinct;
  for (const auto& g : a.gpus) {
    distinct.insert(g.gpu);
    EXPECT_EQ(g.milli, r.gpu_milli) << what;
    EXPECT_TRUE(r.allows(c.gpus[g.gpu])) << what;
  }
  EXPECT_EQ(distinct.size(), a.gpus.size()) << what << ": a GPU given twice";
  auto per_server = gpus_per_server(c, a);
  double cpus = 0, mem = 0;
  std::set<ServerIndex> listed;
  for (const auto& sv : a.servers) {
    EXPECT_TRUE(listed.insert(sv.server).second) << what << ": server listed twice";
    cpus += sv.cpus;
    mem += sv.mem_gib;
    if (r.gpus > 0) {
      ASSERT_TRUE(per_server.count(sv.server)) << what << ": a server without the job's GPUs";
      EXPECT_NEAR(sv.cpus, r.cpus * per_server[sv.server] / r.gpus, 1e-9) << what;
      EXPECT_NEAR(sv.mem_gib, r.mem_gib * per_server[sv.server] / r.gpus, 1e-9) << what;
    }
  }
  if (r.gpus > 0) {
    EXPECT_EQ(listed.size(), per_server.size()) << what;
  }
  EXPECT_NEAR(cpus, r.cpus, 1e-9) << what;
  EXPECT_NEAR(mem, r.mem_gib, 1e-9) << what;
}

TEST(MultiGpu, LayoutOfEachMode) {
  Cluster c = uniform_cluster(2, 4);
  EXPECT_EQ(layout_of(c, request(0), MultiGpu::spread), Layout::one_server);
  EXPECT_EQ(layout_of(c, request(1), MultiGpu::spread), Layout::one_server);
  EXPECT_EQ(layout_of(c, request(1), MultiGpu::whole_servers), Layout::one_server);
  EXPECT_EQ(layout_of(c, request(4), MultiGpu::one_server), Layout::one_server);
  EXPECT_EQ(layout_of(c, request(5), MultiGpu::one_server), Layout::whole_servers);
  EXPECT_EQ(layout_of(c, request(2), MultiGpu::spread), Layout::spread);
  EXPECT_EQ(layout_of(c, request(8), MultiGpu::spread), Layout::spread);
  EXPECT_EQ(layout_of(c, request(2), MultiGpu::whole_servers), Layout::whole_servers);
  EXPECT_STREQ(multi_gpu_name(MultiGpu::one_server), "one-server");
  EXPECT_STREQ(multi_gpu_name(MultiGpu::spread), "spread");
  EXPECT_STREQ(multi_gpu_name(MultiGpu::whole_servers), "whole-servers");
}

// The case: two servers with 2 free GPUs each. A 4-GPU job fits a 4-GPU server, so by default
// it waits for one server with 4 free GPUs; with "spread" it takes the 2 + 2.
TEST(MultiGpu, SpreadPlacesAFourGpuJobOnTwoHalfFreeServers) {
  Cluster c = uniform_cluster(2, 4, "A100", 32, 256);
  Ledger ledger(c);
  for (ServerIndex s = 0; s < 2; ++s) {
    use(ledger, c.servers[s].gpus[0], 1000);
    use(ledger, c.servers[s].gpus[3], 1000);
  }
  const Request r = request(4, 1000, 16, 64);
  std::vector<JobSpec> jobs = {job(4, 1000, 16), job(1, 1000, 4)};
  for (const auto& name : kPolicies) {
    for (const std::string mode : {"", "one-server", "whole-servers"})
      EXPECT_FALSE(make(name, c, mode, jobs)->place(r, ClusterView{c, ledger})) << name << " " << mode;
    auto a = make(name, c, "spread", jobs)->place(r, ClusterView{c, ledger});
    ASSERT_TRUE(a) << name;
    expect_well_formed(c, ledger, r, *a, name);
    EXPECT_EQ(gpus_per_server(c, *a), (std::map<ServerIndex, int>{{0, 2}, {1, 2}})) << name;
    for (const auto& sv : a->servers) {
      EXPECT_DOUBLE_EQ(sv.cpus, 8) << name;      // 16 CPUs, half the GPUs on each server
      EXPECT_DOUBLE_EQ(sv.mem_gib, 32) << name;  // 64 GiB likewise
    }
  }
}

// By default (and explicitly "one-server") a job that fits one server goes on one server.
TEST(MultiGpu, OneServerKeepsAJobThatFitsOnOneServer) {
  Cluster c = uniform_cluster(3, 4);
  Ledger ledger(c);
  use(ledger, c.servers[0].gpus[0], 1000);  // server 0: 3 free GPUs
  std::vector<JobSpec> jobs = {job(3, 1000, 4)};
  for (const auto& name : kPolicies)
    for (const std::string mode : {"", "one-server"}) {
      auto a = make(name, c, mode, jobs)->place(request(3, 1000, 6), ClusterView{c, ledger});
      ASSERT_TRUE(a) << name;
      expect_well_formed(c, ledger, request(3, 1000, 6), *a, name);
      EXPECT_EQ(servers_of(*a).size(), 1u) << name << " " << mode;
    }
}

// "one-server" is the policies' own behaviour: the option given or not, every decision is the same.
TEST(MultiGpu, OneServerIsTheDefaultAndChangesNothing) {
  Cluster c = make_cluster({{{"T4", "T4", "T4", "T4"}, 16, 64}, {{"V100", "V100"}, 8, 32}, {{"T4", "T4"}, 8, 32}});
  std::vector<JobSpec> jobs = {job(1, 500, 2), job(2, 1000, 4), job(4, 1000, 4)};
  std::vector<Request> mix = {request(1, 500, 2), request(2, 1000, 4), request(4, 1000, 4), request(6, 1000, 6),
                              request(1, 1000, 1), request(0, 1000, 2)};
  for (const auto& name : kPolicies) {
    auto plain = make(name, c, "", jobs);
    auto explicit_default = make(name, c, "one-server", jobs);
    Ledger ledger(c);
    for (int round = 0; round < 4; ++round)
      for (const auto& r : mix) {
        auto a = plain->place(r, ClusterView{c, ledger});
        auto b = explicit_default->place(r, ClusterView{c, ledger});
        ASSERT_EQ(a.has_value(), b.has_value()) << name;
        if (!a) continue;
        ASSERT_EQ(a->gpus.size(), b->gpus.size()) << name;
        for (std::size_t i = 0; i < a->gpus.size(); ++i) EXPECT_EQ(a->gpus[i].gpu, b->gpus[i].gpu) << name;
        ledger.apply(*a);
        plain->on_applied(r, *a);
        explicit_default->on_applied(r, *a);
      }
  }
}

// First-fit with "spread" takes free GPUs in platform order, even across servers.
TEST(MultiGpu, FirstFitSpreadTakesGpusInOrder) {
  Cluster c = uniform_cluster(3, 4);
  Ledger ledger(c);
  for (int g = 0; g < 3; ++g) use(ledger, c.servers[0].gpus[g], 1000);  // server 0: GPU 3 free
  auto a = make("first-fit", c, "spread")->place(request(3), ClusterView{c, ledger});
  ASSERT_TRUE(a);
  ASSERT_EQ(a->gpus.size(), 3u);
  EXPECT_EQ(a->gpus[0].gpu, c.servers[0].gpus[3]);
  EXPECT_EQ(a->gpus[1].gpu, c.servers[1].gpus[0]);
  EXPECT_EQ(a->gpus[2].gpu, c.servers[1].gpus[1]);
  // One-server: server 1 alone.
  auto b = make("first-fit", c, "one-server")->place(request(3), ClusterView{c, ledger});
  ASSERT_TRUE(b);
  EXPECT_EQ(servers_of(*b), (std::set<ServerIndex>{1}));
}

// Best-fit with "spread" fills the tightest servers first, GPU by GPU.
TEST(MultiGpu, BestFitSpreadFillsTheTightestServers) {
  Cluster c = uniform_cluster(3, 4);
  Ledger ledger(c);
  for (int g = 0; g < 3; ++g) use(ledger, c.servers[2].gpus[g], 1000);  // server 2: 1 free GPU
  for (int g = 0; g < 2; ++g) use(ledger, c.servers[1].gpus[g], 1000);  // server 1: 2 free GPUs
  auto a = make("best-fit", c, "spread")->place(request(3), ClusterView{c, ledger});
  ASSERT_TRUE(a);
  EXPECT_EQ(gpus_per_server(c, *a), (std::map<ServerIndex, int>{{1, 2}, {2, 1}}));
  // On an empty platform the packing policies keep the job on one server.
  Ledger empty(c);
  for (const char* name : {"first-fit", "best-fit", "packing"}) {
    auto one = make(name, c, "spread")->place(request(4, 1000, 8), ClusterView{c, empty});
    ASSERT_TRUE(one) << name;
    EXPECT_EQ(servers_of(*one).size(), 1u) << name;
  }
  // Worst-fit ("spread" policy) with "spread" puts each GPU on the emptiest server.
  Ledger idle(c);
  auto b = make("spread", c, "spread")->place(request(3), ClusterView{c, idle});
  ASSERT_TRUE(b);
  EXPECT_EQ(servers_of(*b).size(), 3u);
}

// CPUs and memory go with the GPUs: a server gives only as many GPUs as it has CPUs and memory for.
TEST(MultiGpu, CpusAndMemorySplitInProportionToGpus) {
  Cluster c = uniform_cluster(2, 4, "A100", 16, 128);
  Ledger ledger(c);
  use_cpus(ledger, 0, 12);  // server 0: 4 CPUs free, so room for one GPU of a 3-GPU, 12-CPU job
  const Request r = request(3, 1000, 12, 30);
  ClusterView view{c, ledger};
  EXPECT_EQ(gpus_that_fit(view, r, 0, 3), 1);
  EXPECT_EQ(gpus_that_fit(view, r, 1, 3), 3);
  EXPECT_EQ(gpus_that_fit(view, r, 1, 2), 2);
  EXPECT_DOUBLE_EQ(share_for_gpus(12, 1, 3), 4);
  EXPECT_DOUBLE_EQ(share_for_gpus(30, 2, 3), 20);
  EXPECT_DOUBLE_EQ(share_for_gpus(5, 0, 0), 5);  // no GPUs: all of it
  auto a = allocate_spread(view, r, {0, 1});
  ASSERT_TRUE(a);
  expect_well_formed(c, ledger, r, *a, "allocate_spread");
  EXPECT_EQ(gpus_per_server(c, *a), (std::map<ServerIndex, int>{{0, 1}, {1, 2}}));
  ASSERT_EQ(a->servers.size(), 2u);
  EXPECT_DOUBLE_EQ(a->servers[0].cpus, 4);
  EXPECT_DOUBLE_EQ(a->servers[0].mem_gib, 10);
  EXPECT_DOUBLE_EQ(a->servers[1].cpus, 8);
  EXPECT_DOUBLE_EQ(a->servers[1].mem_gib, 20);
  Allocation from = allocation_from_gpus(c, r, {c.servers[1].gpus[2], c.servers[0].gpus[1], c.servers[1].gpus[0]});
  ASSERT_EQ(from.servers.size(), 2u);
  EXPECT_EQ(from.servers[0].server, 1u);  // in order of first GPU
  EXPECT_DOUBLE_EQ(from.servers[0].cpus, 8);
  EXPECT_DOUBLE_EQ(from.servers[1].cpus, 4);
  // Through the policies: every one of them respects the per-server share.
  for (const auto& name : kPolicies) {
    auto p = make(name, c, "spread", {job(3, 1000, 12)});
    auto b = p->place(r, view);
    ASSERT_TRUE(b) << name;
    expect_well_formed(c, ledger, r, *b, name);
    auto per = gpus_per_server(c, *b);
    EXPECT_LE(per[0], 1) << name << ": server 0 has CPUs for one GPU's share only";
  }
}

// A job asking more CPUs than any server has never fits on one server but fits spread: the arrival
// check follows the mode.
TEST(MultiGpu, NeverFitsFollowsTheMode) {
  Cluster c = uniform_cluster(2, 4, "A100", 16, 128);
  const Request big_cpu = request(2, 1000, 24);
  EXPECT_EQ(never_fits_reason(c, big_cpu), "no server can hold 24 CPUs and 0 GiB memory beside its GPUs");
  EXPECT_EQ(never_fits_reason(c, big_cpu, MultiGpu::one_server), never_fits_reason(c, big_cpu));
  EXPECT_EQ(never_fits_reason(c, big_cpu, MultiGpu::spread), "");
  EXPECT_NE(never_fits_reason(c, request(2, 1000, 40), MultiGpu::spread), "");
  EXPECT_EQ(never_fits_reason(c, request(9), MultiGpu::spread), "needs 9 GPUs but the platform has 8");
  EXPECT_EQ(never_fits_reason(c, request(8, 1000, 32), MultiGpu::spread), "");
  EXPECT_EQ(never_fits_reason(c, request(2, 1000, 8), MultiGpu::whole_servers), "");
  Ledger ledger(c);
  for (const auto& name : kPolicies) {
    EXPECT_FALSE(make(name, c, "one-server")->place(big_cpu, ClusterView{c, ledger})) << name;
    auto a = make(name, c, "spread")->place(big_cpu, ClusterView{c, ledger});
    ASSERT_TRUE(a) << name;
    expect_well_formed(c, ledger, big_cpu, *a, name);
    EXPECT_EQ(servers_of(*a).size(), 2u) << name;
  }
}

// "whole-servers": every multi-GPU job starts on idle servers; single GPUs are unaffected.
TEST(MultiGpu, WholeServersTakesIdleServersForEveryMultiGpuJob) {
  Cluster c = uniform_cluster(3, 4);
  Ledger ledger(c);
  use(ledger, c.servers[0].gpus[0], 1000);  // server 0 in use, 3 GPUs free
  for (const auto& name : kPolicies) {
    auto p = make(name, c, "whole-servers");
    auto a = p->place(request(2), ClusterView{c, ledger});
    ASSERT_TRUE(a) << name;
    expect_well_formed(c, ledger, request(2), *a, name);
    ASSERT_EQ(servers_of(*a).size(), 1u) << name;
    EXPECT_TRUE(ledger.server_idle(*servers_of(*a).begin())) << name;
    auto big = p->place(request(6), ClusterView{c, ledger});
    ASSERT_TRUE(big) << name;
    EXPECT_EQ(servers_of(*big), (std::set<ServerIndex>{1, 2})) << name;
    EXPECT_TRUE(p->place(request(1), ClusterView{c, ledger})) << name;
  }
  Ledger busy(c);
  for (ServerIndex s = 0; s < 3; ++s) use(busy, c.servers[s].gpus[0], 1000);  // no idle server
  for (const auto& name : kPolicies) {
    EXPECT_FALSE(make(name, c, "whole-servers")->place(request(2), ClusterView{c, busy})) << name;
    EXPECT_TRUE(make(name, c, "one-server")->place(request(2), ClusterView{c, busy})) << name;
  }
}

// Topology with "spread": one server when one can hold the job; else the fewest servers, then racks,
// among servers idle or not.
TEST(MultiGpu, TopologySpreadKeepsJobsCompact) {
  Cluster c = uniform_cluster(6, 4);
  for (ServerIndex s = 0; s < 6; ++s) c.servers[s].rack = s < 3 ? 0 : 1;  // racks {0,1,2} {3,4,5}
  Ledger ledger(c);
  for (ServerIndex s = 0; s < 6; ++s)
    for (int g = 0; g < (s == 4 || s == 5 ? 1 : 2); ++g) use(ledger, c.servers[s].gpus[g], 1000);
  // Free GPUs: 2 2 2 | 2 3 3. A 3-GPU job fits server 4 or 5 alone.
  auto p = make("topology", c, "spread");
  auto a = p->place(request(3), ClusterView{c, ledger});
  ASSERT_TRUE(a);
  EXPECT_EQ(servers_of(*a).size(), 1u);
  // A 6-GPU job: two servers (4 and 5, same rack) rather than three of rack 0.
  auto b = p->place(request(6), ClusterView{c, ledger});
  ASSERT_TRUE(b);
  expect_well_formed(c, ledger, request(6), *b, "topology");
  EXPECT_EQ(servers_of(*b), (std::set<ServerIndex>{4, 5}));
  // A 5-GPU job: server 4 or 5 (3) plus a server of the same rack: 3 + 2 in rack 1.
  auto d = p->place(request(5), ClusterView{c, ledger});
  ASSERT_TRUE(d);
  EXPECT_EQ(servers_of(*d).size(), 2u);
  for (ServerIndex s : servers_of(*d)) EXPECT_EQ(c.servers[s].rack, 1) << s;
  // One-server and whole-servers find no room for 6 GPUs (no idle server).
  EXPECT_FALSE(make("topology", c, "one-server")->place(request(6), ClusterView{c, ledger}));
  EXPECT_FALSE(make("topology", c, "whole-servers")->place(request(6), ClusterView{c, ledger}));
}

// Fractional multi-GPU jobs: each share on its own GPU (never two of the job's shares on one GPU).
TEST(MultiGpu, SpreadSharesTakeDistinctGpus) {
  Cluster c = uniform_cluster(2, 2);
  Ledger ledger(c);
  const Request r = request(3, 400, 3);
  for (const auto& name : kPolicies) {
    auto a = make(name, c, "spread", {job(3, 400, 3)})->place(r, ClusterView{c, ledger});
    ASSERT_TRUE(a) << name;
    expect_well_formed(c, ledger, r, *a, name);
  }
  // Five shares on four GPUs: no.
  for (const auto& name : kPolicies)
    EXPECT_FALSE(make(name, c, "spread")->place(request(5, 100), ClusterView{c, ledger})) << name;
}

// Every policy in every mode, on a random mix of jobs arriving and leaving: every proposal fits the
// ledger (which would throw on over-allocation), is well formed, and is the same when asked twice.
TEST(MultiGpu, LedgerNeverOverAllocatesInAnyMode) {
  Cluster c = make_cluster({{{"T4", "T4", "T4", "T4"}, 16, 64},
                            {{"V100", "V100"}, 8, 32},
                            {{"T4", "T4", "T4", "T4", "T4", "T4", "T4", "T4"}, 32, 128},
                            {{"T4", "T4"}, 8, 0},
                            {{}, 16, 64}});
  std::vector<JobSpec> jobs = {job(1, 500, 2), job(2, 1000, 4), job(4, 1000, 8), job(0, 1000, 2)};
  std::vector<Request> mix = {request(1, 500, 2, 4), request(2, 1000, 4, 8),  request(3, 1000, 20, 10),
                              request(4, 1000, 8, 16), request(2, 600, 2, 2),  request(10, 1000, 10, 40),
                              request(0, 1000, 2, 2), request(16, 1000, 16), request(5, 300, 5, 5)};
  Request v100 = request(2, 1000, 2);
  v100.model_allowed.assign(c.gpu_models.size(), 0);
  v100.model_allowed[c.model_index.at("V100")] = 1;
  mix.push_back(v100);
  for (const auto& mode : kModes)
    for (const auto& name : kPolicies) {
      const std::string what = name + " " + mode;
      auto p = make(name, c, mode, jobs);
      Ledger ledger(c);
      std::vector<std::pair<Request, Allocation>> running;
      std::mt19937_64 rng(7);
      int placed = 0, multi_server = 0;
      for (int step = 0; step < 300; ++step) {
        if (!running.empty() && rng() % 3 == 0) {
          std::size_t i = rng() % running.size();
          ledger.release(running[i].second);
          p->on_released(running[i].first, running[i].second);
          running.erase(running.begin() + static_cast<long>(i));
          continue;
        }
        const Request& r = mix[rng() % mix.size()];
        auto a = p->place(r, ClusterView{c, ledger});
        auto again = p->place(r, ClusterView{c, ledger});
        ASSERT_EQ(a.has_value(), again.has_value()) << what;
        if (!a) continue;
        ASSERT_EQ(a->gpus.size(), again->gpus.size()) << what;
        for (std::size_t i = 0; i < a->gpus.size(); ++i) EXPECT_EQ(a->gpus[i].gpu, again->gpus[i].gpu) << what;
        expect_well_formed(c, ledger, r, *a, what);
        if (mode == "whole-servers" && r.gpus > 1) {
          for (ServerIndex s : servers_of(*a)) EXPECT_TRUE(ledger.server_idle(s)) << what;
        }
        if (mode == "one-server" && !needs_whole_servers(c, r)) {
          EXPECT_EQ(servers_of(*a).size(), 1u) << what << ": a job that fits one server was spread";
        }
        ASSERT_NO_THROW(ledger.apply(*a)) << what;
        p->on_applied(r, *a);
        running.emplace_back(r, *a);
        ++placed;
        multi_server += servers_of(*a).size() > 1 ? 1 : 0;
      }
      EXPECT_GT(placed, 40) << what;
      if (mode == "spread") {
        EXPECT_GT(multi_server, 0) << what;
      }
    }
}

TEST(MultiGpu, UnknownValueIsAClearError) {
  Cluster c = uniform_cluster(2, 4);
  for (const auto& name : kPolicies) {
    try {
      make(name, c, "spred");
      ADD_FAILURE() << name << ": no error";
    } catch (const InputErrors& e) {
      ASSERT_EQ(e.problems().size(), 1u) << name;
      const auto& p = e.problems().front();
      EXPECT_EQ(p.file, "scenario.json");
      EXPECT_EQ(p.where, "/placement/multi_gpu");
      EXPECT_NE(p.what.find("one-server, spread, whole-servers"), std::string::npos) << p.what;
      EXPECT_NE(p.what.find("did you mean \"spread\""), std::string::npos) << p.what;
    }
  }
}

}  // namespace
