// Hand-computed start and end times on 1 server x 4 GPUs under FIFO + first-fit: a blocking head,
// completions and arrivals at the same instant, a job too large for the platform and one asking for
// an absent GPU model (both rejected with their reason), a CPU-only job and a fractional request
// (a whole GPU in exclusive mode). The same run with every job as real SimGrid Execs gives the
// same bytes, and a horizon leaves the right jobs unfinished.
#include <gtest/gtest.h>

#include "tests/engine/support/engine_support.hpp"
#include "tests/engine/support/run_helpers.hpp"

using namespace aidcsim::testing;

namespace {

// Timeline (GPUs srv0-gpu0..3):
//   t=0    a (2 GPUs) starts on gpu0,gpu1 until 100; h (no GPU, 4 CPUs) runs on srv0 until 7
//   t=10   b (4 GPUs) waits: only 2 free. t=20: c (1 GPU) waits behind b although GPUs are free
//   t=30   d (16 GPUs) rejected; t=40: e (H100) rejected
//   t=100  a ends, b starts on all four GPUs until 150
//   t=150  b ends and g (3 GPUs) arrives: c starts on gpu0 (until 180), then g on gpu1-3 (until 170)
//   t=200  f (gpu_milli 500: a whole GPU in exclusive mode) on gpu0 until 205
//   t=205  f ends and j (4 GPUs) arrives: j starts at once, until 215
//   t=300  i (2.5 s) on gpu0 until 302.5
const char* kTrace =
    "job_id,submit_s,duration_s,gpus,gpu_milli,cpus,mem_gib,tenant,gpu_model\n"
    "a,0,100,2,1000,0,0,t1,\n"
    "h,0,7,0,1000,4,0,t2,\n"
    "b,10,50,4,1000,0,0,t1,\n"
    "c,20,30,1,1000,0,0,t2,\n"
    "d,30,10,16,1000,0,0,t1,\n"
    "e,40,10,1,1000,0,0,t2,H100-80GB\n"
    "g,150,20,3,1000,0,0,t1,\n"
    "f,200,5,1,500,0,0,t2,\n"
    "j,205,10,4,1000,0,0,t1,\n"
    "i,300,2.5,1,1000,0,0,t2,\n";

const std::vector<std::string> kExpectedRows{
    // job_id,tenant,submit_s,start_s,end_s,queue_delay_s,jct_s,gpus,gpu_milli,state,hosts
    "a,t1,0,0,100,0,100,2,1000,completed,srv0-gpu0;srv0-gpu1",
    "h,t2,0,0,7,0,7,0,1000,completed,srv0",
    "b,t1,10,100,150,90,140,4,1000,completed,srv0-gpu0;srv0-gpu1;srv0-gpu2;srv0-gpu3",
    "c,t2,20,150,180,130,160,1,1000,completed,srv0-gpu0",
    "d,t1,30,,,,,16,1000,rejected,",
    "e,t2,40,,,,,1,1000,rejected,",
    "g,t1,150,150,170,0,20,3,1000,completed,srv0-gpu1;srv0-gpu2;srv0-gpu3",
    "f,t2,200,200,205,0,5,1,500,completed,srv0-gpu0",
    "j,t1,205,205,215,0,10,4,1000,completed,srv0-gpu0;srv0-gpu1;srv0-gpu2;srv0-gpu3",
    "i,t2,300,300,302.5,0,2.5,1,1000,completed,srv0-gpu0",
};

struct ReplayInputs {
  TempFolder dir{"replay"};
  std::string scenario;
  ReplayInputs() {
    dir.write("platform.xml", small_platform_xml(1, 4));
    dir.write("trace.csv", kTrace);
    scenario = dir.write("scenario.json", R"({
  "name": "replay",
  "platform": "platform.xml",
  "workload": { "jobs": { "path": "trace.csv", "format": "native" } },
  "scheduler": { "policy": "fifo" },
  "placement": { "policy": "first-fit" },
  "monitoring": { "interval_s": 60 }
})");
  }
  CliResult run(const std::string& out, const std::string& extra = "") const {
    return run_cli("run " + scenario + " --out " + out + " --quiet " + extra);
  }
};

}  // namespace

