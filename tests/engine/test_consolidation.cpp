// Consolidation by live migration (virtualization.vm.consolidation, docs/runtimes.md) on a tiny
// platform with hand-computed times: two servers of two GPUs (1 TFLOP/s, 8 GiB each) joined by a
// 1 GiB/s full-duplex path (CM02: no correction factors), VMs of 10 GiB memory, no boot, no
// overheads. a (1000 s) and b (50 s) start on srv0, c (1000 s) on srv1; b's VM shuts down at 60.
// At the round at t = 100 srv0 and srv1 each hold one busy VM: srv0 (lower index) is emptied, a's
// VM moves to srv1's free GPU.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "tests/engine/support/engine_support.hpp"
#include "tests/engine/support/run_helpers.hpp"

using namespace aidcsim::testing;

namespace {

std::string two_server_platform() {
  std::string gpus;
  for (int s = 0; s < 2; ++s)
    for (int g = 0; g < 2; ++g)
      gpus += fmt::format(R"(  <host id="srv{0}-gpu{1}" speed="1Tf"><prop id="kind" value="gpu"/><prop id="server" value="srv{0}"/><prop id="gpu_model" value="A100-80GB"/><prop id="gpu_memory" value="8GiB"/></host>
)",
                          s, g);
  return R"(<?xml version='1.0'?>
<!DOCTYPE platform SYSTEM "https://simgrid.org/simgrid.dtd">
<platform version="4.1">
<zone id="dc" routing="Full">
  <host id="srv0" speed="1Gf" core="64"><prop id="memory" value="512GiB"/></host>
  <host id="srv1" speed="1Gf" core="64"><prop id="memory" value="512GiB"/></host>
)" + gpus + R"(  <link id="up0" bandwidth="1GiBps" latency="0" sharing_policy="SPLITDUPLEX"/>
  <link id="up1" bandwidth="1GiBps" latency="0" sharing_policy="SPLITDUPLEX"/>
  <link id="pcie" bandwidth="32GBps" latency="0"/>
  <route src="srv0" dst="srv1"><link_ctn id="up0" direction="UP"/><link_ctn id="up1" direction="DOWN"/></route>
  <route src="srv0-gpu0" dst="srv0"><link_ctn id="pcie"/></route>
  <route src="srv0-gpu1" dst="srv0"><link_ctn id="pcie"/></route>
  <route src="srv1-gpu0" dst="srv1"><link_ctn id="pcie"/></route>
  <route src="srv1-gpu1" dst="srv1"><link_ctn id="pcie"/></route>
</zone>
</platform>
)";
}

constexpr double kGib = 1024.0 * 1024.0 * 1024.0;

struct ConsolidationRun {
  TempFolder dir{"consolidation"};
  std::string out = dir / "out";
  ConsolidationRun(const std::string& consolidation, const std::string& trace = "",
                   const std::string& extra_top = "", const std::string& engine = "") {
    dir.write("platform.xml", two_server_platform());
    dir.write("trace.csv", trace.empty() ? "job_id,submit_s,duration_s,gpus\na,0,1000,1\nb,0,50,1\nc,0,1000,1\n" : trace);
    dir.write("scenario.json", R"({
  "name": "consolidation",
  "platform": "platform.xml",
  "workload": { "jobs": { "path": "trace.csv", "format": "native" } },
  "scheduler": { "policy": "fifo" },
  "placement": { "policy": "first-fit" },
  "virtualization": { "runtime": "vm", "vm": { "boot_s": 0, "idle_timeout_s": 10, "gpu_overhead": 0, "cpu_overhead": 0,
      "flavours": [ {"name": "g1", "gpus": 1, "vcpus": 1, "mem_gib": 10}, {"name": "g2", "gpus": 2, "vcpus": 2, "mem_gib": 20} ],
      "consolidation": )" + consolidation + R"( } },)" + extra_top + R"(
  "engine": { "network_model": "CM02")" + engine + R"( },
  "monitoring": { "interval_s": 1000 }
})");
  }
  CliResult run() { return run_cli("run " + (dir / "scenario.json") + " --out " + out + " --quiet"); }
  std::map<std::string, std::map<std::string, std::string>> rows() { return rows_by_id(out + "/jobs.csv"); }
  nlohmann::json migrations() { return read_json(out + "/summary.json")["vm_migrations"]; }
};

}  // namespace

