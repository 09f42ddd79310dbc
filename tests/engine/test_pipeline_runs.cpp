// The pipeline workload model (docs/network.md, "Pipeline parallelism") through the CLI, on a
// generated fat tree with CM02 and one GPU per server: GPipe's iteration of M micro-batches through S
// stages lasts (M + S - 1) / M of its computation, and each of the 2(M + S - 2) rounds of activations
// and gradients between neighbouring stages adds A/B + L (no two flows of a round share a direction of
// a link); bad input is refused with exit code 2.
#include <gtest/gtest.h>

#include <string>

#include <fmt/format.h>

#include "tests/engine/support/engine_support.hpp"
#include "tests/engine/support/run_helpers.hpp"

using namespace aidcsim::testing;

namespace {

constexpr double kNic_Bps = 25e9, kCrossLatency_s = 4e-6;  // a GPU-to-GPU route across servers
constexpr int kIterations = 10;

struct PipelineRun {
  TempFolder dir;
  nlohmann::json scenario;
  explicit PipelineRun(const std::string& name, const std::string& jobs) : dir(name) {
    CliResult made = run_cli(fmt::format("platform fat-tree --servers 4 --gpus-per-server 1 --gpu-model A100-80GB -o {}",
                                         dir / "platform.xml"));
    EXPECT_EQ(made.exit_code, 0) << made.err;
    dir.write("jobs.csv", "job_id,submit_s,duration_s,gpus,iterations\n" + jobs);
    scenario = {{"name", name},
                {"platform", "platform.xml"},
                {"workload", {{"jobs", {{"path", "jobs.csv"}, {"format", "native"}, {"model", "pipeline"}}}}},
                {"engine", {{"network_model", "CM02"}}}};
  }
  CliResult run() {
    std::string path = dir.write("scenario.json", scenario.dump(2));
    return run_cli("run " + path + " --out " + (dir / "out") + " --quiet");
  }
  double run_s() {
    CliResult r = run();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto rows = read_csv(dir / "out/jobs.csv");
    EXPECT_EQ(rows.size(), 1u);
    return std::stod(rows.at(0).at("end_s")) - std::stod(rows.at(0).at("start_s"));
  }
};

const std::string kFourStages = fmt::format("j,0,100,4,{}\n", kIterations);

class GpipeBubble : public ::testing::TestWithParam<int> {};

// 100 s of computation per GPU becomes 100 (M + 3) / M: 175 s for M = 4, 118.75 s for M = 16.
TEST_P(GpipeBubble, AnIterationLastsMPlusSMinusOneMicroBatches) {
  const int m = GetParam();
  PipelineRun r(fmt::format("gpipe-{}", m), kFourStages);
  r.scenario["workload"]["jobs"]["micro_batches"] = m;
  EXPECT_NEAR(r.run_s(), 100.0 * (m + 3) / m, 1e-6);
}
INSTANTIATE_TEST_SUITE_P(MicroBatches, GpipeBubble, ::testing::Values(4, 16));

TEST(PipelineRuns, ActivationsAddTheirRoundsBetweenStages) {
  PipelineRun r("gpipe-activations", kFourStages);
  r.scenario["workload"]["jobs"]["micro_batches"] = 4;
  r.scenario["workload"]["jobs"]["activation_bytes"] = 1e9;
  const double rounds = kIterations * 2 * (4 + 4 - 2);
  EXPECT_NEAR(r.run_s(), 175 + rounds * (1e9 / kNic_Bps + kCrossLatency_s), 1e-6);
}

// Two stages of two GPUs: (M + 1) / M; a job on one GPU is one stage, as under the trace model.
TEST(PipelineRuns, StagesOfSeveralGpusAndASingleStage) {
  PipelineRun two("gpipe-two-stages", kFourStages);
  two.scenario["workload"]["jobs"]["stages"] = 2;
  EXPECT_NEAR(two.run_s(), 100.0 * 5 / 4, 1e-6);
  PipelineRun one("gpipe-one-gpu", fmt::format("j,0,100,1,{}\n", kIterations));
  EXPECT_NEAR(one.run_s(), 100, 1e-6);
}

TEST(PipelineRuns, AGpuCountThatIsNotAMultipleOfTheStagesIsRefused) {
  PipelineRun r("gpipe-misfit", kFourStages);
  r.scenario["workload"]["jobs"]["stages"] = 3;
  CliResult result = r.run();
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("/workload/jobs/stages: 1 job(s) (first: \"j\") have a GPU count that is not a multiple of 3 stages"),
            std::string::npos)
      << result.err;
}

}  // namespace
