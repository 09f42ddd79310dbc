// A model's step with phases of its own (Core::run_model_work with a shape; docs/architecture.md): a
// job of two GPUs on two servers runs, step after step, a computation on its first GPU, the transfer
// of its output to the second GPU's server over the network, and a computation on the second GPU (a
// pipeline of two stages, as an inference iteration split between servers would be). SimGrid runs the
// phases in order; the hand-computed times hold. A transfer between two GPUs of one server runs in
// SimGrid too (a run's plan there could be an exact timer). Driven in-process: the core and the SimGrid engine
// directly, with a test model that observes the run and handles its steps' ends.
#include <gtest/gtest.h>
#include <simgrid/s4u/Engine.hpp>

#include <cmath>
#include <functional>
#include <memory>
#include <vector>

#include "sim/core/core.hpp"
#include "sim/engine/engine.hpp"
#include "sim/engine/platform_loader.hpp"
#include "sim/run/run.hpp"
#include "tests/engine/support/engine_support.hpp"
#include "tests/engine/support/run_helpers.hpp"
#include "tests/unit/unit_support.hpp"

namespace aidcsim {
namespace {

using testing::TempFolder;

// Two servers, each with one GPU of 1 Tflop/s behind a PCIe link of 32 GB/s (no latency); the servers
// meet over a link of 1 GB/s and 1 ms. From one GPU to the other: 1 ms + bytes / 1 GB/s (CM02
// without cross-traffic; the TCP window bounds a flow at 4 MiB / 2 ms, above 1 GB/s).
const char* kTwoServers = R"(<?xml version='1.0'?>
<!DOCTYPE platform SYSTEM "https://simgrid.org/simgrid.dtd">
<platform version="4.1">
<zone id="dc" routing="Full">
  <host id="srv0" speed="1Gf" core="8"><prop id="kind" value="server"/><prop id="memory" value="64GiB"/></host>
  <host id="srv1" speed="1Gf" core="8"><prop id="kind" value="server"/><prop id="memory" value="64GiB"/></host>
  <host id="srv0-gpu0" speed="1Tf"><prop id="kind" value="gpu"/><prop id="server" value="srv0"/><prop id="gpu_model" value="A100-80GB"/><prop id="gpu_memory" value="80GiB"/></host>
  <host id="srv1-gpu0" speed="1Tf"><prop id="kind" value="gpu"/><prop id="server" value="srv1"/><prop id="gpu_model" value="A100-80GB"/><prop id="gpu_memory" value="80GiB"/></host>
  <link id="pcie0" bandwidth="32GBps" latency="0"/>
  <link id="pcie1" bandwidth="32GBps" latency="0"/>
  <link id="net" bandwidth="1GBps" latency="1ms"/>
  <route src="srv0-gpu0" dst="srv0"><link_ctn id="pcie0"/></route>
  <route src="srv1-gpu0" dst="srv1"><link_ctn id="pcie1"/></route>
  <route src="srv0" dst="srv1"><link_ctn id="net"/></route>
  <route src="srv0-gpu0" dst="srv1-gpu0"><link_ctn id="pcie0"/><link_ctn id="net"/><link_ctn id="pcie1"/></route>
</zone>
</platform>
)";

// One server with two GPUs of 1 Tflop/s joined by an NVLink-like link of 10 GB/s and 1 us (the TCP
// window bounds a flow at 4 MiB / 2 us, far above 10 GB/s).
const char* kOneServer = R"(<?xml version='1.0'?>
<!DOCTYPE platform SYSTEM "https://simgrid.org/simgrid.dtd">
<platform version="4.1">
<zone id="dc" routing="Full">
  <host id="srv0" speed="1Gf" core="8"><prop id="kind" value="server"/><prop id="memory" value="64GiB"/></host>
  <host id="srv0-gpu0" speed="1Tf"><prop id="kind" value="gpu"/><prop id="server" value="srv0"/><prop id="gpu_model" value="A100-80GB"/><prop id="gpu_memory" value="80GiB"/></host>
  <host id="srv0-gpu1" speed="1Tf"><prop id="kind" value="gpu"/><prop id="server" value="srv0"/><prop id="gpu_model" value="A100-80GB"/><prop id="gpu_memory" value="80GiB"/></host>
  <link id="pcie0" bandwidth="32GBps" latency="0"/>
  <link id="pcie1" bandwidth="32GBps" latency="0"/>
  <link id="nvlink" bandwidth="10GBps" latency="1us"/>
  <route src="srv0-gpu0" dst="srv0"><link_ctn id="pcie0"/></route>
  <route src="srv0-gpu1" dst="srv0"><link_ctn id="pcie1"/></route>
  <route src="srv0-gpu0" dst="srv0-gpu1"><link_ctn id="nvlink"/></route>
</zone>
</platform>
)";

// The shape of one step of a job on GPUs `first` and `second`.
using ShapeOf = std::function<ActivityPlan(GpuIndex first, GpuIndex second)>;

