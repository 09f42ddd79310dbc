// The iterations workload model (docs/network.md) through the CLI, on generated fat trees with CM02:
// a ring all-reduce ends on 2(n-1)(S/n/B + L) for n = 2, 4, 8 (and the tree and hierarchical
// collectives on theirs), whether SimGrid runs it or a timer does; two rings sharing a NIC each see
// half of it while they overlap (hand-computed); aggregated and per-iteration execution agree;
// calibration ends a lone job at duration_s; bad input is refused with exit code 2.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include <fmt/format.h>

#include "tests/engine/support/engine_support.hpp"
#include "tests/engine/support/run_helpers.hpp"

using namespace aidcsim::testing;

namespace {

// Generated fat tree (docs/platforms.md): A100 GPUs, NICs of 25 GB/s and 1 us, PCIe 32 GB/s and 1 us,
// NVLink 300 GB/s and 0.5 us; a GPU-to-GPU route across servers has latency 4 us and bandwidth 25 GB/s.
constexpr double kNic_Bps = 25e9, kCrossLatency_s = 4e-6, kNvlink_Bps = 300e9, kNvlinkLatency_s = 1e-6;
constexpr double kGradient_bytes = 1e9;
constexpr int kIterations = 10;

struct IterationsRun {
  TempFolder dir;
  nlohmann::json scenario;
  IterationsRun(const std::string& name, int servers, int gpus_per_server, const std::string& jobs) : dir(name) {
    CliResult made = run_cli(fmt::format("platform fat-tree --servers {} --gpus-per-server {} --gpu-model A100-80GB -o {}",
                                         servers, gpus_per_server, dir / "platform.xml"));
    EXPECT_EQ(made.exit_code, 0) << made.err;
    dir.write("jobs.csv", "job_id,submit_s,duration_s,gpus,iterations,iteration_flops,gradient_bytes\n" + jobs);
    scenario = {{"name", name},
                {"platform", "platform.xml"},
                {"workload", {{"jobs", {{"path", "jobs.csv"}, {"format", "native"}, {"model", "iterations"}}}}},
                {"placement", {{"policy", "first-fit"}}},
                {"engine", {{"network_model", "CM02"}}}};
  }
  CliResult run(const std::string& out = "out") {
    std::string path = dir.write("scenario.json", scenario.dump(2));
    return run_cli("run " + path + " --out " + (dir / out) + " --quiet");
  }
  std::vector<std::map<std::string, std::string>> jobs(const std::string& out = "out") {
    return read_csv(dir / (out + "/jobs.csv"));
  }
};

double end_of(const std::map<std::string, std::string>& row) { return std::stod(row.at("end_s")); }

std::string one_job(int gpus) {
  return fmt::format("j,0,100,{},{},0,{}\n", gpus, kIterations, kGradient_bytes);
}

class RingFormula : public ::testing::TestWithParam<int> {};

// One GPU per server: every hop of the ring crosses two NICs. Both with SimGrid's activities and
// with the default (the end is then SimGrid's too: the ring leaves the server).
TEST_P(RingFormula, EndsOnTwoNMinusOneStepsOfSOverNB) {
  const int n = GetParam();
  IterationsRun r(fmt::format("ring-{}", n), 8, 1, one_job(n));
  const double expected = kIterations * 2 * (n - 1) * (kGradient_bytes / n / kNic_Bps + kCrossLatency_s);
  for (const char* activities : {"shared", "always"}) {
    r.scenario["engine"]["activities"] = activities;
    ASSERT_EQ(r.run().exit_code, 0);
    auto jobs = r.jobs();
    EXPECT_NEAR(end_of(jobs[0]), expected, 1e-9) << activities;
    EXPECT_EQ(jobs[0].at("slowdown_network"), "1");
  }
}
INSTANTIATE_TEST_SUITE_P(Members, RingFormula, ::testing::Values(2, 4, 8));

// The binomial tree: 2 ceil(log2 n) rounds, each of the whole gradient.
TEST(IterationsRuns, TreeEndsOnItsFormula) {
  IterationsRun r("tree-8", 8, 1, one_job(8));
  r.scenario["workload"]["jobs"]["collective"] = "tree";
  ASSERT_EQ(r.run().exit_code, 0);
  EXPECT_NEAR(end_of(r.jobs()[0]), kIterations * 2 * 3 * (kGradient_bytes / kNic_Bps + kCrossLatency_s), 1e-9);
}

// Sharded data parallelism: 2(n-1) gather rounds before each iteration's computation and n-1 scatter
// rounds after it, each of S/n over the NICs; aggregated or per iteration, with SimGrid's activities or not.
TEST(IterationsRuns, ShardedEndsOnThreeNMinusOneStepsAroundItsComputation) {
  const int n = 4;
  constexpr double kIterationFlops = 3.12e12;  // 10 ms on an A100 (312 TFLOPS)
  IterationsRun r("sharded-4", 8, 1, fmt::format("j,0,100,{},{},{},{}\n", n, kIterations, kIterationFlops, kGradient_bytes));
  r.scenario["workload"]["jobs"]["collective"] = "sharded";
  const double step_s = kGradient_bytes / n / kNic_Bps + kCrossLatency_s;
  const double expected = kIterations * (kIterationFlops / 312e12 + 3 * (n - 1) * step_s);
  for (bool aggregate : {true, false})
    for (const char* activities : {"shared", "always"}) {
      r.scenario["workload"]["jobs"]["aggregate"] = aggregate;
      r.scenario["engine"]["activities"] = activities;
      ASSERT_EQ(r.run().exit_code, 0);
      EXPECT_NEAR(end_of(r.jobs()[0]), expected, 1e-9) << activities << " aggregate " << aggregate;
    }
}

// The sharded order is kept: its computation starts after the gathers. One iteration of 1 s of compute
// on two GPUs across servers, one of them at half speed from 0 to 0.04 s. The ring computes first and
// loses 0.02 s of work: 1 + 0.02 + 2 (S/2/B + L) = 1.060008 s. The sharded job gathers first
// (2 (S/2/B + L) = 0.040008 s, after the slowdown), so it ends on its time alone:
// 0.040008 + 1 + (S/2/B + L) = 1.060012 s.
TEST(IterationsRuns, ShardedComputesAfterItsGathers) {
  IterationsRun r("sharded-order", 2, 1, "j,0,100,2,1,3.12e14,1e9\n");
  r.scenario["failures"] = {
      {"stragglers", {{{"host", "srv-00001-gpu-0"}, {"start_s", 0}, {"duration_s", 0.04}, {"factor", 0.5}}}}};
  const double step_s = kGradient_bytes / 2 / kNic_Bps + kCrossLatency_s;
  ASSERT_EQ(r.run().exit_code, 0);
  EXPECT_NEAR(end_of(r.jobs()[0]), 1 + 0.02 + 2 * step_s, 1e-9);
  r.scenario["workload"]["jobs"]["collective"] = "sharded";
  ASSERT_EQ(r.run().exit_code, 0);
  EXPECT_NEAR(end_of(r.jobs()[0]), 2 * step_s + 1 + step_s, 1e-9);
}

// Two servers of 4 GPUs: 3 GPUs send S to their server's first GPU over NVLink (sharing its link in),
// the two first GPUs run a ring over the NICs, and the broadcast back mirrors the reduce.
TEST(IterationsRuns, HierarchicalEndsOnItsFormula) {
  IterationsRun r("hierarchical", 2, 4, one_job(8));
  r.scenario["workload"]["jobs"]["collective"] = "hierarchical";
  ASSERT_EQ(r.run().exit_code, 0);
  const double intra = kNvlinkLatency_s + 3 * kGradient_bytes / kNvlink_Bps;
  const double across = 2 * (kGradient_bytes / 2 / kNic_Bps + kCrossLatency_s);
  EXPECT_NEAR(end_of(r.jobs()[0]), kIterations * (2 * intra + across), 1e-9);
}

// Inside one server the ring's links are its GPUs' own: a timer, exactly as SimGrid would run it.
TEST(IterationsRuns, RingInsideAServerIsExactOnATimer) {
  IterationsRun r("ring-nvlink", 1, 4, one_job(4));
  const double expected = kIterations * 2 * 3 * (kGradient_bytes / 4 / kNvlink_Bps + kNvlinkLatency_s);
  for (const char* activities : {"shared", "always"}) {
    r.scenario["engine"]["activities"] = activities;
    std::string path = r.dir.write("scenario.json", r.scenario.dump(2));
    ASSERT_EQ(run_cli("run " + path + " --out " + (r.dir / "out") + " --quiet --engine-stats " + (r.dir / "stats.json")).exit_code, 0);
    EXPECT_NEAR(end_of(r.jobs()[0]), expected, 1e-9) << activities;
    // A timer by default: no SimGrid activity at all; with "always", 4 communications (no compute).
    EXPECT_EQ(read_json(r.dir / "stats.json")["simgrid_activities"], std::string(activities) == "shared" ? 0 : 4);
  }
}

// Three servers of 2 GPUs, GPUs taken one by one (multi_gpu spread): a holds srv0's two and srv1's
// first, b (arriving at 0.2 s) srv1's second and srv2's two. Both rings cross srv1's NIC both ways,
// so while they overlap each gets half of it. Per flow, a ring of 3 sends 10 x 4 x S/3 bytes.
// Aggregated, a's flow sends at the full NIC from L until b's starts (0.2 + L), then at half until it
// ends; b then alone. Each then waits the 39 latencies its merged rounds did not pay. Per iteration,
// the rounds' latencies (4 us each, 40 per job) shift who has the link: within them of the same ends.
TEST(IterationsRuns, TwoRingsSharingANicEachSeeHalfOfIt) {
  IterationsRun r("ring-share", 3, 2, "a,0,100,3,10,0,1e9\nb,0.2,100,3,10,0,1e9\n");
  r.scenario["placement"]["multi_gpu"] = "spread";
  const double L = kCrossLatency_s, per_flow = kIterations * 4 * kGradient_bytes / 3;
  const double a_sent_s = 0.2 + L + (per_flow - 0.2 * kNic_Bps) / (kNic_Bps / 2);
  const double b_sent_s = a_sent_s + (per_flow - (a_sent_s - 0.2 - L) * kNic_Bps / 2) / kNic_Bps;
  const double a_end = a_sent_s + 39 * L, b_end = b_sent_s + 39 * L;
  for (const char* aggregate : {"true", "false"}) {
    r.scenario["workload"]["jobs"]["aggregate"] = std::string(aggregate) == "true";
    ASSERT_EQ(r.run(std::string("out-") + aggregate).exit_code, 0);
    auto jobs = r.jobs(std::string("out-") + aggregate);
    const double tolerance = std::string(aggregate) == "true" ? 1e-6 : 40 * L;  // jobs.csv: 6 digits
    EXPECT_NEAR(end_of(jobs[0]), a_end, tolerance) << aggregate;
    EXPECT_NEAR(end_of(jobs[1]), b_end, tolerance) << aggregate;
    EXPECT_GT(std::stod(jobs[0].at("slowdown_network")), 1.6);
  }
}

// Aggregation is exact while the set of jobs sharing a link does not change: b arrives mid-run on
// other servers, with compute between the collectives; per-iteration execution gives the same ends.
TEST(IterationsRuns, AggregatedAndPerIterationEndTogether) {
  IterationsRun r("aggregate", 4, 1, "a,0,100,2,10,3.12e12,1e9\nb,0.05,100,2,10,3.12e12,1e9\n");
  std::vector<double> ends[2];
  for (int aggregate = 0; aggregate < 2; ++aggregate) {
    r.scenario["workload"]["jobs"]["aggregate"] = aggregate == 1;
    std::string out = fmt::format("out-{}", aggregate);
    ASSERT_EQ(r.run(out).exit_code, 0);
    for (const auto& row : r.jobs(out)) ends[aggregate].push_back(end_of(row));
  }
  // 10 x (3.12e12 / 312e12 + 2 x (S/2/B + L)) = 10 x (0.01 + 0.040008)
  EXPECT_NEAR(ends[1][0], 0.50008, 1e-9);
  EXPECT_NEAR(ends[1][1], 0.55008, 1e-9);
  EXPECT_EQ(ends[0], ends[1]);
}

// A straggler: one of the ring's two GPUs at half speed for the whole run. Each iteration's 1 s of
// compute takes it 2 s, and the all-reduce waits for it: 10 x (2 + 2 (S/2/B + L)) = 20.40008 s,
// aggregated or per iteration.
TEST(IterationsRuns, ARingWaitsForItsStraggler) {
  IterationsRun r("ring-straggler", 2, 1, "j,0,100,2,10,3.12e14,1e9\n");
  r.scenario["failures"] = {{"stragglers", {{{"host", "srv-00001-gpu-0"}, {"duration_s", 1000}, {"factor", 0.5}}}}};
  for (bool aggregate : {true, false}) {
    r.scenario["workload"]["jobs"]["aggregate"] = aggregate;
    ASSERT_EQ(r.run().exit_code, 0);
    EXPECT_NEAR(end_of(r.jobs()[0]), 10 * (2 + 2 * (kGradient_bytes / 2 / kNic_Bps + kCrossLatency_s)), 1e-9) << aggregate;
  }
}

// Calibration: the flops per iteration that make the job alone on its placement take duration_s.
TEST(IterationsRuns, CalibrationEndsALoneJobAtItsDuration) {
  IterationsRun r("calibrate", 4, 1, "a,0,3.5,4,10,0,1e9\n");
  r.scenario["workload"]["jobs"]["calibrate"] = true;
  ASSERT_EQ(r.run().exit_code, 0);
  EXPECT_NEAR(end_of(r.jobs()[0]), 3.5, 1e-9);
}

// Profiles: a job without columns takes its tenant's (gradient bytes from parameters x 4 bytes).
TEST(IterationsRuns, ProfilesSizeJobsWithoutColumns) {
  IterationsRun r("profiles", 2, 1, "");
  r.dir.write("jobs.csv", "job_id,submit_s,duration_s,gpus,tenant\na,0,10,2,vision\n");
  r.scenario["workload"]["jobs"]["profiles"] = {{"resnet50", {{"parameters", 25e6}, {"flops_per_sample", 12e9}, {"batch_size", 256}}}};
  r.scenario["workload"]["jobs"]["profile_by_tenant"] = {{"vision", "resnet50"}};
  r.scenario["workload"]["jobs"]["calibrate"] = true;
  ASSERT_EQ(r.run().exit_code, 0) << read_text(r.dir / "scenario.json");
  EXPECT_NEAR(end_of(r.jobs()[0]), 10, 1e-9);
}

TEST(IterationsRuns, BadInputIsRefused) {
  IterationsRun r("bad-input", 2, 1, one_job(2));
  struct Case {
    const char* key;
    nlohmann::json value;
    const char* message;
  };
  for (const Case& c : {Case{"profile", "gpt9", "unknown profile \"gpt9\""},
                        Case{"collective", "butterfly", "/workload/jobs/collective"},
                        Case{"profiles", {{"m", {{"parameters", -1}}}}, "/workload/jobs/profiles/m/parameters"}}) {
    nlohmann::json s = r.scenario;
    s["workload"]["jobs"][c.key] = c.value;
    std::string path = r.dir.write("bad.json", s.dump(2));
    CliResult result = run_cli("run " + path + " --out " + (r.dir / "bad-out") + " --quiet");
    EXPECT_EQ(result.exit_code, 2) << c.key;
    EXPECT_NE(result.err.find(c.message), std::string::npos) << result.err;
  }
  r.dir.write("jobs.csv", "job_id,submit_s,duration_s,gpus,gradient_bytes\nj,0,10,2,-5\n");
  CliResult result = r.run("bad-bytes");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("jobs.csv:2"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("gradient_bytes"), std::string::npos) << result.err;
  r.dir.write("jobs.csv", "job_id,submit_s,duration_s,gpus\nj,0,10,2\n");
  result = r.run("unsized");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("cannot be sized"), std::string::npos) << result.err;
}