TEST(Replay, HandComputedJobsCsv) {
  ReplayInputs s;
  std::string out = s.dir / "out";
  CliResult r = s.run(out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(contract_rows(out + "/jobs.csv"), kExpectedRows);
  std::string header = read_text(out + "/jobs.csv").substr(0, read_text(out + "/jobs.csv").find('\n'));
  EXPECT_EQ(header.rfind("job_id,tenant,submit_s,start_s,end_s,queue_delay_s,jct_s,gpus,gpu_milli,state,hosts", 0), 0u)
      << "the contract's columns come first, in order: " << header;

  auto rows = rows_by_id(out + "/jobs.csv");
  EXPECT_EQ(rows["d"]["reason"], "needs 16 GPUs but the platform has 4");
  EXPECT_EQ(rows["e"]["reason"], "gpu_model H100-80GB is not on the platform (models: A100-80GB)");
  EXPECT_EQ(rows["b"]["slowdown"], "2.8");  // 140 / 50
  EXPECT_EQ(rows["a"]["reason"], "");
}

TEST(Replay, HandComputedSummary) {
  ReplayInputs s;
  std::string out = s.dir / "out";
  CliResult r = s.run(out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto summary = read_json(out + "/summary.json");
  EXPECT_EQ(summary["scenario"], "replay");
  EXPECT_EQ(summary["seed"], 1);
  EXPECT_EQ(summary["jobs"], (nlohmann::json{{"submitted", 10}, {"completed", 8}, {"rejected", 2}, {"unfinished", 0}}));
  // Completed jobs' queue delays: 0,0,90,130,0,0,0,0; JCTs: 100,7,140,160,20,5,10,2.5.
  EXPECT_DOUBLE_EQ(summary["queue_delay_s"]["mean"].get<double>(), 27.5);
  EXPECT_EQ(summary["queue_delay_s"]["p50"], 0);
  EXPECT_EQ(summary["queue_delay_s"]["p95"], 130);
  EXPECT_EQ(summary["queue_delay_s"]["max"], 130);
  EXPECT_DOUBLE_EQ(summary["jct_s"]["mean"].get<double>(), 55.5625);
  EXPECT_EQ(summary["jct_s"]["p50"], 10);  // sorted 2.5,5,7,10,20,100,140,160: rank 4
  EXPECT_EQ(summary["jct_s"]["max"], 160);
  // Slowdowns: 1,1,2.8,160/30,1,1,1,1.
  EXPECT_NEAR(summary["slowdown"]["mean"].get<double>(), (8.8 + 160.0 / 30) / 8, 1e-6);
  EXPECT_EQ(summary["makespan_s"], 302.5);
  // GPU-seconds: a 200 + b 200 + c 30 + g 60 + f 5 + j 40 + i 2.5 = 537.5 over 4 GPUs x 302.5 s.
  EXPECT_NEAR(summary["gpu_allocation"].get<double>(), 537.5 / 1210, 1e-6);
  EXPECT_EQ(summary["gpus_total"], 4);
  for (const char* key : {"events", "wall_s"}) EXPECT_TRUE(summary[key].is_number()) << key;
}

TEST(Replay, MonitoringSamplesAtEveryInterval) {
  ReplayInputs s;
  std::string out = s.dir / "out";
  ASSERT_EQ(s.run(out).exit_code, 0);
  // Samples at 0, 60, ..., 300 (the run ends at 302.5): allocated GPUs, running jobs, queue length.
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> series;
  for (auto& row : read_csv(out + "/timeseries.csv"))
    if (row["label"].empty()) series[row["metric"]].emplace_back(row["time_s"], row["value"]);
  using Series = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(series["gpus_allocated"],
            (Series{{"0", "2"}, {"60", "2"}, {"120", "4"}, {"180", "0"}, {"240", "0"}, {"300", "1"}}));
  EXPECT_EQ(series["running_jobs"], (Series{{"0", "2"}, {"60", "1"}, {"120", "1"}, {"180", "0"}, {"240", "0"}, {"300", "1"}}));
  EXPECT_EQ(series["queue_length"], (Series{{"0", "0"}, {"60", "2"}, {"120", "1"}, {"180", "0"}, {"240", "0"}, {"300", "0"}}));
  EXPECT_EQ(series["gpu_allocation"][2], (std::pair<std::string, std::string>{"120", "1"}));
}

TEST(Replay, AlwaysSimGridActivitiesGiveTheSameBytes) {
  ReplayInputs s;
  std::string shared = s.dir / "shared", always = s.dir / "always";
  CliResult a = s.run(shared);
  CliResult b = s.run(always, "--set engine.activities=always");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(read_json(always + "/run.json")["scenario"]["engine"]["activities"], "always");
  std::string jobs = read_text(shared + "/jobs.csv");
  ASSERT_FALSE(jobs.empty());
  EXPECT_EQ(read_text(always + "/jobs.csv"), jobs);
  EXPECT_EQ(read_text(always + "/timeseries.csv"), read_text(shared + "/timeseries.csv"));
  EXPECT_EQ(summary_without_wall(always + "/summary.json"), summary_without_wall(shared + "/summary.json"));
}

TEST(Replay, HorizonLeavesQueuedAndRunningJobsUnfinished) {
  ReplayInputs s;
  std::string out = s.dir / "out";
  CliResult r = s.run(out, "--set horizon_s=120");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // At 120: a and h done; b running since 100; c queued; d, e rejected; the rest not yet submitted.
  EXPECT_EQ(contract_rows(out + "/jobs.csv"), (std::vector<std::string>{
                                                  "a,t1,0,0,100,0,100,2,1000,completed,srv0-gpu0;srv0-gpu1",
                                                  "h,t2,0,0,7,0,7,0,1000,completed,srv0",
                                                  "b,t1,10,100,,90,,4,1000,unfinished,srv0-gpu0;srv0-gpu1;srv0-gpu2;srv0-gpu3",
                                                  "c,t2,20,,,,,1,1000,unfinished,",
                                                  "d,t1,30,,,,,16,1000,rejected,",
                                                  "e,t2,40,,,,,1,1000,rejected,",
                                                  "g,t1,150,,,,,3,1000,unfinished,",
                                                  "f,t2,200,,,,,1,500,unfinished,",
                                                  "j,t1,205,,,,,4,1000,unfinished,",
                                                  "i,t2,300,,,,,1,1000,unfinished,",
                                              }));
  auto summary = read_json(out + "/summary.json");
  EXPECT_EQ(summary["jobs"], (nlohmann::json{{"submitted", 10}, {"completed", 2}, {"rejected", 2}, {"unfinished", 6}}));
  EXPECT_EQ(summary["horizon_reached"], true);
  // Allocation up to the horizon: a 2x100 + b 4x20 = 280 GPU-s over 4 GPUs x 120 s.
  EXPECT_NEAR(summary["gpu_allocation"].get<double>(), 280.0 / 480, 1e-6);
  auto rows = rows_by_id(out + "/jobs.csv");
  EXPECT_FALSE(rows["b"]["reason"].empty());
  EXPECT_FALSE(rows["g"]["reason"].empty());
}

TEST(Replay, HorizonAfterTheLastJobChangesNothing) {
  ReplayInputs s;
  std::string out = s.dir / "out";
  ASSERT_EQ(s.run(out, "--set horizon_s=1000").exit_code, 0);
  EXPECT_EQ(contract_rows(out + "/jobs.csv"), kExpectedRows);
  EXPECT_EQ(read_json(out + "/summary.json")["horizon_reached"], false);
}

TEST(Replay, EmptyTraceRunsAndReportsNullStatistics) {
  ReplayInputs s;
  write_text(s.dir / "trace.csv", "job_id,submit_s,duration_s,gpus\n");
  std::string out = s.dir / "out";
  CliResult r = s.run(out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(read_csv(out + "/jobs.csv").empty());
  auto summary = read_json(out + "/summary.json");
  EXPECT_EQ(summary["jobs"]["submitted"], 0);
  EXPECT_TRUE(summary["makespan_s"].is_null());
  for (const char* key : {"queue_delay_s", "jct_s", "slowdown"})
    for (const char* stat : {"mean", "p50", "p95", "p99", "max"}) EXPECT_TRUE(summary[key][stat].is_null()) << key << "." << stat;
  EXPECT_EQ(summary["gpu_allocation"], 0);
}
