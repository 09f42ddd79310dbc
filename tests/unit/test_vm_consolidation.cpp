// The consolidation planner of the `vm` runtime (models/runtime/vm_consolidation.hpp) on hand-built
// ledgers: which servers it empties, where their VMs go, and what it refuses.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "models/runtime/vm_consolidation.hpp"
#include "tests/unit/unit_support.hpp"

using namespace aidcsim;
using aidcsim::unit::make_cluster;
using aidcsim::unit::uniform_cluster;

namespace {

// A VM of `gpus` whole GPUs (the first free ones of `server`) and `cpus` CPUs, entered in the ledger.
MovableVm place_vm(const Cluster& c, Ledger& ledger, std::size_t id, ServerIndex server, int gpus, double cpus = 1) {
  Allocation a;
  for (GpuIndex g : c.servers[server].gpus)
    if (static_cast<int>(a.gpus.size()) < gpus && ledger.free_milli(g) == kWholeGpuMilli) a.gpus.push_back({g, kWholeGpuMilli});
  a.servers.push_back({server, cpus, 0});
  ledger.apply(a);
  int model = a.gpus.empty() ? -1 : c.gpus[a.gpus.front().gpu].model_index;
  return {id, server, gpus, model, cpus, 0};
}

}  // namespace

// Servers with 1, 3 and 2 busy GPUs (of 4): the least loaded (srv0) is emptied into the fullest
// one it fits on (best fit: srv1, 1 GPU left free); srv2 then cannot move its 2 GPUs (srv1 has 0
// free and srv0 is being emptied).
TEST(VmConsolidation, EmptiesTheLeastLoadedServerIntoTheFullestThatFits) {
  Cluster c = uniform_cluster(3, 4);
  Ledger ledger(c);
  std::vector<MovableVm> vms{place_vm(c, ledger, 0, 0, 1), place_vm(c, ledger, 1, 1, 3), place_vm(c, ledger, 2, 2, 2)};
  auto moves = plan_consolidation(c, ledger, vms, {}, 10);
  ASSERT_EQ(moves.size(), 1u);
  EXPECT_EQ(moves[0].vm, 0u);
  EXPECT_EQ(moves[0].to_server, 1u);
  ASSERT_EQ(moves[0].to.gpus.size(), 1u);
  EXPECT_EQ(c.gpus[moves[0].to.gpus[0].gpu].server, 1u);
  EXPECT_EQ(moves[0].to.gpus[0].gpu, c.servers[1].gpus[3]);  // the free one
  EXPECT_TRUE(ledger.check(moves[0].to).empty());
}

// A server is emptied entirely or not at all: srv0 holds two 2-GPU VMs, the only other non-empty
// server has room for one of them.
TEST(VmConsolidation, LeavesAServerThatCannotBeEmptiedEntirely) {
  Cluster c = uniform_cluster(2, 8);
  Ledger ledger(c);
  std::vector<MovableVm> vms{place_vm(c, ledger, 0, 0, 2), place_vm(c, ledger, 1, 0, 2), place_vm(c, ledger, 2, 1, 6)};
  EXPECT_TRUE(plan_consolidation(c, ledger, vms, {}, 10).empty());
  // With room for both (the big VM is 4 GPUs and 4 CPUs: srv1 is the more loaded), both go.
  Ledger roomy(c);
  std::vector<MovableVm> fit{place_vm(c, roomy, 0, 0, 2), place_vm(c, roomy, 1, 0, 2), place_vm(c, roomy, 2, 1, 4, 4)};
  auto moves = plan_consolidation(c, roomy, fit, {}, 10);
  ASSERT_EQ(moves.size(), 2u);
  for (const auto& m : moves) EXPECT_EQ(m.to_server, 1u);
}