// Storage (fat tree: storage-0 behind a 100 GB/s NIC, disk 50 GB/s read and 25 GB/s write; a server
// to storage-0 route is the server's NIC, the rack uplink and storage-0's NIC: 25 GB/s, 3 us).
// One 2-GPU job over two servers, 100 s of calibrated work, checkpoint interval 30 s: K = 3
// checkpoints, so 4 segments of 25 s. Each segment first reads a quarter of the 100 GB dataset, half
// from each server (12.5 GB at 25 GB/s + 3 us on each NIC, 25 GB at 50 GB/s on the disk: 0.500003 s),
// and ends by writing the 50 GB checkpoint from the first server (the disk and the NIC 25 GB/s: 2 s
// + 3 us): 4 x 27.500006 = 110.000024 s.
constexpr double kStorageLatency_s = 3e-6;
constexpr double kSegment_s = 0.5 + kStorageLatency_s + 25 + 2 + kStorageLatency_s;

void with_storage(IterationsRun& r) {
  auto& w = r.scenario["workload"]["jobs"];
  w["calibrate"] = true;
  w["checkpoint_interval_s"] = 30;
  w["profiles"] = {{"llm", {{"parameters", 1e6}, {"dataset_bytes", 1e11}, {"checkpoint_bytes", 5e10}}}};
  w["profile"] = "llm";
}

