// A replica's iterations are work on its GPUs (Core::run_model_work; docs/inference.md): the GPUs
// draw full power only in iterations, SimGrid's own energy plugin sees the same load when the
// iterations are SimGrid executions, and a GPU shared under time-slicing with a training job slows
// both by the hand-derived amount.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "tests/engine/support/engine_support.hpp"
#include "tests/engine/support/run_helpers.hpp"

using namespace aidcsim::testing;

namespace {

// One server with one GPU of 192 GiB ("MI300X", 100 TFLOP/s), both with power props (the plugin
// knows only those): the GPU draws 50 W idle and 400 W loaded.
const char* kOneGpuPlatform = R"(<?xml version='1.0'?>
<!DOCTYPE platform SYSTEM "https://simgrid.org/simgrid.dtd">
<platform version="4.1">
<zone id="dc" routing="Full">
  <host id="srv0" speed="1Gf" core="64"><prop id="kind" value="server"/><prop id="memory" value="1TiB"/><prop id="wattage_per_state" value="100:300"/></host>
  <host id="srv0-gpu0" speed="100Tf"><prop id="kind" value="gpu"/><prop id="server" value="srv0"/><prop id="gpu_model" value="MI300X"/><prop id="gpu_memory" value="192GiB"/><prop id="wattage_per_state" value="50:400"/></host>
  <link id="pcie0" bandwidth="32GBps" latency="0"/>
  <route src="srv0-gpu0" dst="srv0"><link_ctn id="pcie0"/></route>
</zone>
</platform>
)";

// A toy table for llama2-70b on one MI300X: prefill 10 ms + 1 ms per 10 tokens (1 s for 1,000 tokens
// alone), decode 20 ms per iteration at any batch size.
const char* kToyTable =
    "model,hardware,prompt_size,batch_size,prompt_time,token_time,tensor_parallel\n"
    "llama2-70b,mi300x,1,1,10.099,20,1\n"
    "llama2-70b,mi300x,1000,1,1000,20,1\n";

struct GpuWorkRun {
  TempFolder dir;
  nlohmann::json scenario;
  GpuWorkRun(const std::string& name, const std::string& jobs, const std::string& requests) : dir(name) {
    dir.write("platform.xml", kOneGpuPlatform);
    dir.write("perf.csv", kToyTable);
    dir.write("jobs.csv", jobs);
    dir.write("requests.csv", requests);
    nlohmann::json service = {{"name", "chat"},
                              {"model", "llama2-70b"},
                              {"gpu_model", "MI300X"},
                              {"tensor_parallel", 1},
                              {"replicas", 1},
                              {"perf_table", "perf.csv"},
                              {"requests", {{"path", "requests.csv"}, {"format", "native-requests"}}}};
    scenario = {{"name", name},
                {"platform", "platform.xml"},
                {"workload", {{"jobs", {{"path", "jobs.csv"}, {"format", "native"}}}, {"services", {service}}}},
                {"monitoring", {{"interval_s", 60}}}};
  }
  CliResult run(const std::string& out) {
    std::string path = dir.write("scenario.json", scenario.dump(2));
    return run_cli("run " + path + " --out " + (dir / out) + " --quiet");
  }
};

const char* kNoJobs = "job_id,submit_s,duration_s,gpus\n";
// 1,000 prompt tokens and 101 output tokens: 1 s of prefill (with the first token) and 100 decode
// iterations of 20 ms, W = 3 s of work alone.
const char* kOneRequest = "request_id,arrival_s,prompt_tokens,output_tokens\nr0,0,1000,101\n";

}  // namespace

