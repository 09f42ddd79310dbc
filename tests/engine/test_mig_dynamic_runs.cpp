// MIG dynamic layouts on tiny scenarios with hand-computed times: A100-80GB GPUs of speed
// S = 1e12 FLOP/s, reconfigure_s = 5. A k-slice instance runs a job of W full-GPU seconds in W x 7/k s,
// after the reconfiguration when its instance had to be created. See docs/gpu_sharing.md (mig).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "tests/engine/support/engine_support.hpp"
#include "tests/engine/support/run_helpers.hpp"

using namespace aidcsim::testing;

namespace {

const char* kDynamic = R"({"gpu_sharing": "mig", "layouts": "dynamic", "reconfigure_s": 5})";

struct MigRun {
  TempFolder dir{"mig-dynamic"};
  std::string scenario;
  MigRun(const std::string& trace, const std::string& virtualization = kDynamic, int gpus = 1,
         const std::string& model = "A100-80GB")
      : scenario(write_one_server_scenario(dir, "mig-dynamic", trace, virtualization, gpus, model)) {}
  std::map<std::string, std::map<std::string, std::string>> run() const {
    std::string out = dir / "out";
    CliResult r = run_cli("run " + scenario + " --out " + out + " --quiet");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return rows_by_id(out + "/jobs.csv");
  }
};

}  // namespace

TEST(MigDynamicRuns, TheFirstJobWaitsForTheReconfiguration) {
  // a: 0.4 of the GPU for 25 s = 10 s of full-GPU work -> 3g.40gb, created at t = 0: its work
  // starts at 5 and takes 10 x 7/3 s. b asks for the same profile after a ended: it gets a's idle
  // instance without reconfiguration.
  MigRun s("job_id,submit_s,duration_s,gpus,gpu_milli\n"
           "a,0,25,1,400\n"
           "b,30,25,1,400\n");
  auto rows = s.run();
  EXPECT_EQ(rows["a"]["start_s"], "0");
  EXPECT_EQ(rows["a"]["startup_s"], "5");
  EXPECT_EQ(rows["a"]["end_s"], "28.333333");  // 5 + 10 x 7/3
  // slowdown_sharing counts the reconfiguration on both sides (like a restart cost): (5 + 70/3) / (5 + 25).
  EXPECT_NEAR(num(rows["a"]["slowdown_sharing"]), (5 + 70.0 / 3) / 30, 1e-6);
  EXPECT_EQ(rows["b"]["start_s"], "30");
  EXPECT_EQ(rows["b"]["startup_s"], "0");
  EXPECT_EQ(rows["b"]["end_s"], "53.333333");
}

TEST(MigDynamicRuns, ConcurrentInstancesEachPayTheirReconfiguration) {
  // a: 1g (0.1 for 100 s = 10 s of work: 70 s); b: 3g (10 s of work: 23.333333 s). Both created at 0.
  MigRun s("job_id,submit_s,duration_s,gpus,gpu_milli\n"
           "a,0,100,1,100\n"
           "b,0,25,1,400\n");
  auto rows = s.run();
  for (const char* j : {"a", "b"}) {
    EXPECT_EQ(rows[j]["start_s"], "0") << j;
    EXPECT_EQ(rows[j]["startup_s"], "5") << j;
  }
  EXPECT_EQ(rows["a"]["end_s"], "75");
  EXPECT_EQ(rows["b"]["end_s"], "28.333333");
}

TEST(MigDynamicRuns, BusySlicesAreNeverReconfigured) {
  // a and b: 3g at slices 4-7 and 0-3. c (1g, 142 milli) fits the ledger (144 milli free) but has no
  // idle slices: it waits for a (end 28.333333), then a's idle instance is destroyed for its 1g
  // (5 s) and it runs 10 x 7 = 70 s.
  MigRun s("job_id,submit_s,duration_s,gpus,gpu_milli\n"
           "a,0,25,1,400\n"
           "b,0,50,1,400\n"
           "c,0,100,1,100\n");
  auto rows = s.run();
  EXPECT_EQ(rows["b"]["end_s"], "51.666667");  // 5 + 20 x 7/3
  EXPECT_EQ(rows["c"]["start_s"], "28.333333");
  EXPECT_EQ(rows["c"]["startup_s"], "5");
  EXPECT_EQ(rows["c"]["end_s"], "103.333333");
}

TEST(MigDynamicRuns, WholeGpuJobsClearTheInstances) {
  // a: 1g, 1 s of work (0 + 5 + 7 = 12). b: the whole GPU waits for a, then a's idle instance is
  // destroyed (5 s): 12 + 5 + 10 = 27. c: 1g on the unpartitioned GPU again: 30 + 5 + 7 = 42.
  MigRun s("job_id,submit_s,duration_s,gpus,gpu_milli\n"
           "a,0,10,1,100\n"
           "b,0,10,1,1000\n"
           "c,30,10,1,100\n");
  auto rows = s.run();
  EXPECT_EQ(rows["a"]["end_s"], "12");
  EXPECT_EQ(rows["b"]["start_s"], "12");
  EXPECT_EQ(rows["b"]["startup_s"], "5");
  EXPECT_EQ(rows["b"]["end_s"], "27");
  EXPECT_EQ(rows["c"]["startup_s"], "5");
  EXPECT_EQ(rows["c"]["end_s"], "42");
}

