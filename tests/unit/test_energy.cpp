// The power model (sim/metrics/energy.cpp): SimGrid's host energy plugin formulas and prop parsing, energy
// integrated by hand on one server with one GPU, lazy power-off and boots, and the scenario's
// "power" key. See docs/energy.md.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/metrics/energy.hpp"
#include "sim/config/scenario.hpp"
#include "tests/unit/unit_support.hpp"

using namespace aidcsim;
using aidcsim::unit::TempDir;
using aidcsim::unit::uniform_cluster;

namespace {

HostPower profile(double idle, double full, double off = 0, double epsilon = -1) {
  HostPower p;
  p.known = true;
  p.from_props = true;
  p.idle_w = idle;
  p.epsilon_w = epsilon < 0 ? idle : epsilon;
  p.full_w = full;
  p.off_w = off;
  return p;
}

Allocation whole_gpu(GpuIndex g, int milli = 1000) {
  Allocation a;
  a.gpus.push_back({g, milli});
  return a;
}

// Starts a run of job j on `a` at `now` as the core does; returns the boot wait.
double start(PowerModel& m, Ledger& ledger, JobIndex j, const Allocation& a, double now, double work_s_after,
             double rate) {
  ledger.apply(a);
  double wait = m.run_starting(j, a, now);
  std::vector<HostDemand> demand;
  for (const auto& g : a.gpus) demand.push_back({true, g.gpu, rate});
  m.plan_work(j, demand, now + wait + work_s_after);
  m.servers_changed(a, ledger, now);
  return wait;
}

void end(PowerModel& m, Ledger& ledger, JobIndex j, const Allocation& a, double now) {
  ledger.release(a);
  m.run_ended(j, now);
  m.servers_changed(a, ledger, now);
}

double sample_of(PowerModel& m, double now, const std::string& metric, const std::string& label) {
  std::vector<Sample> out;
  m.sample(now, out);
  for (const auto& s : out)
    if (s.metric == metric && s.label == label) return s.value;
  ADD_FAILURE() << "no sample " << metric << "/" << label;
  return NAN;
}

}  // namespace

TEST(EnergyProps, ParsedAsSimGridDoes) {
  std::string error;
  auto p = parse_host_power("55:400", "", 1, error);
  ASSERT_TRUE(p) << error;
  EXPECT_EQ(p->idle_w, 55);
  EXPECT_EQ(p->epsilon_w, 55);  // two values: epsilon = idle
  EXPECT_EQ(p->full_w, 400);
  EXPECT_EQ(p->off_w, 0);
  p = parse_host_power("95.0:120.0:200.0, 93.0:115.0:170.0", "10", 2, error);
  ASSERT_TRUE(p) << error;  // pstate 0 is used
  EXPECT_EQ(p->idle_w, 95);
  EXPECT_EQ(p->epsilon_w, 120);
  EXPECT_EQ(p->full_w, 200);
  EXPECT_EQ(p->off_w, 10);
  EXPECT_FALSE(parse_host_power("1:2,3:4", "", 1, error));
  EXPECT_NE(error.find("pstate"), std::string::npos) << error;
  for (const char* bad : {"400", "a:b", "1:2:3:4", "-1:5", "1:2W"}) {
    error.clear();
    EXPECT_FALSE(parse_host_power(bad, "", 1, error)) << bad;
    EXPECT_NE(error.find("wattage_per_state"), std::string::npos) << error;
  }
  EXPECT_FALSE(parse_host_power("1:2", "off", 1, error));
  EXPECT_NE(error.find("wattage_off"), std::string::npos) << error;
}

TEST(EnergyProps, PowerAtLoadFollowsThePlugin) {
  // SimGrid's documentation example: 4 cores, Idle 100, Epsilon 120, AllCores 200.
  HostPower p = profile(100, 200, 10, 120);
  EXPECT_DOUBLE_EQ(power_at_load(p, 0), 100);
  EXPECT_DOUBLE_EQ(power_at_load(p, 0.25), 140);
  EXPECT_DOUBLE_EQ(power_at_load(p, 0.5), 160);
  EXPECT_DOUBLE_EQ(power_at_load(p, 1), 200);
  EXPECT_DOUBLE_EQ(power_at_load(HostPower{}, 1), 0);  // no profile: no energy
}

