// The allocation ledger (sim/core/ledger.cpp): it never over-allocates, refuses to release what was not
// held, and its segment-tree query agrees with a brute-force scan under random operations.
#include <gtest/gtest.h>

#include <random>
#include <stdexcept>

#include "sim/core/ledger.hpp"
#include "tests/unit/unit_support.hpp"

using namespace aidcsim;
using aidcsim::unit::make_cluster;
using aidcsim::unit::uniform_cluster;

namespace {
Allocation gpus_of(std::initializer_list<std::pair<GpuIndex, int>> shares) {
  Allocation a;
  for (auto [g, milli] : shares) a.gpus.push_back({g, milli});
  return a;
}
}  // namespace

TEST(Ledger, StartsEmpty) {
  Cluster c = uniform_cluster(2, 4);
  Ledger l(c);
  for (GpuIndex g = 0; g < c.gpus.size(); ++g) EXPECT_EQ(l.free_milli(g), 1000);
  for (ServerIndex s = 0; s < 2; ++s) {
    EXPECT_EQ(l.whole_free_gpus(s), 4);
    EXPECT_EQ(l.free_cpus(s), 64);
    EXPECT_EQ(l.free_mem_gib(s), 512);
    EXPECT_TRUE(l.server_idle(s));
  }
  EXPECT_EQ(l.allocated_milli(), 0);
}

TEST(Ledger, ApplyAndReleaseTrackEveryCounter) {
  Cluster c = make_cluster({{{"A", "A", "B", "B"}, 16, 128}});
  Ledger l(c);
  Allocation a = gpus_of({{0, 1000}, {2, 300}});
  a.servers.push_back({0, 6, 100});
  EXPECT_EQ(l.check(a), "");
  l.apply(a);
  EXPECT_EQ(l.free_milli(0), 0);
  EXPECT_EQ(l.free_milli(2), 700);
  EXPECT_EQ(l.whole_free_gpus(0), 2);  // a partly used GPU is no longer wholly free
  EXPECT_EQ(l.free_cpus(0), 10);
  EXPECT_EQ(l.free_mem_gib(0), 28);
  EXPECT_FALSE(l.server_idle(0));
  EXPECT_EQ(l.allocated_milli(), 1300);
  EXPECT_DOUBLE_EQ(l.allocated_gpus(), 1.3);
  EXPECT_DOUBLE_EQ(l.allocated_gpus_of_model(c.model_index.at("A")), 1.0);
  EXPECT_DOUBLE_EQ(l.allocated_gpus_of_model(c.model_index.at("B")), 0.3);
  l.release(a);
  EXPECT_EQ(l.free_milli(0), 1000);
  EXPECT_EQ(l.free_milli(2), 1000);
  EXPECT_EQ(l.whole_free_gpus(0), 4);
  EXPECT_EQ(l.free_cpus(0), 16);
  EXPECT_EQ(l.free_mem_gib(0), 128);
  EXPECT_TRUE(l.server_idle(0));
  EXPECT_EQ(l.allocated_milli(), 0);
}

TEST(Ledger, NeverOverAllocatesAGpu) {
  Cluster c = uniform_cluster(1, 2);
  Ledger l(c);
  l.apply(gpus_of({{0, 600}}));
  l.apply(gpus_of({{0, 400}}));  // exactly full is fine
  EXPECT_EQ(l.free_milli(0), 0);
  EXPECT_NE(l.check(gpus_of({{0, 1}})), "");
  EXPECT_THROW(l.apply(gpus_of({{0, 1}})), std::logic_error);
  // Shares of one GPU inside one allocation add up.
  EXPECT_THROW(l.apply(gpus_of({{1, 600}, {1, 600}})), std::logic_error);
  // A refused allocation changes nothing, not even the parts that would have fit.
  EXPECT_THROW(l.apply(gpus_of({{1, 1000}, {0, 1000}})), std::logic_error);
  EXPECT_EQ(l.free_milli(1), 1000);
  EXPECT_EQ(l.whole_free_gpus(0), 1);
  EXPECT_EQ(l.allocated_milli(), 1000);
}