// Runs `steps` steps of job 0 back to back from its run's start, then ends the run. Each step: each GPU
// computes alone_s (0.5 s), in the phases `shape_of` gives.
class SteppingModel final : public LifecycleObserver, public EventHandler {
 public:
  SteppingModel(int steps, ShapeOf shape_of) : steps_left_(steps), shape_of_(std::move(shape_of)) {}
  Core* core = nullptr;
  std::vector<double> step_ends_s;

  void work_planned(JobIndex j, const ActivityPlan&, double work_start_s, double now) override {
    if (j == 0 && !std::isnan(work_start_s) && work_start_s <= now) step();
  }
  void on_event(std::uint64_t, double now_s) override {
    step_ends_s.push_back(now_s);
    if (--steps_left_ > 0) step();
    else core->complete_now(0, now_s);
  }

 private:
  void step() {
    const auto& gpus = core->live_run(0)->allocation.gpus;
    core->run_model_work(0, 0.5, this, 0, shape_of_(gpus[0].gpu, gpus[1].gpu));
  }
  int steps_left_;
  ShapeOf shape_of_;
};

struct SteppedRun {
  std::vector<double> step_ends_s;
  double end_s = 0;
  JobState state = JobState::pending;
  long long simgrid_activities = 0;
};

// Three steps of a job of 2 GPUs (its work run by the model) on `platform_xml`, CM02 without
// cross-traffic, FIFO and first-fit.
SteppedRun run_steps(const char* platform_xml, ShapeOf shape_of) {
  TempFolder dir("model-work-phases");
  const std::string platform = dir.write("platform.xml", platform_xml);
  auto& engine = make_simgrid_engine(false);
  engine.set_config("network/model:CM02");
  engine.set_config("network/crosstraffic:0");
  PlatformHosts hosts;
  Cluster cluster = load_cluster(engine, platform, &hosts);

  JobSpec replica;
  replica.job_id = "replica";
  replica.duration_s = 1e9;
  replica.gpus = 2;
  replica.cpus = 1;
  replica.work_by_model = true;
  std::vector<JobSpec> jobs{replica};
  const Registries& r = builtin_registries();
  Policies policies;
  policies.scheduler = unit::make_policy(r.schedulers, "fifo", cluster, jobs);
  policies.placement = unit::make_policy(r.placements, "first-fit", cluster, jobs);
  policies.workload_model = unit::make_policy(r.workload_models, "trace", cluster, jobs);
  policies.monitor = unit::make_policy(r.monitors, "periodic", cluster, jobs);
  SteppingModel model(3, std::move(shape_of));
  CoreOptions options;
  options.observers.push_back(&model);
  Core core(cluster, jobs, std::move(policies), options);
  model.core = &core;

  EngineResult result = run_simulation(engine, hosts, core, EngineOptions{});
  return {model.step_ends_s, core.runs()[0].end_s, core.runs()[0].state, result.simgrid_activities};
}

}  // namespace

// Three steps of 0.5 s + (1 ms + 1e9 B / 1 GB/s) + 0.5 s = 2.001 s each: they end at 2.001, 4.002 and
// 6.003 s, and so does the run. Without the transfer phase they would end at 1, 2 and 3 s (the two
// computations in turn), and at 0.5, 1 and 1.5 s if they ran together.
TEST(ModelWorkPhases, StepsRunTheirComputationsAndTransferInOrder) {
  SteppedRun run = run_steps(kTwoServers, [](GpuIndex first, GpuIndex second) {
    ActivityPlan shape;
    shape.compute_parts = {{1, 0}, {0, 1}};
    shape.comm_rounds = {{CommStep{{true, first}, {true, second}, 1e9}}};
    shape.phases = {{PhaseKind::compute, 0}, {PhaseKind::round, 0}, {PhaseKind::compute, 1}};
    return shape;
  });
  ASSERT_EQ(run.step_ends_s.size(), 3u);
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(run.step_ends_s[k], 2.001 * (k + 1), 1e-9) << "step " << k;
  EXPECT_EQ(run.state, JobState::completed);
  EXPECT_NEAR(run.end_s, 6.003, 1e-9);
  EXPECT_EQ(run.simgrid_activities, 9);  // per step: two executions and one transfer
}

// Both GPUs compute 0.5 s together, then 1e9 B go from one to the other over the 10 GB/s, 1 us link:
// 0.5 + 0.000001 + 0.1 = 0.600001 s a step. Exclusive GPUs of one server with exact routes would let a run's
// plan be a timer; a model's step gives no time alone for its transfer, so it runs in SimGrid (a timer
// would end the steps at 0.5, 1 and 1.5 s).
TEST(ModelWorkPhases, ATransferWithinOneServerIsNotATimer) {
  SteppedRun run = run_steps(kOneServer, [](GpuIndex first, GpuIndex second) {
    ActivityPlan shape;
    shape.comm_rounds = {{CommStep{{true, first}, {true, second}, 1e9}}};
    return shape;
  });
  ASSERT_EQ(run.step_ends_s.size(), 3u);
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(run.step_ends_s[k], 0.600001 * (k + 1), 1e-9) << "step " << k;
  EXPECT_EQ(run.state, JobState::completed);
  EXPECT_EQ(run.simgrid_activities, 9);  // per step: two executions and one transfer
}

}  // namespace aidcsim