TEST(IterationsRuns, DatasetReadsAndCheckpointWritesTakeTheirTimeOnStorage) {
  IterationsRun r("storage", 4, 1, "j,0,100,2,10,0,1e9\n");
  with_storage(r);
  ASSERT_EQ(r.run().exit_code, 0);
  auto jobs = r.jobs();
  EXPECT_NEAR(end_of(jobs[0]), 4 * kSegment_s, 1e-6);
  EXPECT_EQ(jobs[0].at("slowdown_network"), "1");  // alone: storage time is in its time alone too
}

// A failure at 50 s (in the second segment) keeps the first segment, written at 27.500006: the job
// loses 22.499994 s on 2 GPUs, restarts elsewhere after restart_s = 10 and runs the 3 segments left.
TEST(IterationsRuns, AFailureKeepsTheSegmentsWhoseCheckpointsWereWritten) {
  IterationsRun r("storage-failure", 4, 1, "j,0,100,2,10,0,1e9\n");
  with_storage(r);
  r.dir.write("failures.csv", "time_s,host,duration_s\n50,srv-00000,100\n");
  r.scenario["failures"] = {{"trace", "failures.csv"}, {"restart_s", 10}};
  ASSERT_EQ(r.run().exit_code, 0);
  auto jobs = r.jobs();
  EXPECT_NEAR(end_of(jobs[0]), 60 + 3 * kSegment_s, 1e-6);
  EXPECT_NEAR(std::stod(jobs[0].at("lost_gpu_s")), 2 * (50 - kSegment_s), 1e-5);
  EXPECT_EQ(jobs[0].at("failures"), "1");
  EXPECT_EQ(jobs[0].at("slowdown_network"), "1");
}