TEST(Ledger, RefusesMalformedShares) {
  Cluster c = uniform_cluster(1, 2);
  Ledger l(c);
  EXPECT_THROW(l.apply(gpus_of({{2, 1000}})), std::logic_error);  // no such GPU
  EXPECT_THROW(l.apply(gpus_of({{0, 0}})), std::logic_error);
  EXPECT_THROW(l.apply(gpus_of({{0, -5}})), std::logic_error);
  EXPECT_THROW(l.apply(gpus_of({{0, 1001}})), std::logic_error);
  Allocation bad_server;
  bad_server.servers.push_back({1, 1, 0});
  EXPECT_THROW(l.apply(bad_server), std::logic_error);
  EXPECT_EQ(l.allocated_milli(), 0);
}

TEST(Ledger, NeverOverAllocatesCpusOrMemory) {
  Cluster c = make_cluster({{{"A"}, 8, 64}, {{"A"}, 8, 0}});
  Ledger l(c);
  Allocation cpus;
  cpus.servers.push_back({0, 8, 0});
  l.apply(cpus);
  Allocation one_more_cpu;
  one_more_cpu.servers.push_back({0, 0.5, 0});
  EXPECT_THROW(l.apply(one_more_cpu), std::logic_error);
  Allocation memory;
  memory.servers.push_back({0, 0, 64.5});
  EXPECT_NE(l.check(memory), "");
  EXPECT_THROW(l.apply(memory), std::logic_error);
  // A server that declares no memory has no memory limit.
  Allocation huge;
  huge.servers.push_back({1, 0, 1e6});
  EXPECT_EQ(l.check(huge), "");
  l.apply(huge);
  EXPECT_TRUE(std::isinf(l.free_mem_gib(1)));
}

TEST(Ledger, ReleaseOfWhatWasNotHeldThrows) {
  Cluster c = uniform_cluster(1, 2, "A", 8);
  Ledger l(c);
  EXPECT_THROW(l.release(gpus_of({{0, 1000}})), std::logic_error);
  EXPECT_THROW(l.release(gpus_of({{1, 1}})), std::logic_error);
  l.apply(gpus_of({{0, 500}}));
  EXPECT_THROW(l.release(gpus_of({{0, 600}})), std::logic_error);
  // A refused release changes nothing, not even the share that was held.
  EXPECT_THROW(l.release(gpus_of({{0, 500}, {1, 1000}})), std::logic_error);
  EXPECT_EQ(l.free_milli(0), 500);
  EXPECT_EQ(l.allocated_milli(), 500);
  l.release(gpus_of({{0, 500}}));
  EXPECT_THROW(l.release(gpus_of({{0, 500}})), std::logic_error);  // released twice
  Allocation cpus;
  cpus.servers.push_back({0, 2, 0});
  EXPECT_THROW(l.release(cpus), std::logic_error);
  EXPECT_EQ(l.free_cpus(0), 8);
  EXPECT_EQ(l.allocated_milli(), 0);
}

TEST(Ledger, ReleaseOfMemoryNotHeldThrows) {
  Cluster c = uniform_cluster(1, 1, "A", 8, 64);
  Ledger l(c);
  Allocation memory;
  memory.servers.push_back({0, 0, 16});
  EXPECT_THROW(l.release(memory), std::logic_error);
  l.apply(memory);
  l.release(memory);
  EXPECT_EQ(l.free_mem_gib(0), 64);
  EXPECT_TRUE(l.server_idle(0));
}

