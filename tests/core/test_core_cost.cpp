// summary.json cost (sim/metrics/cost.hpp) on a run derived by hand: two servers of 2 A100-80GB,
// srv0 at 36 $/h (cost.server_hour by GPU model), srv1 at 72 $/h (a cost group matching its name).
// srv0 is taken away from 2000 s to 2600 s (Core::set_server_available, as a failure or the Cluster
// Autoscaler would); the window is [0, 3600 s].
#include <gtest/gtest.h>

#include "sim/metrics/cost.hpp"
#include "tests/core/core_support.hpp"

using namespace aidcsim;
using namespace aidcsim::core_test;
using aidcsim::unit::uniform_cluster;

namespace {

JobSpec tenant_job(const std::string& id, const std::string& tenant, double submit_s, double duration_s, int gpus) {
  JobSpec j = job(id, submit_s, duration_s, gpus);
  j.tenant = tenant;
  return j;
}

std::unique_ptr<ServerPrices> prices_of(const nlohmann::json& section, const Cluster& cluster) {
  return unit::make_policy_from(builtin_registries().costs, "none", section, "/cost", cluster);
}

TEST(CoreCost, ServersCostTheirProvisionedTimeAndTenantsTheirGpuShare) {
  const Cluster cluster = uniform_cluster(2, 2);
  auto prices = prices_of(nlohmann::json::parse(R"({
      "server_hour": {"A100-80GB": 36},
      "groups": [{"name": "burst", "match": {"name": "srv1"}, "server_hour": 72}]})"),
                          cluster);
  ASSERT_TRUE(prices);
  EXPECT_EQ(prices->per_hour, (std::vector<double>{36, 72}));
  EXPECT_EQ(prices->group, (std::vector<std::string>{"ungrouped", "burst"}));
  CostMetric cost(cluster, *prices);
  CoreOptions options;
  options.observers.push_back(&cost);
  // j0 (a): 2 GPUs on srv0 from 0 to 1000. j1 (b): 1 GPU on srv1 from 0 to 500. j2 (b): 1 GPU on srv0
  // from 1800; srv0 leaves at 2000 (j2 preempted after 200 s, 20 % done) and j2 goes on at once on
  // srv1 for the remaining 800 s, to 2800.
  Harness h(cluster,
            {tenant_job("j0", "a", 0, 1000, 2), tenant_job("j1", "b", 0, 500, 1), tenant_job("j2", "b", 1800, 1000, 1)},
            nullptr, options);
  cost.attach(*h.core);
  h.loop->at(2000, [&] { h.core->set_server_available(0, false, 2000); });
  h.loop->at(2600, [&] { h.core->set_server_available(0, true, 2600); });
  h.loop->run_until();
  ASSERT_EQ(h.run(2).end_s, 2800);
  ASSERT_EQ(h.run(2).preemptions, 1);

  const CostMetric::Totals t = cost.totals({0, 3600});
  // srv0: 3600 - 600 s away = 3000 s at 36 $/h = 30 $; srv1: 3600 s at 72 $/h = 72 $.
  EXPECT_DOUBLE_EQ(t.total, 102);
  EXPECT_DOUBLE_EQ(t.server_hours, 3000.0 / 3600 + 1);
  EXPECT_DOUBLE_EQ(t.by_group.at("ungrouped"), 30);
  EXPECT_DOUBLE_EQ(t.by_group.at("burst"), 72);
  EXPECT_DOUBLE_EQ(t.by_gpu_model.at("A100-80GB"), 102);
  // A GPU-second costs 36/3600/2 = 0.005 $ on srv0 and 0.01 $ on srv1.
  // a: 2 GPUs x 1000 s x 0.005 = 10 $. b: 500 s x 0.01 + 200 s x 0.005 + 800 s x 0.01 = 14 $.
  EXPECT_DOUBLE_EQ(t.by_tenant.at("a"), 10);
  EXPECT_DOUBLE_EQ(t.by_tenant.at("b"), 14);
  EXPECT_DOUBLE_EQ(t.idle, 78);

  nlohmann::json summary;
  cost.summarize(summary, {0, 3600});
  EXPECT_EQ(summary["cost"]["currency"], "USD");
  EXPECT_EQ(summary["cost"]["total"], 102.0);
  EXPECT_EQ(summary["cost"]["by_tenant"]["b"], 14.0);
  EXPECT_EQ(summary["cost"]["idle"], 78.0);
}

// A server still away at the end costs nothing from its leaving; a run still holding GPUs at the end
// is charged up to the end.
TEST(CoreCost, AwayAtTheEndAndRunsStillRunning) {
  const Cluster cluster = uniform_cluster(2, 1);
  auto prices = prices_of(nlohmann::json::parse(R"({"server_hour": {"A100-80GB": 3.6}})"), cluster);
  CostMetric cost(cluster, *prices);
  CoreOptions options;
  options.observers.push_back(&cost);
  Harness h(cluster, {tenant_job("long", "a", 100, 5000, 1)}, nullptr, options);
  cost.attach(*h.core);
  h.loop->at(500, [&] { h.core->set_server_available(1, false, 500); });
  h.loop->run_until(1000);
  // Window [100, 1100]: srv0 1000 s at 0.001 $/s = 1 $; srv1 away from 500: 400 s = 0.4 $.
  const CostMetric::Totals t = cost.totals({100, 1100});
  EXPECT_DOUBLE_EQ(t.total, 1.4);
  EXPECT_DOUBLE_EQ(t.by_tenant.at("a"), 1.0);
  EXPECT_NEAR(t.idle, 0.4, 1e-12);
}

}  // namespace