// VMs never move to an empty server (that consolidates nothing), nor from a server that holds
// something not movable (a booting VM, a multi-VM job), nor toward a less loaded server.
TEST(VmConsolidation, NoMoveToEmptyOrLessLoadedServersOrFromPinnedOnes) {
  Cluster c = uniform_cluster(3, 4);
  {
    Ledger ledger(c);
    std::vector<MovableVm> vms{place_vm(c, ledger, 0, 0, 1)};  // srv1, srv2 empty
    EXPECT_TRUE(plan_consolidation(c, ledger, vms, {}, 10).empty());
  }
  {
    Ledger ledger(c);
    MovableVm pinned = place_vm(c, ledger, 0, 0, 1);  // not offered as movable
    (void)pinned;
    std::vector<MovableVm> vms{place_vm(c, ledger, 1, 0, 1), place_vm(c, ledger, 2, 1, 3)};
    EXPECT_TRUE(plan_consolidation(c, ledger, vms, {}, 10).empty());  // srv0 has a pinned VM
  }
  {
    Ledger ledger(c);
    std::vector<MovableVm> vms{place_vm(c, ledger, 0, 0, 2), place_vm(c, ledger, 1, 1, 1)};
    auto moves = plan_consolidation(c, ledger, vms, {}, 10);
    ASSERT_EQ(moves.size(), 1u);  // srv1 (1 GPU) into srv0 (2), never srv0 into srv1
    EXPECT_EQ(moves[0].vm, 1u);
    EXPECT_EQ(moves[0].to_server, 0u);
  }
}

// GPUs stay on their model; draining servers (sources of migrations under way) take nothing;
// max_moves caps a round.
TEST(VmConsolidation, KeepsTheGpuModelRespectsDrainingAndTheCap) {
  Cluster c = make_cluster({{{"A", "A", "A", "A"}}, {{"B", "B", "B", "B"}}, {{"A", "A", "A", "A"}}});
  {
    Ledger ledger(c);
    std::vector<MovableVm> vms{place_vm(c, ledger, 0, 0, 1), place_vm(c, ledger, 1, 1, 2)};
    EXPECT_TRUE(plan_consolidation(c, ledger, vms, {}, 10).empty());  // only B GPUs elsewhere
  }
  {
    Ledger ledger(c);
    std::vector<MovableVm> vms{place_vm(c, ledger, 0, 0, 1), place_vm(c, ledger, 1, 2, 2)};
    EXPECT_EQ(plan_consolidation(c, ledger, vms, {}, 10).size(), 1u);
    EXPECT_TRUE(plan_consolidation(c, ledger, vms, {0, 0, 1}, 10).empty());  // srv2 is draining
    EXPECT_TRUE(plan_consolidation(c, ledger, vms, {}, 0).empty());
  }
}

// Random clusters: every planned destination fits together with the others (no GPU taken twice,
// nothing over-allocated), each emptied server loses all its VMs, and no VM moves twice.
TEST(VmConsolidation, RandomPlansNeverOverAllocate) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    Cluster c = uniform_cluster(6, 8, "A100-80GB", 16);
    Ledger ledger(c);
    std::vector<MovableVm> vms;
    for (std::size_t id = 0; id < 20; ++id) {
      ServerIndex s = rng() % 6;
      int gpus = 1 << (rng() % 3);
      if (ledger.whole_free_gpus(s) < gpus || ledger.free_cpus(s) < 2) continue;
      vms.push_back(place_vm(c, ledger, id, s, gpus, 2));
    }
    auto moves = plan_consolidation(c, ledger, vms, {}, 1 + static_cast<int>(rng() % 8));
    Ledger after = ledger;
    std::set<std::size_t> moved;
    std::map<ServerIndex, int> left;
    for (const auto& vm : vms) ++left[vm.server];
    for (const auto& m : moves) {
      ASSERT_TRUE(after.check(m.to).empty()) << "trial " << trial;
      after.apply(m.to);
      EXPECT_TRUE(moved.insert(m.vm).second);
      const MovableVm& vm = *std::find_if(vms.begin(), vms.end(), [&](const MovableVm& v) { return v.id == m.vm; });
      EXPECT_NE(m.to_server, vm.server);
      --left[vm.server];
    }
    for (const auto& m : moves) {
      const MovableVm& vm = *std::find_if(vms.begin(), vms.end(), [&](const MovableVm& v) { return v.id == m.vm; });
      EXPECT_EQ(left[vm.server], 0) << "a server was emptied only in part, trial " << trial;
    }
  }
}