// The same with one GPU (no collective): segments of 25 s + a 50 GB write (2.000003 s); the failure at
// 50 s keeps the first segment (written at 27.000003) and the job ends at 60 + 3 x 27.000003.
TEST(IterationsRuns, AOneGpuJobKeepsItsWrittenSegmentsToo) {
  IterationsRun r("storage-one-gpu", 4, 1, "j,0,100,1,10,0,1e9\n");
  with_storage(r);
  r.scenario["workload"]["jobs"]["profiles"]["llm"].erase("dataset_bytes");
  r.dir.write("failures.csv", "time_s,host,duration_s\n50,srv-00000,100\n");
  r.scenario["failures"] = {{"trace", "failures.csv"}, {"restart_s", 10}};
  ASSERT_EQ(r.run().exit_code, 0);
  auto jobs = r.jobs();
  const double segment_s = 25 + 2 + kStorageLatency_s;
  EXPECT_NEAR(end_of(jobs[0]), 60 + 3 * segment_s, 1e-6);
  EXPECT_NEAR(std::stod(jobs[0].at("lost_gpu_s")), 50 - segment_s, 1e-5);
}

// Two 1-GPU jobs on two servers checkpoint at the same moments: their writes share the disk's
// 25 GB/s (4 s each instead of 2 s + 3 us; their transfers, 50 GB at 25 GB/s each, end first).
TEST(IterationsRuns, CheckpointsWrittenAtOnceShareTheStorageDisk) {
  IterationsRun r("storage-shared", 4, 1, "a,0,100,1,10,0,1e9\nb,0,100,1,10,0,1e9\n");
  with_storage(r);
  r.scenario["workload"]["jobs"]["profiles"]["llm"].erase("dataset_bytes");
  ASSERT_EQ(r.run().exit_code, 0);
  for (const auto& row : r.jobs()) {
    EXPECT_NEAR(end_of(row), 4 * (25 + 4), 1e-6) << row.at("job_id");
    EXPECT_NEAR(std::stod(row.at("slowdown_network")), 116 / (4 * (27 + kStorageLatency_s)), 1e-6);
  }
}

