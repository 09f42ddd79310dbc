// Energy on tiny scenarios with hand-computed joules (docs/energy.md): one 64-core server (100 W
// idle, 300 W all cores, 5 W off) with GPUs of 1 TFLOP/s (50 W idle, 400 W full, 5 W off); servers
// powered off when idle and booted for the next job; and the cross-check against SimGrid's host
// energy plugin when every job runs as SimGrid Execs.
#include <gtest/gtest.h>

#include <cmath>
#include <fmt/format.h>

#include "tests/engine/support/engine_support.hpp"
#include "tests/engine/support/run_helpers.hpp"

using namespace aidcsim::testing;

namespace {

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// small_platform_xml() with power props on every server and GPU.
std::string powered_platform(int servers, int gpus_per_server) {
  std::string xml = small_platform_xml(servers, gpus_per_server, "A100-80GB", 1e12);
  xml = replace_all(xml, R"(<prop id="kind" value="server"/>)",
                    R"(<prop id="kind" value="server"/><prop id="wattage_per_state" value="100:300"/><prop id="wattage_off" value="5"/>)");
  return replace_all(xml, R"(<prop id="kind" value="gpu"/>)",
                     R"(<prop id="kind" value="gpu"/><prop id="wattage_per_state" value="50:400"/><prop id="wattage_off" value="5"/>)");
}

struct EnergyRun {
  TempFolder dir{"energy"};
  std::string scenario;
  std::string out;
  EnergyRun(const std::string& trace, const std::string& extra_keys = "", const std::string& platform = "",
            int gpus = 2) {
    dir.write("platform.xml", platform.empty() ? powered_platform(1, gpus) : platform);
    dir.write("trace.csv", trace);
    scenario = dir.write("scenario.json", R"({
  "name": "energy",
  "platform": "platform.xml",
  "workload": { "jobs": { "path": "trace.csv", "format": "native" } },
  "scheduler": { "policy": "fifo" },
  "placement": { "policy": "first-fit" },)" + extra_keys + R"(
  "monitoring": { "interval_s": 20 }
})");
    out = dir / "out";
  }
  nlohmann::json run(const std::string& extra = "") {
    CliResult r = run_cli("run " + scenario + " --out " + out + " --quiet " + extra);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return read_json(out + "/summary.json");
  }
  std::map<std::string, std::map<std::string, std::string>> jobs() const {
    std::map<std::string, std::map<std::string, std::string>> rows;
    for (auto& row : read_csv(out + "/jobs.csv")) rows[row["job_id"]] = row;
    return rows;
  }
  // timeseries value of metric/label at time t ("" when absent).
  std::string sample(const std::string& t, const std::string& metric, const std::string& label) const {
    for (auto& row : read_csv(out + "/timeseries.csv"))
      if (row["time_s"] == t && row["metric"] == metric && row["label"] == label) return row["value"];
    return "";
  }
};

void expect_relative(double actual, double expected, double tolerance, const std::string& what) {
  EXPECT_LE(std::abs(actual - expected), tolerance * std::abs(expected)) << what << ": " << actual << " vs " << expected;
}

// a: 1 GPU 100..110; b: 2 GPUs, waits for a, 110..130; c: CPU only (1 of 64 cores), behind b in
// FIFO order, 110..118. Energy from the first submission (100) to the end (130):
//   GPU 0: 400 x 10 + 400 x 20 = 12000; GPU 1: 50 x 10 + 400 x 20 = 8500
//   server: 100 x 30 + (300 - 100) / 64 x 8 = 3025
const char* kTrace = "job_id,submit_s,duration_s,gpus,cpus\na,100,10,1,0\nb,100,20,2,0\nc,105,8,0,1\n";

}  // namespace

TEST(EnergyRuns, ExactEnergyOfATinyScenario) {
  EnergyRun run(kTrace);
  nlohmann::json s = run.run();
  const auto& e = s["energy_j"];
  ASSERT_TRUE(e.is_object()) << s.dump(2);
  EXPECT_NEAR(e["gpu"].get<double>(), 20500, 1e-6);
  EXPECT_NEAR(e["server"].get<double>(), 3025, 1e-6);
  EXPECT_NEAR(e["total"].get<double>(), 23525, 1e-6);
  EXPECT_NEAR(e["by_gpu_model"]["A100-80GB"].get<double>(), 20500, 1e-6);
  EXPECT_EQ(e["servers_powered_off"], 0);
  EXPECT_EQ(e["boots"], 0);
  EXPECT_TRUE(e["simgrid_plugin"].is_null());  // the plugin only runs with engine.activities = "always"
  // Power draw in timeseries.csv: at 100 a runs (400 + 50 + 100); at 120 b and nothing else.
  EXPECT_EQ(run.sample("100", "power_w", ""), "550");
  EXPECT_EQ(run.sample("100", "power_w", "gpu"), "450");
  EXPECT_EQ(run.sample("100", "power_w", "server"), "100");
  EXPECT_EQ(run.sample("120", "power_w", ""), "900");
  EXPECT_EQ(run.sample("120", "servers_off", ""), "0");
}

