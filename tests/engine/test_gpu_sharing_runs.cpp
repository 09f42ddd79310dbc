// GPU sharing on tiny scenarios with hand-computed times: one GPU of speed S = 1e12 FLOP/s and jobs
// of 10 s of full-GPU work (duration_s x gpu_milli / 1000 = 10 s). See docs/gpu_sharing.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "tests/engine/support/engine_support.hpp"
#include "tests/engine/support/run_helpers.hpp"

using namespace aidcsim::testing;

namespace {

struct SharingRun {
  TempFolder dir{"gpu-sharing"};
  std::string scenario;
  SharingRun(const std::string& trace, const std::string& virtualization, int gpus = 1,
             const std::string& model = "A100-80GB")
      : scenario(write_one_server_scenario(dir, "sharing", trace, virtualization, gpus, model)) {}
  CliResult run(const std::string& out, const std::string& extra = "") const {
    return run_cli("run " + scenario + " --out " + out + " --quiet " + extra);
  }
};

}  // namespace

TEST(GpuSharingRuns, MpsSharesEndInProportion) {
  // Shares 0.5/0.25/0.25, each capped at its share: 10/0.5 = 20 s, 10/0.25 = 40 s, all at once.
  SharingRun s("job_id,submit_s,duration_s,gpus,gpu_milli\n"
               "a,0,20,1,500\n"
               "b,0,40,1,250\n"
               "c,0,40,1,250\n",
               R"({"gpu_sharing": "mps"})");
  std::string out = s.dir / "out";
  CliResult r = s.run(out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = rows_by_id(out + "/jobs.csv");
  EXPECT_EQ(rows["a"]["start_s"], "0");
  EXPECT_EQ(rows["b"]["start_s"], "0");
  EXPECT_EQ(rows["c"]["start_s"], "0");
  EXPECT_NEAR(num(rows["a"]["end_s"]), 20, 1e-5);
  EXPECT_NEAR(num(rows["b"]["end_s"]), 40, 1e-5);
  EXPECT_NEAR(num(rows["c"]["end_s"]), 40, 1e-5);
  for (const char* j : {"a", "b", "c"}) EXPECT_NEAR(num(rows[j]["slowdown_sharing"]), 1, 1e-6) << j;
  std::string header = read_text(out + "/jobs.csv").substr(0, read_text(out + "/jobs.csv").find('\n'));
  EXPECT_TRUE(header.ends_with(",run_s,slowdown_sharing,startup_s,migrations,gpu_milli_held")) << header;
}

TEST(GpuSharingRuns, MpsAdmissionNeverOverCommits) {
  // 0.6 + 0.6 > 1: the second job waits for the first (20 s at 0.6 = 12 s of work... each 10 s of work).
  SharingRun s("job_id,submit_s,duration_s,gpus,gpu_milli\n"
               "a,0,25,1,400\n"
               "b,0,25,1,400\n"
               "c,0,25,1,400\n",
               R"({"gpu_sharing": "mps"})");
  std::string out = s.dir / "out";
  ASSERT_EQ(s.run(out).exit_code, 0);
  auto rows = rows_by_id(out + "/jobs.csv");
  EXPECT_EQ(rows["a"]["start_s"], "0");
  EXPECT_EQ(rows["b"]["start_s"], "0");
  EXPECT_NEAR(num(rows["c"]["start_s"]), 25, 1e-5);  // 0.4 x 3 > 1: c waits
  EXPECT_NEAR(num(rows["c"]["end_s"]), 50, 1e-5);
}

TEST(GpuSharingRuns, MpsOversubscribedFairSharing) {
  // oversubscription 2: three 0.5-shares on one GPU (admitted 250 milli each). Caps 0.5 S each, the
  // GPU gives S/3 to each: 10 s of work at 0.5 S = 5 S flops each... duration 20 s x 0.5 = 10 S flops.
  // All three at S/3: 30 s.
  SharingRun s("job_id,submit_s,duration_s,gpus,gpu_milli\n"
               "a,0,20,1,500\n"
               "b,0,20,1,500\n"
               "c,0,20,1,500\n",
               R"({"gpu_sharing": "mps", "oversubscription": 2})");
  std::string out = s.dir / "out";
  CliResult r = s.run(out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = rows_by_id(out + "/jobs.csv");
  for (const char* j : {"a", "b", "c"}) {
    EXPECT_EQ(rows[j]["start_s"], "0") << j;
    EXPECT_NEAR(num(rows[j]["end_s"]), 30, 1e-5) << j;
    EXPECT_NEAR(num(rows[j]["slowdown_sharing"]), 1.5, 1e-6) << j;
  }
}

TEST(GpuSharingRuns, MpsInterferenceFactor) {
  // Two 0.5 shares, interference 0.1: b starts with one co-runner, a with none (a started first).
  // a: 10 S flops at 0.5 S = 20 s; b: 11 S flops at 0.5 S = 22 s.
  SharingRun s("job_id,submit_s,duration_s,gpus,gpu_milli\n"
               "a,0,20,1,500\n"
               "b,0,20,1,500\n",
               R"({"gpu_sharing": "mps", "interference_factor": 0.1})");
  std::string out = s.dir / "out";
  ASSERT_EQ(s.run(out).exit_code, 0);
  auto rows = rows_by_id(out + "/jobs.csv");
  EXPECT_NEAR(num(rows["a"]["end_s"]), 20, 1e-5);
  EXPECT_NEAR(num(rows["b"]["end_s"]), 22, 1e-5);
  EXPECT_NEAR(num(rows["b"]["slowdown_sharing"]), 1.1, 1e-6);
}

TEST(GpuSharingRuns, TimeSlicedUnboundedJobsShareFairly) {
  SharingRun s("job_id,submit_s,duration_s,gpus,gpu_milli,gpu_mem_gib\n"
               "a,0,10,1,1000,30\n"
               "b,0,10,1,1000,30\n"
               "c,0,10,1,1000,30\n",  // 90 GiB > 80: c waits for memory
               R"({"gpu_sharing": "time-slicing"})");
  std::string out = s.dir / "out";
  CliResult r = s.run(out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = rows_by_id(out + "/jobs.csv");
  EXPECT_NEAR(num(rows["a"]["end_s"]), 20, 1e-5);
  EXPECT_NEAR(num(rows["b"]["end_s"]), 20, 1e-5);
  EXPECT_NEAR(num(rows["a"]["slowdown_sharing"]), 2, 1e-6);
  EXPECT_NEAR(num(rows["c"]["start_s"]), 20, 1e-5);
  EXPECT_NEAR(num(rows["c"]["end_s"]), 30, 1e-5);
  // The GPU computes all the time (busy 1) while the ledger holds 375 milli per job (memory):
  // allocation (750 x 20 + 375 x 10) / 1000 / 30 = 0.625.
  auto summary = read_json(out + "/summary.json");
  EXPECT_NEAR(summary["gpu_busy"].get<double>(), 1, 1e-5);
  EXPECT_NEAR(summary["gpu_allocation"].get<double>(), 0.625, 1e-5);
}

TEST(GpuSharingRuns, TimeSlicingContextSwitchAndMemoryRejection) {
  SharingRun s("job_id,submit_s,duration_s,gpus,gpu_milli,gpu_mem_gib\n"
               "a,0,10,1,1000,\n"
               "b,0,10,1,1000,\n"
               "big,0,10,1,1000,100\n",
               R"({"gpu_sharing": "time-slicing", "context_switch_overhead": 0.5})");
  std::string out = s.dir / "out";
  CliResult r = s.run(out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = rows_by_id(out + "/jobs.csv");
  // a: 10 S flops, b: 15 S flops (one co-runner at start). Fair share S/2 until a ends at 20 s
  // (b has done 10 S), then b alone: 5 S more = 25 s.
  EXPECT_NEAR(num(rows["a"]["end_s"]), 20, 1e-5);
  EXPECT_NEAR(num(rows["b"]["end_s"]), 25, 1e-5);
  EXPECT_EQ(rows["big"]["state"], "rejected");
  EXPECT_NE(rows["big"]["reason"].find("GPU memory"), std::string::npos) << rows["big"]["reason"];
}

// replicas 2: at most two jobs on the GPU. a and b share it fairly (both end at 20 s); c waits for
// a replica and runs alone (20-30 s).
TEST(GpuSharingRuns, TimeSlicingReplicasLimitCoRunners) {
  SharingRun s("job_id,submit_s,duration_s,gpus,gpu_milli\n"
               "a,0,10,1,1000\n"
               "b,0,10,1,1000\n"
               "c,0,10,1,1000\n",
               R"({"gpu_sharing": "time-slicing", "replicas": 2})");
  std::string out = s.dir / "out";
  CliResult r = s.run(out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = rows_by_id(out + "/jobs.csv");
  EXPECT_NEAR(num(rows["a"]["end_s"]), 20, 1e-5);
  EXPECT_NEAR(num(rows["b"]["end_s"]), 20, 1e-5);
  EXPECT_NEAR(num(rows["c"]["start_s"]), 20, 1e-5);
  EXPECT_NEAR(num(rows["c"]["end_s"]), 30, 1e-5);
}

TEST(GpuSharingRuns, MigInstancesAreIsolated) {
  // 3g.40gb and 4g.40gb on one A100-80GB. a: 0.4 of the GPU (duration 25 s = 10 s of full-GPU
  // work) -> 3g: 10 x 7/3 = 23.333333 s; b: 0.5 (20 s) -> 4g: 10 x 7/4 = 17.5 s. c also maps to 3g
  // and waits for a's instance.
  SharingRun s("job_id,submit_s,duration_s,gpus,gpu_milli\n"
               "a,0,25,1,400\n"
               "b,0,20,1,500\n"
               "c,0,25,1,400\n",
               R"({"gpu_sharing": "mig", "layouts": {"A100-80GB": ["3g.40gb", "4g.40gb"]}})");
  std::string out = s.dir / "out";
  CliResult r = s.run(out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = rows_by_id(out + "/jobs.csv");
  EXPECT_EQ(rows["a"]["end_s"], "23.333333");
  EXPECT_EQ(rows["b"]["end_s"], "17.5");
  EXPECT_EQ(rows["c"]["start_s"], "23.333333");
  EXPECT_EQ(rows["c"]["end_s"], "46.666667");
  EXPECT_NEAR(num(rows["a"]["slowdown_sharing"]), 0.4 * 7 / 3, 1e-6);
}

TEST(GpuSharingRuns, MigFindsAFreeInstanceOnAnotherGpu) {
  // Two GPUs, each 7 x 1g.10gb... a 2-GPU platform with layout [3g, 4g]: first-fit proposes gpu0 for
  // the second 3g job; its 3g instance is taken, so the core asks again and gets gpu1.
  SharingRun s("job_id,submit_s,duration_s,gpus,gpu_milli\n"
               "a,0,25,1,400\n"
               "b,0,25,1,400\n",
               R"({"gpu_sharing": "mig", "layouts": {"A100-80GB": ["3g.40gb", "4g.40gb"]}})", 2);
  std::string out = s.dir / "out";
  CliResult r = s.run(out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = rows_by_id(out + "/jobs.csv");
  EXPECT_EQ(rows["a"]["hosts"], "srv0-gpu0");
  EXPECT_EQ(rows["b"]["hosts"], "srv0-gpu1");
  EXPECT_EQ(rows["b"]["start_s"], "0");
}

TEST(GpuSharingRuns, ExclusiveUnchangedAndBadOptionsReported) {
  SharingRun s("job_id,submit_s,duration_s,gpus,gpu_milli\n"
               "a,0,20,1,500\n"
               "b,0,20,1,500\n",
               R"({"gpu_sharing": "exclusive"})");
  std::string out = s.dir / "out";
  ASSERT_EQ(s.run(out).exit_code, 0);
  auto rows = rows_by_id(out + "/jobs.csv");
  EXPECT_EQ(rows["a"]["end_s"], "20");
  EXPECT_EQ(rows["b"]["start_s"], "20");
  EXPECT_EQ(rows["b"]["end_s"], "40");
  EXPECT_EQ(rows["b"]["slowdown_sharing"], "1");

  SharingRun bad("job_id,submit_s,duration_s,gpus,gpu_milli\na,0,20,1,500\n",
                 R"({"gpu_sharing": "mig", "layouts": {"A100-80GB": ["3g.40gb", "3g.40gb", "1g.10gb"]}, "oversubscription": 2})");
  CliResult r = bad.run(std::string(bad.dir / "out"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("no valid placement"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("oversubscription"), std::string::npos) << r.err;
}

namespace {

// Max over time of the sum of `weight(row)` of the jobs running on each GPU (hosts column).
double max_load_per_gpu(const std::vector<std::map<std::string, std::string>>& rows,
                        const std::function<double(const std::map<std::string, std::string>&)>& weight) {
  double worst = 0;
  for (const auto& probe : rows) {
    if (probe.at("state") != "completed") continue;
    double t = num(probe.at("start_s")) + 1e-7;  // loads only rise at starts
    std::map<std::string, double> load;
    for (const auto& r : rows) {
      if (r.at("state") != "completed" || num(r.at("start_s")) > t || num(r.at("end_s")) <= t) continue;
      std::string hosts = r.at("hosts");
      for (std::size_t a = 0; a <= hosts.size();) {
        std::size_t b = hosts.find(';', a);
        if (b == std::string::npos) b = hosts.size();
        worst = std::max(worst, load[hosts.substr(a, b - a)] += weight(r));
        a = b + 1;
      }
    }
  }
  return worst;
}
}  // namespace

TEST(GpuSharingRuns, InvariantsNoGpuOverCommittedBeyondTheMode) {
  auto share = [](const std::map<std::string, std::string>& r) {
    return r.at("gpus") == "1" ? num(r.at("gpu_milli")) : 1000.0;
  };
  auto memory = [](const std::map<std::string, std::string>& r) { return r.at("gpus") == "1" ? num(r.at("gpu_mem_gib")) : 80.0; };
  std::string trace = mixed_sharing_trace();
  auto completed_all = [](const std::vector<std::map<std::string, std::string>>& rows) {
    return std::all_of(rows.begin(), rows.end(), [](const auto& r) { return r.at("state") == "completed"; });
  };
  {
    SharingRun s(trace, R"({"gpu_sharing": "mps"})", 2);
    std::string out = s.dir / "out";
    ASSERT_EQ(s.run(out).exit_code, 0);
    auto rows = read_csv(out + "/jobs.csv");
    for (auto& r : rows) r["gpu_mem_gib"] = "0";
    EXPECT_TRUE(completed_all(rows));
    double peak = max_load_per_gpu(rows, share);
    EXPECT_LE(peak, 1000.0);
    EXPECT_GT(peak, 1000.0 / 2);  // shares really were combined
  }
  {
    SharingRun s(trace, R"({"gpu_sharing": "mps", "oversubscription": 1.5})", 2);
    std::string out = s.dir / "out";
    ASSERT_EQ(s.run(out).exit_code, 0);
    auto rows = read_csv(out + "/jobs.csv");
    EXPECT_TRUE(completed_all(rows));
    EXPECT_LE(max_load_per_gpu(rows, share), 1500.0 + 1e-9);
    for (const auto& r : rows) EXPECT_GE(num(r.at("slowdown_sharing")), 1 - 1e-6) << r.at("job_id");
  }
  {
    // gpu_mem_gib is not in jobs.csv: join it from the trace by job id.
    SharingRun s(trace, R"({"gpu_sharing": "time-slicing"})", 2);
    std::string out = s.dir / "out";
    ASSERT_EQ(s.run(out).exit_code, 0);
    auto rows = read_csv(out + "/jobs.csv");
    auto trace_rows = read_csv(s.dir / "trace.csv");
    std::map<std::string, std::string> mem;
    for (auto& r : trace_rows) mem[r["job_id"]] = r["gpu_mem_gib"];
    for (auto& r : rows) r["gpu_mem_gib"] = mem[r["job_id"]];
    EXPECT_TRUE(completed_all(rows));
    EXPECT_LE(max_load_per_gpu(rows, memory), 80.0);
  }
  {
    SharingRun s(trace, R"({"gpu_sharing": "mig", "layouts": {"A100-80GB": ["1g.10gb", "2g.20gb", "4g.40gb"]}})", 2);
    std::string out = s.dir / "out";
    ASSERT_EQ(s.run(out).exit_code, 0);
    auto rows = read_csv(out + "/jobs.csv");
    std::map<std::string, std::string> mem;
    for (auto& r : read_csv(s.dir / "trace.csv")) mem[r["job_id"]] = r["gpu_mem_gib"];
    // The smallest covering instance, by compute share and memory: 1g.10gb, 2g.20gb or 4g.40gb; a
    // share above 4/7 or more than 40 GiB has none and is rejected.
    auto slices = [&](const std::map<std::string, std::string>& r) {
      if (r.at("gpus") != "1" || r.at("gpu_milli") == "1000") return 7.0;
      int m = std::stoi(r.at("gpu_milli"));
      double g = num(mem[r.at("job_id")]);
      if (m * 7 <= 1000 && g <= 10) return 1.0;
      if (m * 7 <= 2000 && g <= 20) return 2.0;
      if (m * 7 <= 4000 && g <= 40) return 4.0;
      return 0.0;  // no instance covers it
    };
    EXPECT_LE(max_load_per_gpu(rows, slices), 7.0);
    int rejected = 0;
    for (const auto& r : rows) {
      bool uncovered = slices(r) == 0;
      rejected += uncovered;
      EXPECT_EQ(r.at("state"), uncovered ? "rejected" : "completed") << r.at("job_id");
    }
    EXPECT_GT(rejected, 0);
    EXPECT_LT(rejected, 20);
  }
}