TEST(IterationsRuns, StorageWithoutAStorageHostOrPerIterationCheckpointsIsRefused) {
  IterationsRun r("storage-bad", 4, 1, "j,0,100,2,10,0,1e9\n");
  with_storage(r);
  r.scenario["workload"]["jobs"]["aggregate"] = false;
  CliResult result = r.run("per-iteration");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("/workload/jobs/profiles/llm/checkpoint_bytes"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("aggregate: true"), std::string::npos) << result.err;
  r.scenario["workload"]["jobs"].erase("aggregate");
  r.scenario["workload"]["jobs"].erase("checkpoint_interval_s");
  result = r.run("no-interval");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("/workload/jobs/profiles/llm/checkpoint_bytes: set without workload.jobs.checkpoint_interval_s"),
            std::string::npos) << result.err;
  r.scenario["workload"]["jobs"]["checkpoint_interval_s"] = 30;
  r.scenario["workload"]["jobs"]["profiles"]["llm"]["dataset_bytes"] = -1;
  result = r.run("negative");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("/workload/jobs/profiles/llm/dataset_bytes"), std::string::npos) << result.err;
  CliResult made = run_cli("platform fat-tree --servers 2 --gpus-per-server 1 --gpu-model A100-80GB --no-storage -o " +
                           (r.dir / "platform.xml"));
  ASSERT_EQ(made.exit_code, 0) << made.err;
  r.scenario["workload"]["jobs"]["profiles"]["llm"]["dataset_bytes"] = 1e11;
  result = r.run("no-storage");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("no storage host"), std::string::npos) << result.err;
}

}  // namespace