TEST(EnergyRuns, NoPowerDataNoEnergy) {
  // GPUs of a model aidcsim has no defaults for, and no props: nothing to report.
  EnergyRun run("job_id,submit_s,duration_s,gpus\na,0,10,1\n", "", small_platform_xml(1, 1, "Custom-GPU", 1e12));
  nlohmann::json s = run.run();
  EXPECT_TRUE(s.contains("energy_j"));
  EXPECT_TRUE(s["energy_j"].is_null());
  EXPECT_EQ(run.sample("0", "power_w", ""), "");
}

TEST(EnergyRuns, GpuModelDefaultsWithoutProps) {
  // No props: A100-80GB's defaults (55 W idle, 400 W; models/platform/gpu_models.cpp); servers none.
  EnergyRun run("job_id,submit_s,duration_s,gpus\na,0,10,1\n", "", small_platform_xml(1, 2, "A100-80GB", 1e12));
  nlohmann::json s = run.run("--set engine.activities=always");
  const auto& e = s["energy_j"];
  ASSERT_TRUE(e.is_object());
  EXPECT_NEAR(e["gpu"].get<double>(), 400 * 10 + 55 * 10, 1e-6);
  EXPECT_NEAR(e["server"].get<double>(), 0, 1e-9);
  EXPECT_TRUE(e["simgrid_plugin"].is_null());  // the plugin does not know aidcsim's defaults
}

// An idle server powers off 30 s after its last job and takes 60 s to boot for the next one.
// a: 0..10 on GPU 0; the server is off from 40; b (submitted at 100) waits for the boot (100..160)
// and works 160..170. Energy over 0..170:
//   server: 100 x 40 + 5 x 60 + 100 x 70 = 11300
//   GPU 0:  400 x 10 + 50 x 30 + 5 x 60 + 50 x 60 + 400 x 10 = 12800
//   GPU 1:  50 x 40 + 5 x 60 + 50 x 70 = 5800
TEST(EnergyRuns, PowerOffAndBootDelayTheNextJob) {
  EnergyRun run("job_id,submit_s,duration_s,gpus\na,0,10,1\nb,100,10,1\n",
                R"(
  "power": { "off_after_s": 30, "boot_s": 60 },)");
  nlohmann::json s = run.run();
  auto rows = run.jobs();
  EXPECT_EQ(rows["a"]["startup_s"], "0");
  EXPECT_EQ(rows["b"]["start_s"], "100");
  EXPECT_EQ(rows["b"]["end_s"], "170");
  EXPECT_EQ(rows["b"]["startup_s"], "60");
  const auto& e = s["energy_j"];
  ASSERT_TRUE(e.is_object());
  EXPECT_NEAR(e["server"].get<double>(), 11300, 1e-6);
  EXPECT_NEAR(e["gpu"].get<double>(), 18600, 1e-6);
  EXPECT_NEAR(e["total"].get<double>(), 29900, 1e-6);
  EXPECT_EQ(e["servers_powered_off"], 1);
  EXPECT_EQ(e["boots"], 1);
  EXPECT_EQ(run.sample("60", "servers_off", ""), "1");
  EXPECT_EQ(run.sample("60", "power_w", ""), "15");
  EXPECT_EQ(run.sample("140", "servers_off", ""), "0");
  EXPECT_EQ(run.sample("140", "power_w", ""), "200");  // booting: idle power
  // Same in SimGrid Execs; the plugin does not run when hosts are powered off.
  nlohmann::json always = run.run("--set engine.activities=always");
  EXPECT_NEAR(always["energy_j"]["total"].get<double>(), 29900, 1e-6);
  EXPECT_TRUE(always["energy_j"]["simgrid_plugin"].is_null());
}