// Alone on its GPU, the replica serves the request in W = 3 s, and the GPU is busy only then: with
// iterations as SimGrid executions (engine.activities always) the SimGrid host energy plugin measures
// exactly what aidcsim's power model counts, and both runs give the same request times.
TEST(InferenceGpuWork, IterationsLoadTheGpuOnlyWhileTheyRun) {
  GpuWorkRun r("inference-gpu-work-alone", kNoJobs,
               "request_id,arrival_s,prompt_tokens,output_tokens\nr0,0,1000,101\nr1,10,1000,101\n");
  ASSERT_EQ(r.run("timers").exit_code, 0);
  r.scenario["engine"] = {{"activities", "always"}};
  CliResult always = r.run("always");
  ASSERT_EQ(always.exit_code, 0) << always.err;
  for (const char* out : {"timers", "always"}) {
    auto rows = read_csv(r.dir / (std::string(out) + "/requests.csv"));
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_NEAR(std::stod(rows[0]["e2e_s"]), 3.0, 1e-9) << out;
    EXPECT_NEAR(std::stod(rows[1]["end_s"]), 13.0, 1e-9) << out;
    // From 0 to 13 s the replica holds the GPU; 6 s of it in iterations.
    auto summary = read_json(r.dir / (std::string(out) + "/summary.json"));
    EXPECT_NEAR(summary["gpu_busy"].get<double>(), 6.0 / 13.0, 1e-6) << out;
    const auto& e = summary["energy_j"];
    EXPECT_NEAR(e["gpu"].get<double>(), 50 * 7.0 + 400 * 6.0, 1e-6) << e.dump();
  }
  auto e = read_json(r.dir / "always/summary.json")["energy_j"];
  ASSERT_TRUE(e["simgrid_plugin"].is_number()) << e.dump();
  EXPECT_NEAR(e["simgrid_plugin"].get<double>(), e["total"].get<double>(), 1e-9 * e["total"].get<double>()) << e.dump();
}

// Time-slicing puts a 1-GPU training job (8 GiB) beside the replica (0.9 x 192 GiB) on the one GPU.
// SimGrid shares the GPU between the iterations and the training job's execution: while both run each
// goes at half speed, so the request takes 2W = 6 s and the training job, 100 s alone, gets W of work
// done in those 6 s and ends at 6 + (100 - 3) = 103 s.
TEST(InferenceGpuWork, IterationsShareATimeSlicedGpuWithTraining) {
  GpuWorkRun r("inference-gpu-work-shared", "job_id,submit_s,duration_s,gpus,gpu_mem_gib\ntrain,0,100,1,8\n", kOneRequest);
  r.scenario["virtualization"] = {{"gpu_sharing", "time-slicing"}};
  CliResult result = r.run("out");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto requests = read_csv(r.dir / "out/requests.csv");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_NEAR(std::stod(requests[0]["ttft_s"]), 2.0, 1e-6);
  EXPECT_NEAR(std::stod(requests[0]["e2e_s"]), 6.0, 1e-6);
  auto jobs = rows_by_id(r.dir / "out/jobs.csv");
  EXPECT_EQ(jobs["train"]["start_s"], "0");
  EXPECT_NEAR(std::stod(jobs["train"]["end_s"]), 103.0, 1e-6);
  EXPECT_NEAR(std::stod(jobs["chat/replica-0"]["end_s"]), 6.0, 1e-6);
  // Without the training job the same request takes W.
  GpuWorkRun alone("inference-gpu-work-unshared", kNoJobs, kOneRequest);
  alone.scenario["virtualization"] = {{"gpu_sharing", "time-slicing"}};
  ASSERT_EQ(alone.run("out").exit_code, 0);
  EXPECT_NEAR(std::stod(read_csv(alone.dir / "out/requests.csv")[0]["e2e_s"]), 3.0, 1e-6);
}

// A replica whose GPU a training job cannot join: under exclusive GPUs the two compete for the one
// GPU. Both are submitted at 0 and FIFO takes the trace's job first (the replicas follow the trace's
// jobs at equal times): the replica waits for its end at 100 and the request then takes W: it ends at
// 103.
TEST(InferenceGpuWork, ExclusiveGpusKeepTrainingOff) {
  GpuWorkRun r("inference-gpu-work-exclusive", "job_id,submit_s,duration_s,gpus,gpu_mem_gib\ntrain,0,100,1,8\n", kOneRequest);
  ASSERT_EQ(r.run("out").exit_code, 0);
  auto jobs = rows_by_id(r.dir / "out/jobs.csv");
  EXPECT_EQ(jobs["train"]["start_s"], "0");
  EXPECT_NEAR(std::stod(jobs["train"]["end_s"]), 100.0, 1e-9);
  EXPECT_NEAR(std::stod(jobs["chat/replica-0"]["start_s"]), 100.0, 1e-9);
  EXPECT_NEAR(std::stod(read_csv(r.dir / "out/requests.csv")[0]["end_s"]), 103.0, 1e-9);
}