namespace {

// Progress in iterations: a's 10 iterations of 1 s each (3.12e14 flops on a 312 Tflop/s GPU) are
// preempted at 3.5 s by the urgent b (one such iteration). A trainer resumes at an iteration's end,
// so a keeps 3 iterations, does the fourth again and ends at 4.5 + 7 = 11.5 s (11 s in time alone),
// aggregated or per iteration.
TEST(IterationsRuns, APreemptedJobKeepsItsWholeIterations) {
  IterationsRun r("whole-iterations", 1, 1, "");
  r.dir.write("jobs.csv", "job_id,submit_s,duration_s,gpus,iterations,iteration_flops,gradient_bytes,priority\n"
                          "a,0,10,1,10,3.12e14,0,0\nb,3.5,1,1,1,3.12e14,0,10\n");
  r.scenario["scheduler"] = {{"policy", "priority"}, {"preemptive", true}};
  for (bool aggregate : {true, false}) {
    r.scenario["workload"]["jobs"]["aggregate"] = aggregate;
    ASSERT_EQ(r.run().exit_code, 0);
    auto jobs = r.jobs();
    ASSERT_EQ(jobs.size(), 2u);
    for (const auto& row : jobs) EXPECT_NEAR(end_of(row), row.at("job_id") == "a" ? 11.5 : 4.5, 1e-9) << aggregate;
  }
}

}  // namespace