// Pre-copy of 10 GiB at 1 GiB/s: 100-110, a at half speed meanwhile (5 s of work); no GPU memory,
// no dirty pages: no pause. a has done 105 s of 1000 at 110 and ends at 110 + 895 = 1005 on srv1.
// Later rounds find nothing to do (no ping-pong): one migration in all.
TEST(Consolidation, PreCopySlowsTheJobAndMovesIt) {
  ConsolidationRun run(R"({"interval_s": 100, "slowdown": 0.5, "gpu_memory": false})");
  CliResult r = run.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = run.rows();
  EXPECT_NEAR(num(rows["a"]["end_s"]), 1005, 1e-9);
  EXPECT_EQ(rows["a"]["hosts"], "srv1-gpu1");
  EXPECT_EQ(rows["a"]["migrations"], "1");
  EXPECT_EQ(rows["a"]["slowdown_sharing"], "1");  // a migration's cost is not sharing's
  EXPECT_NEAR(num(rows["c"]["end_s"]), 1000, 1e-9);
  EXPECT_EQ(rows["c"]["migrations"], "0");
  auto m = run.migrations();
  EXPECT_EQ(m["started"], 1);
  EXPECT_EQ(m["completed"], 1);
  EXPECT_EQ(m["jobs_moved"], 1);
  EXPECT_EQ(m["bytes"].get<double>(), 10 * kGib);
  EXPECT_EQ(m["mean_s"].get<double>(), 10);
  EXPECT_EQ(m["mean_paused_s"].get<double>(), 0);
}

// The busy VM's GPU memory (8 GiB) is copied with the VM paused: 110-118, no work. a resumes on
// srv1 at 118 with 895 s left: ends at 1013.
TEST(Consolidation, GpuMemoryIsCopiedWithTheVmPaused) {
  ConsolidationRun run(R"({"interval_s": 100, "slowdown": 0.5})");
  ASSERT_EQ(run.run().exit_code, 0);
  auto rows = run.rows();
  EXPECT_NEAR(num(rows["a"]["end_s"]), 1013, 1e-9);
  auto m = run.migrations();
  EXPECT_EQ(m["bytes"].get<double>(), 18 * kGib);
  EXPECT_EQ(m["mean_paused_s"].get<double>(), 8);
  EXPECT_EQ(m["mean_s"].get<double>(), 18);
}

// Dirty pages at 0.5 GiB/s: each round resends half of the previous one (10, 5, 2.5, ... GiB)
// until at most 64 MiB is left: 8 rounds, 10 x (2 - 2^-7) = 19.921875 s, leaving 40 MiB. The pause
// copies 40 MiB + 8 GiB: 8.0390625 s. a works at half speed for 19.921875 s (9.9609375 s of work)
// and resumes at 127.9609375 with 890.0390625 s left: ends at 1018 exactly.
TEST(Consolidation, DirtyPagesMakePreCopyRounds) {
  ConsolidationRun run(R"({"interval_s": 100, "slowdown": 0.5, "dirty_bytes_per_s": 536870912})");
  ASSERT_EQ(run.run().exit_code, 0);
  EXPECT_NEAR(num(run.rows()["a"]["end_s"]), 1018, 1e-9);
  auto m = run.migrations();
  EXPECT_NEAR(m["mean_s"].get<double>(), 27.960938, 1e-6);
  EXPECT_NEAR(m["mean_paused_s"].get<double>(), 8.039063, 1e-6);
  EXPECT_EQ(m["bytes"].get<double>(), 27.9609375 * kGib);
}

// The same with every job as SimGrid executions (engine.activities "always"): the same times.
TEST(Consolidation, SameTimesWithSimGridExecutions) {
  ConsolidationRun run(R"({"interval_s": 100, "slowdown": 0.5, "dirty_bytes_per_s": 536870912})", "", "",
                       R"(, "activities": "always")");
  ASSERT_EQ(run.run().exit_code, 0);
  EXPECT_NEAR(num(run.rows()["a"]["end_s"]), 1018, 1e-6);
}

// Energy through a migration (slowed, paused, resumed elsewhere) as SimGrid's host energy plugin
// measures it when every job runs as SimGrid executions: the same to 1e-9 relative.
TEST(Consolidation, EnergyMatchesSimGridsPlugin) {
  ConsolidationRun run(R"({"interval_s": 100, "slowdown": 0.5, "dirty_bytes_per_s": 536870912})", "", "",
                       R"(, "activities": "always")");
  std::string platform = two_server_platform();
  for (std::size_t at = platform.find(R"(value="A100-80GB"/>)"); at != std::string::npos;
       at = platform.find(R"(value="A100-80GB"/>)", at + 1))
    platform.insert(at + 19, R"(<prop id="wattage_per_state" value="50:400"/>)");
  for (const char* server : {R"(<host id="srv0" speed="1Gf" core="64">)", R"(<host id="srv1" speed="1Gf" core="64">)"})
    platform.insert(platform.find(server) + std::string(server).size(), R"(<prop id="wattage_per_state" value="100:300"/>)");
  run.dir.write("platform.xml", platform);
  CliResult r = run.run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NEAR(num(run.rows()["a"]["end_s"]), 1018, 1e-6);
  const auto e = read_json(run.out + "/summary.json")["energy_j"];
  ASSERT_TRUE(e["simgrid_plugin"].is_number()) << e.dump();
  EXPECT_NEAR(e["simgrid_plugin"].get<double>(), e["total"].get<double>(), 1e-9 * e["total"].get<double>()) << e.dump();
}

