// A model's step with phases of its own (Core::run_model_work with a shape; docs/architecture.md): a
// job of two GPUs on two servers runs, step after step, a computation on its first GPU, the transfer
// of its output to the second GPU's server over the network, and a computation on the second GPU (a
// pipeline of two stages, as an inference iteration split between servers would be). SimGrid runs the
// phases in order; the hand-computed times hold. Driven in-process: the core and the SimGrid engine
// directly, with a test model that observes the run and handles its steps' ends.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "sim/core/core.hpp"
#include "sim/engine/engine.hpp"
#include "sim/engine/platform_loader.hpp"
#include "sim/run/run.hpp"
#include <simgrid/s4u/Engine.hpp>

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

// Runs `steps` steps of job 0 back to back from its run's start, then ends the run. Each step: each GPU
// computes alone_s (0.5 s) in its own phase, with `bytes` from the first GPU to the second in between.
class TwoStageModel final : public LifecycleObserver, public EventHandler {
 public:
  TwoStageModel(int steps, double bytes) : steps_left_(steps), bytes_(bytes) {}
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
    ActivityPlan shape;
    shape.compute_parts = {{1, 0}, {0, 1}};
    shape.comm_rounds = {{CommStep{{true, gpus[0].gpu}, {true, gpus[1].gpu}, bytes_}}};
    shape.phases = {{PhaseKind::compute, 0}, {PhaseKind::round, 0}, {PhaseKind::compute, 1}};
    core->run_model_work(0, 0.5, this, 0, shape);
  }
  int steps_left_;
  double bytes_;
};

}  // namespace

// Three steps of 0.5 s + (1 ms + 1e9 B / 1 GB/s) + 0.5 s = 2.001 s each: they end at 2.001, 4.002 and
// 6.003 s, and so does the run. Without the transfer phase they would end at 1, 2 and 3 s (the two
// computations in turn), and at 0.5, 1 and 1.5 s if they ran together.
TEST(ModelWorkPhases, StepsRunTheirComputationsAndTransferInOrder) {
  TempFolder dir("model-work-phases");
  const std::string platform = dir.write("platform.xml", kTwoServers);
  auto& engine = make_simgrid_engine(false);
  engine.set_config("network/model:CM02");
  engine.set_config("network/crosstraffic:0");
  PlatformHosts hosts;
  Cluster cluster = load_cluster(engine, platform, &hosts);
  ASSERT_EQ(cluster.gpus.size(), 2u);

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
  TwoStageModel model(3, 1e9);
  CoreOptions options;
  options.observers.push_back(&model);
  Core core(cluster, jobs, std::move(policies), options);
  model.core = &core;

  EngineResult result = run_simulation(engine, hosts, core, EngineOptions{});
  ASSERT_EQ(model.step_ends_s.size(), 3u);
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(model.step_ends_s[k], 2.001 * (k + 1), 1e-9) << "step " << k;
  EXPECT_EQ(core.runs()[0].state, JobState::completed);
  EXPECT_NEAR(core.runs()[0].end_s, 6.003, 1e-9);
  EXPECT_EQ(result.simgrid_activities, 9);  // per step: two executions and one transfer
}

}  // namespace aidcsim