TEST(Ledger, FirstServerWithWholeFreeOnHandPickedStates) {
  Cluster c = make_cluster({{{"A", "A"}}, {{}}, {{"A", "A", "A", "A"}}, {{"A"}}, {{"A", "A", "A"}}});
  Ledger l(c);
  EXPECT_EQ(l.first_server_with_whole_free(1), 0u);
  EXPECT_EQ(l.first_server_with_whole_free(3), 2u);
  EXPECT_EQ(l.first_server_with_whole_free(3, 3), 4u);
  EXPECT_EQ(l.first_server_with_whole_free(4, 3), 5u);  // none: servers().size()
  EXPECT_EQ(l.first_server_with_whole_free(5), 5u);
  EXPECT_EQ(l.first_server_with_whole_free(1, 5), 5u);
  EXPECT_EQ(l.first_server_with_whole_free(1, 99), 5u);
  // Take one GPU (by a partial share) of server 2: it now has 3 whole, server 4 has 3.
  l.apply(gpus_of({{c.servers[2].gpus[0], 1}}));
  EXPECT_EQ(l.first_server_with_whole_free(4), 5u);
  EXPECT_EQ(l.first_server_with_whole_free(3), 2u);
  l.apply(gpus_of({{c.servers[0].gpus[0], 1000}, {c.servers[0].gpus[1], 1000}}));
  EXPECT_EQ(l.first_server_with_whole_free(1), 2u);
  EXPECT_EQ(l.first_server_with_whole_free(1, 1), 2u);
}

// Random apply/release on random platforms; after every operation the O(log S) query must agree
// with a plain scan for every k and every starting server, and the counters with a recount.
TEST(Ledger, SegmentTreeQueryMatchesBruteForceUnderRandomOperations) {
  std::mt19937_64 rng(20240611);
  auto below = [&](std::uint64_t n) { return static_cast<int>(rng() % n); };
  int queries = 0;
  for (int servers : {1, 2, 3, 5, 7, 8, 9, 16, 31, 64, 100}) {
    std::vector<unit::ServerShape> shapes;
    for (int s = 0; s < servers; ++s) {
      unit::ServerShape shape;
      int gpus = below(9);  // 0..8, servers without GPUs included
      for (int g = 0; g < gpus; ++g) shape.gpu_models.push_back(below(2) ? "A" : "B");
      shapes.push_back(shape);
    }
    Cluster c = make_cluster(shapes);
    Ledger l(c);
    std::vector<Allocation> held;
    for (int step = 0; step < 3000; ++step) {
      bool release = !held.empty() && below(100) < 45;
      if (release) {
        std::size_t i = below(held.size());
        l.release(held[i]);
        held.erase(held.begin() + i);
      } else if (!c.gpus.empty()) {
        Allocation a;
        int shares = 1 + below(3);
        for (int k = 0; k < shares; ++k) {
          auto g = static_cast<GpuIndex>(below(c.gpus.size()));
          int milli = below(3) == 0 ? 1 + below(1000) : 1000;
          a.gpus.push_back({g, milli});
        }
        // The ledger applies exactly when check() says it fits, and throws otherwise.
        bool fits = l.check(a).empty();
        long long before = l.allocated_milli();
        if (fits) {
          l.apply(a);
          held.push_back(a);
        } else {
          EXPECT_THROW(l.apply(a), std::logic_error);
          EXPECT_EQ(l.allocated_milli(), before);
        }
      }
      // Recount from the free shares.
      long long allocated = 0;
      std::vector<int> whole(servers, 0);
      for (GpuIndex g = 0; g < c.gpus.size(); ++g) {
        ASSERT_GE(l.free_milli(g), 0);
        ASSERT_LE(l.free_milli(g), 1000);
        allocated += 1000 - l.free_milli(g);
        if (l.free_milli(g) == 1000) ++whole[c.gpus[g].server];
      }
      ASSERT_EQ(l.allocated_milli(), allocated);
      for (int s = 0; s < servers; ++s) ASSERT_EQ(l.whole_free_gpus(s), whole[s]);
      for (int q = 0; q < 4; ++q) {
        int k = below(10);
        auto from = static_cast<ServerIndex>(below(servers + 2));
        ServerIndex expected = servers;
        for (int s = static_cast<int>(from); s < servers; ++s)
          if (whole[s] >= k) {
            expected = s;
            break;
          }
        ASSERT_EQ(l.first_server_with_whole_free(k, from), expected)
            << "servers " << servers << " step " << step << " k " << k << " from " << from;
        ++queries;
      }
    }
    for (const auto& a : held) l.release(a);
    EXPECT_EQ(l.allocated_milli(), 0);
    for (int s = 0; s < servers; ++s) EXPECT_TRUE(l.server_idle(s));
  }
  EXPECT_EQ(queries, 11 * 3000 * 4);
}