TEST(EnergyRuns, MatchesSimGridPluginExclusive) {
  EnergyRun run(kTrace);
  nlohmann::json s = run.run("--set engine.activities=always");
  const auto& e = s["energy_j"];
  ASSERT_TRUE(e.is_object());
  ASSERT_TRUE(e["simgrid_plugin"].is_number()) << e.dump();
  EXPECT_NEAR(e["total"].get<double>(), 23525, 1e-6);
  expect_relative(e["simgrid_plugin"].get<double>(), e["total"].get<double>(), 1e-6, "plugin vs aidcsim");
}

TEST(EnergyRuns, MatchesSimGridPluginMps) {
  // One GPU shared by MPS: 0.5 + 0.25 + 0.25 from 0 to 20 (load 1: 400 W), then b and c at 0.25
  // each until 40 (load 0.5: 225 W); d (0.5) arrives at 50 and works alone until 70 (225 W).
  // GPU: 400 x 20 + 225 x 20 + 50 x 10 + 225 x 20 = 17500; server idle: 100 x 70 = 7000.
  EnergyRun run("job_id,submit_s,duration_s,gpus,gpu_milli\na,0,20,1,500\nb,0,40,1,250\nc,0,40,1,250\n"
                "d,50,20,1,500\n",
                R"(
  "virtualization": { "gpu_sharing": "mps" },)",
                "", 1);
  nlohmann::json s = run.run("--set engine.activities=always");
  const auto& e = s["energy_j"];
  ASSERT_TRUE(e.is_object());
  EXPECT_NEAR(e["gpu"].get<double>(), 17500, 1e-4);
  EXPECT_NEAR(e["server"].get<double>(), 7000, 1e-4);
  ASSERT_TRUE(e["simgrid_plugin"].is_number()) << e.dump();
  expect_relative(e["simgrid_plugin"].get<double>(), e["total"].get<double>(), 1e-6, "plugin vs aidcsim");
}

TEST(EnergyRuns, MatchesSimGridPluginWithImagePulls) {
  // Container image pulls: the GPU idles during the pull (the engine reports the work's start).
  std::string platform = R"(<?xml version='1.0'?>
<!DOCTYPE platform SYSTEM "https://simgrid.org/simgrid.dtd">
<platform version="4.1">
<zone id="dc" routing="Full">
  <host id="registry" speed="1Gf"><prop id="kind" value="storage"/></host>
  <host id="srv0" speed="1Gf" core="64"><prop id="wattage_per_state" value="100:300"/></host>
  <host id="srv0-gpu0" speed="1Tf"><prop id="kind" value="gpu"/><prop id="server" value="srv0"/><prop id="gpu_model" value="A100-80GB"/><prop id="wattage_per_state" value="50:400"/></host>
  <link id="up0" bandwidth="1.25GBps" latency="0" sharing_policy="SPLITDUPLEX"/>
  <link id="pcie0" bandwidth="32GBps" latency="0"/>
  <route src="registry" dst="srv0"><link_ctn id="up0" direction="UP"/></route>
  <route src="srv0-gpu0" dst="srv0"><link_ctn id="pcie0"/></route>
</zone>
</platform>
)";
  EnergyRun run("job_id,submit_s,duration_s,gpus\na,0,10,1\n", R"(
  "virtualization": { "runtime": "container", "container": { "image_bytes": 10e9 } },
  "engine": { "network_model": "CM02" },)",
                platform);
  // A 10 GB pull over 1.25 GB/s: 8 s, then 10 s of work. GPU: 50 x 8 + 400 x 10; server 100 x 18.
  for (const char* mode : {"shared", "always"}) {
    nlohmann::json s = run.run(fmt::format("--set engine.activities={}", mode));
    const auto& e = s["energy_j"];
    ASSERT_TRUE(e.is_object());
    EXPECT_NEAR(e["gpu"].get<double>(), 4400, 1e-4) << mode;
    EXPECT_NEAR(e["server"].get<double>(), 1800, 1e-4) << mode;
    if (std::string(mode) == "always") {
      ASSERT_TRUE(e["simgrid_plugin"].is_number()) << e.dump();
      expect_relative(e["simgrid_plugin"].get<double>(), e["total"].get<double>(), 1e-6, "plugin vs aidcsim");
    }
  }
}

TEST(EnergyRuns, PowerOptionErrorsNameThePath) {
  EnergyRun run("job_id,submit_s,duration_s,gpus\na,0,10,1\n", R"(
  "power": { "off_after_s": "soon", "boot": 5 },)");
  CliResult r = run_cli("run " + run.scenario + " --out " + run.out + " --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/power/off_after_s"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("/power/boot"), std::string::npos) << r.err;
}