// a has 4 s of work left at 100: at half speed it ends at 108, during the pre-copy, on srv0. Its
// VM, now idle, still moves (no GPU memory to copy: an idle VM's GPUs hold no job state).
TEST(Consolidation, AJobThatEndsDuringTheMigrationEndsWhereItWas) {
  ConsolidationRun run(R"({"interval_s": 100, "slowdown": 0.5})",
                       "job_id,submit_s,duration_s,gpus\na,0,104,1\nb,0,50,1\nc,0,1000,1\n");
  ASSERT_EQ(run.run().exit_code, 0);
  auto rows = run.rows();
  EXPECT_NEAR(num(rows["a"]["end_s"]), 108, 1e-9);
  EXPECT_EQ(rows["a"]["hosts"], "srv0-gpu0");
  EXPECT_EQ(rows["a"]["migrations"], "0");
  auto m = run.migrations();
  EXPECT_EQ(m["completed"], 1);
  EXPECT_EQ(m["jobs_moved"], 1 - 1);
  EXPECT_EQ(m["bytes"].get<double>(), 10 * kGib);
}

// Large jobs fit: d (2 GPUs of one server, from 50) finds one GPU free on each server. The round at
// 100 moves a's VM to srv1; srv0 is whole again at 110 and d runs 110-210 there. Without
// consolidation it waits for a and c to end at 1000 and their idle VMs to shut down at 1010.
TEST(Consolidation, AnEmptiedServerTakesALargeJob) {
  const std::string trace = "job_id,submit_s,duration_s,gpus\na,0,1000,1\nb,0,50,1\nc,0,1000,1\nd,50,100,2\n";
  ConsolidationRun run(R"({"interval_s": 100, "slowdown": 0.5, "gpu_memory": false})", trace);
  ASSERT_EQ(run.run().exit_code, 0);
  auto rows = run.rows();
  EXPECT_NEAR(num(rows["d"]["start_s"]), 110, 1e-9);
  EXPECT_NEAR(num(rows["d"]["end_s"]), 210, 1e-9);
  EXPECT_EQ(rows["d"]["hosts"], "srv0-gpu0;srv0-gpu1");
  EXPECT_NEAR(num(rows["a"]["end_s"]), 1005, 1e-9);
  ConsolidationRun off("false", trace);
  ASSERT_EQ(off.run().exit_code, 0);
  EXPECT_NEAR(num(off.rows()["d"]["start_s"]), 1010, 1e-9);
}

// Emptied servers power down: srv0 is idle from 110 (the end of the move) and off 100 s later.
TEST(Consolidation, TheEmptiedServerPowersOff) {
  ConsolidationRun run(R"({"interval_s": 100, "slowdown": 0.5, "gpu_memory": false})", "",
                       R"(
  "power": { "off_after_s": 100, "boot_s": 60 },)");
  ASSERT_EQ(run.run().exit_code, 0);
  auto summary = read_json(run.out + "/summary.json");
  EXPECT_EQ(summary["energy_j"]["servers_powered_off"], 1);
  EXPECT_NEAR(num(run.rows()["a"]["end_s"]), 1005, 1e-9);
}

// "consolidation": {} turns it on with the defaults: a round at 600 moves a's VM (10% slowdown
// during 10 s of pre-copy, then 8 s paused): a ends at 1000 + 1 + 8.
TEST(Consolidation, EmptyObjectMeansTheDefaults) {
  ConsolidationRun run("{}");
  ASSERT_EQ(run.run().exit_code, 0);
  EXPECT_NEAR(num(run.rows()["a"]["end_s"]), 1009, 1e-9);
}

// null (or no key) means no consolidation: nothing moves, and vm_migrations is null.
TEST(Consolidation, NullMeansNone) {
  ConsolidationRun run("null");
  ASSERT_EQ(run.run().exit_code, 0);
  auto rows = run.rows();
  EXPECT_NEAR(num(rows["a"]["end_s"]), 1000, 1e-9);
  EXPECT_EQ(rows["a"]["hosts"], "srv0-gpu0");
  EXPECT_TRUE(run.migrations().is_null());
}

// SimGrid aborts a transfer between hosts with no path; aidcsim stops first with an input error.
TEST(Consolidation, NoPathBetweenServersIsAnInputError) {
  ConsolidationRun run(R"({"interval_s": 100})");
  std::string platform = two_server_platform();
  const std::string route = R"(  <route src="srv0" dst="srv1"><link_ctn id="up0" direction="UP"/><link_ctn id="up1" direction="DOWN"/></route>
)";
  platform.erase(platform.find(route), route.size());
  run.dir.write("platform.xml", platform);
  CliResult r = run.run();
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("platform.xml: no network path from host 'srv0' to host 'srv1', which a live migration of a VM needs"),
            std::string::npos) << r.err;
  EXPECT_TRUE(no_outputs_in(run.out));
}

TEST(Consolidation, OptionErrorsNameThePath) {
  ConsolidationRun bad(R"({"interval_s": -5, "slowdwn": 0.1})");
  CliResult r = bad.run();
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/virtualization/vm/consolidation/interval_s"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("unknown key \"slowdwn\" (did you mean \"slowdown\"?)"), std::string::npos) << r.err;
  EXPECT_TRUE(no_outputs_in(bad.out));
}