TEST(EnergyModel, OneGpuBusyTenSecondsOfHundred) {
  Cluster c = uniform_cluster(1, 1);
  c.gpus[0].power = profile(50, 400);
  Ledger ledger(c);
  PowerModel m(c, {}, 0);
  ASSERT_TRUE(m.has_power_data());
  Allocation a = whole_gpu(0);
  EXPECT_EQ(start(m, ledger, 0, a, 20, 0, 1e12), 0);
  EXPECT_DOUBLE_EQ(sample_of(m, 25, "power_w", ""), 400);
  end(m, ledger, 0, a, 30);
  EXPECT_DOUBLE_EQ(sample_of(m, 50, "power_w", "gpu"), 50);
  EXPECT_DOUBLE_EQ(sample_of(m, 50, "power_w", "server"), 0);  // the server has no profile
  nlohmann::json e = m.summary(100);
  EXPECT_DOUBLE_EQ(e["total"].get<double>(), 50 * 100 + 350 * 10);
  EXPECT_DOUBLE_EQ(e["gpu"].get<double>(), 8500);
  EXPECT_DOUBLE_EQ(e["server"].get<double>(), 0);
  EXPECT_DOUBLE_EQ(e["by_gpu_model"]["A100-80GB"].get<double>(), 8500);
  EXPECT_EQ(e["servers_powered_off"], 0);
  EXPECT_EQ(e["boots"], 0);
}

TEST(EnergyModel, LoadCountsFromTheWorkStartNotTheRunStart) {
  Cluster c = uniform_cluster(1, 1);
  c.gpus[0].power = profile(50, 400);
  Ledger ledger(c);
  PowerModel m(c, {}, 0);
  Allocation a = whole_gpu(0);
  start(m, ledger, 0, a, 0, 5, 1e12);  // 5 s of start-up (an image pull, a boot), then 10 s of work
  EXPECT_DOUBLE_EQ(sample_of(m, 4, "power_w", ""), 50);
  end(m, ledger, 0, a, 15);
  EXPECT_DOUBLE_EQ(m.summary(20)["total"].get<double>(), 50 * 20 + 350 * 10);
}

TEST(EnergyModel, WorkStartReportedLater) {
  Cluster c = uniform_cluster(1, 1);
  c.gpus[0].power = profile(50, 400);
  Ledger ledger(c);
  PowerModel m(c, {}, 0);
  Allocation a = whole_gpu(0);
  ledger.apply(a);
  m.run_starting(0, a, 0);
  m.plan_work(0, {{true, 0, 1e12}}, kNoTime);  // pulls under way: the engine tells when work starts
  m.servers_changed(a, ledger, 0);
  m.work_started(0, 7);
  end(m, ledger, 0, a, 10);
  EXPECT_DOUBLE_EQ(m.summary(10)["total"].get<double>(), 50 * 10 + 350 * 3);
}

TEST(EnergyModel, SharedGpuLoadIsTheSumOfShares) {
  // Two MPS jobs at 0.25 each: load 0.5 -> 50 + 0.5 x 350 = 225 W; one left: 137.5 W.
  Cluster c = uniform_cluster(1, 1);
  c.gpus[0].power = profile(50, 400);
  Ledger ledger(c);
  PowerModel m(c, {}, 0);
  Allocation a = whole_gpu(0, 250), b = whole_gpu(0, 250);
  start(m, ledger, 0, a, 0, 0, 0.25e12);
  start(m, ledger, 1, b, 0, 0, 0.25e12);
  EXPECT_DOUBLE_EQ(sample_of(m, 1, "power_w", ""), 225);
  end(m, ledger, 0, a, 10);
  EXPECT_DOUBLE_EQ(sample_of(m, 11, "power_w", ""), 137.5);
  end(m, ledger, 1, b, 20);
  EXPECT_DOUBLE_EQ(m.summary(20)["total"].get<double>(), 225 * 10 + 137.5 * 10);
}