TEST(MigDynamicRuns, AnotherGpuWhenTheProposedOneHasNoIdleSlices) {
  // gpu0: a 1g at 6, b 3g at 0, c 2g at 4; d (1g) fits gpu0's ledger (145 milli free) but no slice is
  // idle: the core asks again and d gets gpu1, with its own reconfiguration.
  MigRun s("job_id,submit_s,duration_s,gpus,gpu_milli\n"
           "a,0,100,1,100\n"
           "b,0,25,1,400\n"
           "c,0,50,1,200\n"
           "d,0,100,1,100\n",
           kDynamic, 2);
  auto rows = s.run();
  for (const char* j : {"a", "b", "c"}) EXPECT_EQ(rows[j]["hosts"], "srv0-gpu0") << j;
  EXPECT_EQ(rows["d"]["hosts"], "srv0-gpu1");
  for (const char* j : {"a", "b", "c", "d"}) {
    EXPECT_EQ(rows[j]["start_s"], "0") << j;
    EXPECT_EQ(rows[j]["startup_s"], "5") << j;
  }
  EXPECT_EQ(rows["c"]["end_s"], "40");  // 5 + 10 x 7/2
  EXPECT_EQ(rows["d"]["end_s"], "75");
}

TEST(MigDynamicRuns, NonMigGpusFallBackToExclusive) {
  // V100s have no MIG: a fractional job takes a whole GPU and runs duration_s, as in `exclusive`.
  MigRun s("job_id,submit_s,duration_s,gpus,gpu_milli\n"
           "a,0,20,1,300\n"
           "b,0,20,1,300\n",
           kDynamic, 1, "V100-32GB");
  auto rows = s.run();
  EXPECT_EQ(rows["a"]["end_s"], "20");
  EXPECT_EQ(rows["a"]["startup_s"], "0");
  EXPECT_EQ(rows["b"]["start_s"], "20");
  EXPECT_EQ(rows["b"]["end_s"], "40");
  EXPECT_EQ(rows["b"]["slowdown_sharing"], "1");
}

TEST(MigDynamicRuns, InvariantsOnAMixedWorkload) {
  MigRun s(mixed_sharing_trace(), kDynamic, 2);
  auto rows = s.run();
  std::map<std::string, double> mem;
  for (auto& r : read_csv(s.dir / "trace.csv")) mem[r["job_id"]] = num(r["gpu_mem_gib"]);
  // The smallest covering profile of an A100-80GB, in compute slices (every job has one: <= 80 GiB).
  auto slices = [&](const std::map<std::string, std::string>& r) {
    if (r.at("gpus") != "1") return 7;
    int m = std::stoi(r.at("gpu_milli"));
    double g = mem[r.at("job_id")];
    if (m * 7 <= 1000 && g <= 20) return 1;
    if (m * 7 <= 2000 && g <= 20) return 2;
    if (m * 7 <= 3000 && g <= 40) return 3;
    if (m * 7 <= 4000 && g <= 40) return 4;
    return 7;
  };
  ASSERT_EQ(rows.size(), 40u);
  int reconfigured = 0, reused = 0;
  for (const auto& [id, r] : rows) {
    ASSERT_EQ(r.at("state"), "completed") << id;
    double startup = num(r.at("startup_s"));
    EXPECT_TRUE(startup == 0 || startup == 5) << id << " " << startup;
    (startup == 5 ? reconfigured : reused) += 1;
    // An instance is isolated: the work takes W x 7/k after the start-up.
    double work = num(r.at("duration_s")) * (r.at("gpus") == "1" ? num(r.at("gpu_milli")) / 1000 : 1);
    int k = slices(r);
    bool whole = r.at("gpus") != "1" || r.at("gpu_milli") == "1000";
    double expected = whole ? num(r.at("duration_s")) : work * 7 / k;
    EXPECT_NEAR(num(r.at("end_s")) - num(r.at("start_s")), startup + expected, 1e-5) << id;
  }
  EXPECT_GT(reconfigured, 0);
  EXPECT_GT(reused, 0);
  // At no time do the running jobs' instances on one GPU need more than 7 compute slices.
  for (const auto& [probe_id, probe] : rows) {
    double t = num(probe.at("start_s")) + 1e-7;
    std::map<std::string, int> load;
    for (const auto& [id, r] : rows) {
      if (num(r.at("start_s")) > t || num(r.at("end_s")) <= t) continue;
      std::string hosts = r.at("hosts");
      for (std::size_t a = 0; a <= hosts.size();) {
        std::size_t b = hosts.find(';', a);
        if (b == std::string::npos) b = hosts.size();
        EXPECT_LE(load[hosts.substr(a, b - a)] += slices(r), 7) << probe_id << " " << id;
        a = b + 1;
      }
    }
  }
}

TEST(MigDynamicRuns, BadOptionsReported) {
  MigRun s("job_id,submit_s,duration_s,gpus,gpu_milli\na,0,20,1,500\n",
           R"({"gpu_sharing": "mig", "layouts": {"A100-80GB": ["3g.40gb"]}, "reconfigure_s": 5})");
  CliResult r = run_cli("run " + s.scenario + " --out " + (s.dir / "out") + " --quiet");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("reconfigure_s"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("dynamic layouts only"), std::string::npos) << r.err;
}