// Availability (the cluster can change): an away server offers nothing, refuses allocations, and
// what was held on it when it went away is released into its withheld resources.
TEST(Ledger, AwayServersOfferNothingAndComeBackWithWhatWasReleased) {
  Cluster c = uniform_cluster(2, 4);
  Ledger l(c);
  Allocation a = gpus_of({{0, 1000}, {1, 500}});
  a.servers.push_back({0, 8, 64});
  l.apply(a);
  const auto version = l.version();
  l.set_server_available(0, false);
  EXPECT_GT(l.version(), version);
  EXPECT_FALSE(l.server_available(0));
  EXPECT_TRUE(l.server_available(1));
  EXPECT_EQ(l.servers_away(), 1u);
  for (GpuIndex g = 0; g < 4; ++g) EXPECT_EQ(l.free_milli(g), 0);
  EXPECT_EQ(l.whole_free_gpus(0), 0);
  EXPECT_EQ(l.free_cpus(0), 0);
  EXPECT_EQ(l.free_mem_gib(0), 0);
  EXPECT_EQ(l.first_server_with_whole_free(1), 1u);
  EXPECT_EQ(l.allocated_milli(), 1500);  // away is not allocated
  Allocation empty_share;
  empty_share.servers.push_back({0, 0, 0});
  EXPECT_EQ(l.check(empty_share), "server srv0 is away");
  EXPECT_THROW(l.apply(gpus_of({{3, 100}})), std::logic_error);
  // Released while away: freed, but withheld until the server is back.
  l.release(a);
  EXPECT_EQ(l.allocated_milli(), 0);
  EXPECT_EQ(l.free_milli(0), 0);
  EXPECT_THROW(l.release(a), std::logic_error);  // not held any more, away or not
  l.set_server_available(0, true);
  EXPECT_EQ(l.servers_away(), 0u);
  for (GpuIndex g = 0; g < 4; ++g) EXPECT_EQ(l.free_milli(g), 1000);
  EXPECT_EQ(l.whole_free_gpus(0), 4);
  EXPECT_EQ(l.free_cpus(0), 64);
  EXPECT_TRUE(l.server_idle(0));
  EXPECT_EQ(l.first_server_with_whole_free(4), 0u);
}

TEST(Ledger, AwayAndBackUnderRandomOperationsNeverLosesOrInventsResources) {
  Cluster c = uniform_cluster(4, 2);
  Ledger l(c);
  std::mt19937_64 rng(7);
  std::vector<Allocation> held;
  for (int step = 0; step < 2000; ++step) {
    int action = static_cast<int>(rng() % 3);
    if (action == 0) {
      GpuIndex g = static_cast<GpuIndex>(rng() % c.gpus.size());
      Allocation a = gpus_of({{g, 250}});
      if (l.check(a).empty()) {
        l.apply(a);
        held.push_back(a);
      }
    } else if (action == 1 && !held.empty()) {
      std::size_t i = rng() % held.size();
      l.release(held[i]);
      held.erase(held.begin() + static_cast<long>(i));
    } else {
      ServerIndex s = static_cast<ServerIndex>(rng() % 4);
      l.set_server_available(s, !l.server_available(s));
    }
    long long held_milli = 0;
    for (const auto& a : held) held_milli += a.gpus[0].milli;
    ASSERT_EQ(l.allocated_milli(), held_milli);
  }
  for (ServerIndex s = 0; s < 4; ++s) l.set_server_available(s, true);
  for (const auto& a : held) l.release(a);
  for (GpuIndex g = 0; g < c.gpus.size(); ++g) EXPECT_EQ(l.free_milli(g), 1000);
}