TEST(EnergyModel, IdleServerPowersOffAndBoots) {
  // Server 100:300 W, GPU 50:400 W, both 5 W off. Off after 30 s idle; boot 60 s.
  Cluster c = uniform_cluster(1, 1);
  c.gpus[0].power = profile(50, 400, 5);
  c.servers[0].power = profile(100, 300, 5);
  Ledger ledger(c);
  PowerModel m(c, {30, 60}, 0);
  EXPECT_EQ(sample_of(m, 29, "servers_off", ""), 0);
  EXPECT_EQ(sample_of(m, 50, "servers_off", ""), 1);
  EXPECT_DOUBLE_EQ(sample_of(m, 50, "power_w", ""), 10);
  Allocation a = whole_gpu(0);
  EXPECT_DOUBLE_EQ(start(m, ledger, 0, a, 100, 0, 1e12), 60);  // boots 100..160, works 160..170
  EXPECT_EQ(sample_of(m, 120, "servers_off", ""), 0);
  EXPECT_DOUBLE_EQ(sample_of(m, 120, "power_w", ""), 150);  // booting: idle power
  end(m, ledger, 0, a, 170);                                  // idle again: off at 200
  nlohmann::json e = m.summary(250);
  double server = 100 * 30 + 5 * 70 + 100 * 70 + 100 * 30 + 5 * 50;
  double gpu = 50 * 30 + 5 * 70 + 50 * 60 + 400 * 10 + 50 * 30 + 5 * 50;
  EXPECT_DOUBLE_EQ(e["server"].get<double>(), server);
  EXPECT_DOUBLE_EQ(e["gpu"].get<double>(), gpu);
  EXPECT_DOUBLE_EQ(e["total"].get<double>(), server + gpu);
  EXPECT_EQ(e["servers_powered_off"], 2);
  EXPECT_EQ(e["boots"], 1);
}

TEST(EnergyModel, JobOnABootingServerWaitsForTheRest) {
  Cluster c = uniform_cluster(1, 2);
  for (auto& g : c.gpus) g.power = profile(50, 400);
  Ledger ledger(c);
  PowerModel m(c, {10, 60}, 0);
  EXPECT_DOUBLE_EQ(start(m, ledger, 0, whole_gpu(0), 20, 0, 1e12), 60);
  EXPECT_DOUBLE_EQ(start(m, ledger, 1, whole_gpu(1), 50, 0, 1e12), 30);
  EXPECT_EQ(m.boots(), 1);
  // A server busy or not yet idle long enough stays on: no wait.
  end(m, ledger, 0, whole_gpu(0), 100);
  end(m, ledger, 1, whole_gpu(1), 100);
  EXPECT_DOUBLE_EQ(start(m, ledger, 2, whole_gpu(0), 105, 0, 1e12), 0);
  EXPECT_EQ(m.power_off_events(), 1);
}

TEST(EnergyModel, NeverOffByDefaultAndNoDataWithoutProfiles) {
  Cluster c = uniform_cluster(2, 1);
  PowerModel none(c, {}, 0);
  EXPECT_FALSE(none.has_power_data());
  c.servers[1].power = profile(100, 300);
  PowerModel m(c, {}, 5);  // counted from the first submission
  EXPECT_DOUBLE_EQ(m.summary(1e6)["server"].get<double>(), 100 * (1e6 - 5));
  EXPECT_EQ(m.servers_off(), 0);
}

