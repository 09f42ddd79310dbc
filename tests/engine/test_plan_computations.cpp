// A plan of several computations (ActivityPlan::compute_parts): each computation is a phase that runs
// its part of every execution, the next starts when the slowest has ended. Driven in-process through
// prepare() and run_prepared() with a workload model registered by the test, on GPUs of 1e12 flop/s.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <map>
#include <string>
#include <vector>

#include "sim/policy/workload_model.hpp"
#include "sim/run/run.hpp"
#include "tests/engine/support/engine_support.hpp"
#include "tests/engine/support/run_helpers.hpp"

namespace aidcsim {
namespace {

using testing::TempFolder;

// Each of the job's GPUs does duration_s of work at full speed, split among computations by `parts`.
class PartsModel final : public WorkloadModel {
 public:
  PartsModel(std::vector<std::vector<double>> parts, double work_units) : parts_(std::move(parts)), work_units_(work_units) {}
  ActivityPlan plan(const JobSpec& job, const Allocation& allocation, const Cluster& cluster) override {
    ActivityPlan plan;
    for (const auto& share : allocation.gpus)
      plan.execs.push_back({true, share.gpu, job.duration_s * cluster.gpus[share.gpu].speed_flops, 0});
    plan.compute_parts = parts_;
    plan.work_units = work_units_;
    return plan;
  }

 private:
  std::vector<std::vector<double>> parts_;
  double work_units_;
};

// jobs.csv of a run of `trace` on one server of 2 GPUs, each job's plan split by `parts`.
// The plan counts `work_units` units of work (0: none).
std::vector<std::map<std::string, std::string>> run_rows(const std::vector<std::vector<double>>& parts, const std::string& trace,
                                                         const std::string& extra = "", double work_units = 0) {
  TempFolder dir("plan-computations");
  dir.write("platform.xml", testing::small_platform_xml(1, 2));
  dir.write("trace.csv", trace);
  dir.write("scenario.json", R"({"name": "parts", "platform": "platform.xml",
    "workload": {"jobs": {"path": "trace.csv", "model": "parts"}})" + extra + "}");
  Registries registries = builtin_registries();
  registries.workload_models.add("parts", "test: computations split by parts",
                                 [&](PolicyArgs&) { return std::make_unique<PartsModel>(parts, work_units); });
  auto& engine = make_simgrid_engine(false);
  Prepared p = prepare(engine, dir.path() + "/scenario.json", {}, std::nullopt, registries);
  RunOptions options;
  options.out_dir = dir.path() + "/out";
  run_prepared(engine, p, options);
  return testing::read_csv(dir.path() + "/out/jobs.csv");
}

// The run time of the only job (100 s of work per GPU on 2 GPUs) under a plan split by `parts`.
double run_time_s(const std::vector<std::vector<double>>& parts) {
  auto rows = run_rows(parts, "job_id,submit_s,duration_s,gpus\na,0,100,2\n");
  EXPECT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows.at(0).at("state"), "completed");
  return std::stod(rows.at(0).at("end_s")) - std::stod(rows.at(0).at("start_s"));
}

// Two stages of a pipeline, one per GPU: the second starts when the first has ended.
TEST(PlanComputations, StagesOnTwoGpusFollowEachOther) {
  EXPECT_NEAR(run_time_s({{1, 0}, {0, 1}}), 200, 1e-6);
}

// Each computation lasts its slowest part: max(50, 25) + max(50, 75) = 125 s.
TEST(PlanComputations, EachComputationLastsItsSlowestPart) {
  EXPECT_NEAR(run_time_s({{0.5, 0.25}, {0.5, 0.75}}), 125, 1e-6);
}

// Splitting every execution alike changes nothing: 100 s, as one computation (one run per process:
// SimGrid allows one platform).
TEST(PlanComputations, AnEvenSplitTakesAsLongAsOneComputation) {
  EXPECT_NEAR(run_time_s({{0.3, 0.3}, {0.7, 0.7}}), 100, 1e-6);
}
TEST(PlanComputations, OneComputation) { EXPECT_NEAR(run_time_s({}), 100, 1e-6); }

}  // namespace
}  // namespace aidcsim

namespace aidcsim {
namespace {

// Job a (100 s on each of 2 GPUs, in two stages, `work_units` units) preempted by the urgent b (10 s
// per stage) arriving at `b_submit_s`: both complete, a at `a_end_s` and b at `b_end_s`.
void expect_preempted_ends(double b_submit_s, double work_units, double a_end_s, double b_end_s) {
  auto rows = run_rows({{1, 0}, {0, 1}},
                       fmt::format("job_id,submit_s,duration_s,gpus,priority\na,0,100,2,0\nb,{},10,2,10\n", b_submit_s),
                       R"(, "scheduler": {"policy": "priority", "preemptive": true})", work_units);
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) {
    EXPECT_EQ(row.at("state"), "completed");
    EXPECT_NEAR(std::stod(row.at("end_s")), row.at("job_id") == "a" ? a_end_s : b_end_s, 1e-6) << row.at("job_id");
  }
}

// Preempted in its second stage (at 150 s of 200: three quarters done in time alone), the job keeps
// its progress: the rest is a quarter of each stage, 50 s after the urgent job's 20 s.
TEST(PlanComputations, APreemptedPlanResumesWhereItStopped) { expect_preempted_ends(150, 0, 220, 170); }

// Progress in the model's own units: the plan is 4 units of 50 s. Preempted at 140 s (70 % done in
// time), the job keeps 2 whole units; the third, under way, is done again: 100 s after the urgent
// job's 20 s (10 s in each of the two stages), so it ends at 260 s (220 s if it kept its progress in time).
TEST(PlanComputations, AGracefulStopKeepsWholeUnitsOfWork) { expect_preempted_ends(140, 4, 260, 160); }

// A stop at a unit's end loses nothing: preempted at 150 s (3 of 4 units), it ends at 220 s as in
// time alone.
TEST(PlanComputations, AStopAtAUnitsEndLosesNothing) { expect_preempted_ends(150, 4, 220, 170); }

}  // namespace
}  // namespace aidcsim
