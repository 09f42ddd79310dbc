// The cost section read against the platform (models/cost/prices.cpp): which price each server gets,
// and the input errors (docs/cost.md).
#include <gtest/gtest.h>

#include "models/cost/cloud_instances.hpp"
#include "sim/config/options.hpp"
#include "sim/policy/cost.hpp"
#include "tests/unit/unit_support.hpp"

using namespace aidcsim;
using aidcsim::unit::make_cluster;
using aidcsim::unit::ServerShape;

namespace {

// The prices, or the problems as "WHERE: WHAT" lines.
struct Read {
  std::unique_ptr<ServerPrices> prices;
  std::vector<std::string> problems;
};

Read read(const std::string& preset, const std::string& section, const Cluster& cluster) {
  const nlohmann::json options = nlohmann::json::parse(section);
  ProblemList problems;
  OptionReader reader(options, "/cost", "scenario.json", nullptr, problems);
  const std::vector<JobSpec> no_jobs;
  PolicyArgs args{reader, 1, cluster, no_jobs};
  Read r;
  r.prices = builtin_registries().costs.find(preset)->make(args);
  reader.reject_unknown({"preset"});
  for (const auto& p : problems.items()) r.problems.push_back(p.where + ": " + p.what);
  return r;
}

// srv0: 8 A100-80GB; srv1: 4 H100-80GB with instance_type p5.48xlarge; srv2: no GPU, node_group "cpu-pool".
Cluster mixed_cluster() {
  Cluster c = make_cluster({ServerShape{std::vector<std::string>(8, "A100-80GB")},
                            ServerShape{std::vector<std::string>(4, "H100-80GB")}, ServerShape{{}}});
  c.servers[1].props = {{"instance_type", "p5.48xlarge"}};
  c.servers[2].props = {{"node_group", "cpu-pool"}};
  return c;
}

bool mentions(const std::vector<std::string>& problems, const std::string& where, const std::string& what) {
  for (const auto& p : problems)
    if (p.rfind(where + ": ", 0) == 0 && p.find(what) != std::string::npos) return true;
  return false;
}

TEST(CostPrices, GroupThenGpuModelThenPresetInstanceType) {
  const Cluster c = mixed_cluster();
  Read r = read("cloud-on-demand-2026", R"({
      "server_hour": {"A100-80GB": 20, "cpu": 1.5},
      "groups": [{"name": "big", "match": {"name": "srv0"}, "server_hour": "p4de.24xlarge"}]})",
                c);
  ASSERT_TRUE(r.problems.empty()) << r.problems.front();
  const CloudInstanceType* p4de = find_cloud_instance("p4de.24xlarge");
  const CloudInstanceType* p5 = find_cloud_instance("p5.48xlarge");
  ASSERT_TRUE(p4de && p5);
  EXPECT_DOUBLE_EQ(r.prices->per_hour[0], p4de->usd_per_hour);        // the group's, not server_hour's 20
  EXPECT_DOUBLE_EQ(r.prices->per_hour[1], p5->usd_per_hour * 4 / 8);  // its instance_type, scaled to 4 of 8 GPUs
  EXPECT_DOUBLE_EQ(r.prices->per_hour[2], 1.5);
  EXPECT_EQ(r.prices->group, (std::vector<std::string>{"big", "ungrouped", "cpu-pool"}));
  EXPECT_EQ(r.prices->gpu_model, (std::vector<std::string>{"A100-80GB", "H100-80GB", "cpu"}));
}

TEST(CostPrices, PresetRowsHaveTheirSource) {
  for (const auto& preset : cloud_price_presets()) {
    EXPECT_FALSE(preset.instances.empty());
    for (const auto& i : preset.instances) {
      EXPECT_GT(i.usd_per_hour, 0) << i.name;
      EXPECT_GT(i.gpus, 0) << i.name;
      EXPECT_EQ(i.price_date.size(), 10u) << i.name;
      EXPECT_EQ(i.source.rfind("https://", 0), 0u) << i.name;
    }
  }
}

TEST(CostPrices, BadInputs) {
  const Cluster c = mixed_cluster();
  Read r = read("none", R"({"server_hour": {"A100-40GB": 10, "H100-80GB": -1, "cpu": "p5.48xlarge"},
                            "groups": [{"name": "ghost", "match": {"rack": "rack-999"}, "server_hour": 5},
                                       {"match": {"name": "srv0"}, "server_hour": {"x": 1}}],
                            "currency": ""})",
                c);
  EXPECT_TRUE(mentions(r.problems, "/cost/server_hour/A100-40GB", "is not a GPU model of the platform; expected one of: \"A100-80GB\", \"H100-80GB\", \"cpu\""));
  EXPECT_TRUE(mentions(r.problems, "/cost/server_hour/H100-80GB", "found -1, expected a price per server-hour >= 0"));
  EXPECT_TRUE(mentions(r.problems, "/cost/server_hour/cpu", "names an instance type, but cost.preset is \"none\""));
  EXPECT_TRUE(mentions(r.problems, "/cost/groups/0/match", "group \"ghost\" matches no server of the platform (rack=rack-999)"));
  EXPECT_TRUE(mentions(r.problems, "/cost/groups/1/name", "missing"));
  EXPECT_TRUE(mentions(r.problems, "/cost/groups/1/server_hour", "expected a price per server-hour"));
  EXPECT_TRUE(mentions(r.problems, "/cost/currency", "empty"));
  // Nothing priced srv0, srv1 or srv2 validly: one problem for all of them.
  EXPECT_TRUE(mentions(r.problems, "/cost", "3 server(s) have no price: srv0 (gpu_model A100-80GB), srv1 (gpu_model "
                                            "H100-80GB, instance_type p5.48xlarge), srv2 (gpu_model cpu)"));
}

TEST(CostPrices, UnknownInstanceTypeAndCurrencyWithAPreset) {
  const Cluster c = mixed_cluster();
  Read r = read("cloud-on-demand-2026", R"({"server_hour": {"A100-80GB": "p9.huge", "cpu": 1}, "currency": "EUR",
                                           "rate": 3})",
                c);
  EXPECT_TRUE(mentions(r.problems, "/cost/server_hour/A100-80GB", "\"p9.huge\" is not an instance type of cost.preset \"cloud-on-demand-2026\"; expected one of: p4d.24xlarge"));
  EXPECT_TRUE(mentions(r.problems, "/cost/currency", "whose prices are in USD"));
  EXPECT_TRUE(mentions(r.problems, "/cost/rate", ""));
}

TEST(CostPrices, CpuKeyOnlyWhenThePlatformHasServersWithoutGpus) {
  const Cluster c = make_cluster({ServerShape{{"A100-80GB"}}});
  Read r = read("none", R"({"server_hour": {"cpu": 1, "A100-80GB": 2}})", c);
  EXPECT_TRUE(mentions(r.problems, "/cost/server_hour/cpu", "the platform has none"));
}

}  // namespace