TEST(EnergyModel, HostDemandsAreExecRates) {
  Cluster c = uniform_cluster(1, 2);
  ActivityPlan plan;
  plan.execs.push_back({true, 0, 5e12, 0});           // whole GPU: its speed
  plan.execs.push_back({true, 1, 5e12, 0.3e12});      // capped
  plan.execs.push_back({false, 0, 1e9, 0});           // one core of the server
  plan.execs.push_back({true, 1, 0, 0});              // empty: no load
  auto d = host_demands(plan, c);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_DOUBLE_EQ(d[0].flops_per_s, 1e12);
  EXPECT_DOUBLE_EQ(d[1].flops_per_s, 0.3e12);
  EXPECT_DOUBLE_EQ(d[2].flops_per_s, 1e9);
  // 1 of the server's 64 cores: load 1/64.
  c.servers[0].power = profile(200, 840);
  Ledger ledger(c);
  PowerModel m(c, {}, 0);
  Allocation a;
  a.servers.push_back({0, 1, 0});
  ledger.apply(a);
  m.run_starting(0, a, 0);
  m.plan_work(0, {d[2]}, 0);
  m.servers_changed(a, ledger, 0);
  EXPECT_DOUBLE_EQ(sample_of(m, 1, "power_w", "server"), 200 + 640.0 / 64);
}

TEST(EnergyScenario, PowerKeyParsedWithPaths) {
  TempDir dir("energy-scenario");
  dir.write("p.xml", "<platform/>\n");
  dir.write("t.csv", "job_id,submit_s,duration_s,gpus\nj,0,1,1\n");
  auto load = [&](const std::string& power) {
    std::string path = dir.write("s.json", R"({
  "platform": "p.xml",
  "workload": { "jobs": { "path": "t.csv" } },
  "power": )" + power + "\n}\n");
    ProblemList problems;
    Scenario s = load_scenario(path, {}, std::nullopt, builtin_registries(), problems);
    return std::make_pair(s, problems.items());
  };
  auto [defaults, none] = load("null");
  EXPECT_TRUE(none.empty());
  EXPECT_FALSE(defaults.power_off_after_s);
  EXPECT_EQ(defaults.power_boot_s, 0);
  auto [set, ok] = load(R"({"off_after_s": 600, "boot_s": 120})");
  EXPECT_TRUE(ok.empty());
  ASSERT_TRUE(set.power_off_after_s);
  EXPECT_EQ(*set.power_off_after_s, 600);
  EXPECT_EQ(set.power_boot_s, 120);
  auto [never, fine] = load(R"({"off_after_s": null})");
  EXPECT_TRUE(fine.empty());
  EXPECT_FALSE(never.power_off_after_s);
  auto [bad, problems] = load(R"({"off_after_s": -1, "boot": 5})");
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].where, "/power/off_after_s");
  EXPECT_EQ(problems[0].line, 4);
  EXPECT_EQ(problems[1].where, "/power/boot");
  EXPECT_NE(problems[1].what.find("did you mean \"boot_s\""), std::string::npos) << problems[1].what;
}

TEST(EnergyModel, AwayServerDrawsItsOffPowerAndComesBackIdle) {
  // Server 100:300 W, GPU 50:400 W, both 5 W off. Away 10..40 (not provisioned or failed); back, it
  // is idle and powers off after 30 s idle, at 70.
  Cluster c = uniform_cluster(1, 1);
  c.gpus[0].power = profile(50, 400, 5);
  c.servers[0].power = profile(100, 300, 5);
  PowerModel m(c, {30, 60}, 0);
  m.servers_changed(whole_gpu(0), Ledger(c), 0);  // idle from 0
  m.server_availability_changed(0, false, 10);
  EXPECT_EQ(m.servers_away(), 1);
  EXPECT_DOUBLE_EQ(sample_of(m, 35, "power_w", ""), 10);
  EXPECT_EQ(sample_of(m, 35, "servers_off", ""), 0);  // away is not powered off: no power-off at 30
  m.server_availability_changed(0, true, 40);
  EXPECT_EQ(m.servers_away(), 0);
  EXPECT_DOUBLE_EQ(sample_of(m, 50, "power_w", ""), 150);
  EXPECT_EQ(sample_of(m, 75, "servers_off", ""), 1);
  nlohmann::json e = m.summary(100);
  EXPECT_DOUBLE_EQ(e["total"].get<double>(), 150 * 10 + 10 * 30 + 150 * 30 + 10 * 30);
  EXPECT_EQ(e["servers_powered_off"], 1);
}
