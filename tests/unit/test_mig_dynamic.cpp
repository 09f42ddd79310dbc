// MIG dynamic layouts on hand-built clusters (no SimGrid): where new instances go, re-partitioning
// idle slices, reuse without reconfiguration, whole-GPU jobs, the exclusive fallback for
// unpartitioned GPUs, option checking. See docs/gpu_sharing.md (mig).
#include <gtest/gtest.h>

#include "models/sharing/sharing.hpp"
#include "tests/unit/sharing_support.hpp"
#include "tests/unit/unit_support.hpp"

using namespace aidcsim;
using namespace aidcsim::unit;
using sharing_kit::job;

namespace {

std::unique_ptr<sharing_kit::Made> make_mig(const Cluster& cluster, nlohmann::json options) {
  return sharing_kit::make("mig", cluster, std::move(options));
}

Allocation on_gpu(GpuIndex g, int milli, int gpus_per_server = 1) {
  return Allocation{{{g, milli}}, {{static_cast<ServerIndex>(g / gpus_per_server), 1, 0}}};
}

int profile_index(const MigModel& model, const std::string& name) {
  for (std::size_t p = 0; p < model.profiles.size(); ++p)
    if (model.profiles[p].name == name) return static_cast<int>(p);
  return -1;
}

const nlohmann::json kDynamic = {{"layouts", "dynamic"}, {"reconfigure_s", 5}};

}  // namespace

TEST(MigDynamic, StaticLayoutsGetNvidiaPositions) {
  const MigModel& a100 = *find_mig_model("A100-80GB");
  int g1 = profile_index(a100, "1g.10gb"), g3 = profile_index(a100, "3g.40gb"), g4 = profile_index(a100, "4g.40gb");
  EXPECT_EQ(place_mig_instances(a100, {g3, g4}), (std::vector<int>{4, 0}));
  EXPECT_EQ(place_mig_instances(a100, {g3, g3}), (std::vector<int>{0, 4}));
  EXPECT_FALSE(place_mig_instances(a100, {g4, g4}));
  EXPECT_FALSE(place_mig_instances(a100, {g3, g3, g1}));
}

TEST(MigDynamic, NewInstancesGoHighFirstAndNeverOverBusySlices) {
  const MigModel& a100 = *find_mig_model("A100-80GB");
  int g1 = profile_index(a100, "1g.10gb"), g2 = profile_index(a100, "2g.20gb"), g3 = profile_index(a100, "3g.40gb"),
      g4 = profile_index(a100, "4g.40gb"), g7 = profile_index(a100, "7g.80gb"), g1x2 = profile_index(a100, "1g.20gb");
  std::vector<MigInstance> none;
  EXPECT_EQ(mig_dynamic_start(a100, g1, none), 6);
  EXPECT_EQ(mig_dynamic_start(a100, g1x2, none), 6);
  EXPECT_EQ(mig_dynamic_start(a100, g2, none), 4);
  EXPECT_EQ(mig_dynamic_start(a100, g3, none), 4);
  EXPECT_EQ(mig_dynamic_start(a100, g4, none), 0);
  EXPECT_EQ(mig_dynamic_start(a100, g7, none), 0);
  // A busy 3g at 4: a 4g still fits at 0 (the reason for packing from the top); a 7g does not.
  std::vector<MigInstance> busy3{{g3, 4, 0}};
  EXPECT_EQ(mig_dynamic_start(a100, g4, busy3), 0);
  EXPECT_EQ(mig_dynamic_start(a100, g1, busy3), 3);
  EXPECT_EQ(mig_dynamic_start(a100, g7, busy3), -1);
  // Idle instances in the way may go; the fewest idle compute slices destroyed wins, then the highest start.
  std::vector<MigInstance> idle4_busy3{{g4, 0, kNoMigJob}, {g3, 4, 1}};
  EXPECT_EQ(mig_dynamic_start(a100, g1, idle4_busy3), 3);  // destroys the idle 4g
  std::vector<MigInstance> idle1_at6{{g1, 6, kNoMigJob}};
  EXPECT_EQ(mig_dynamic_start(a100, g1, idle1_at6), 5);  // a free position beats destroying
  EXPECT_EQ(mig_dynamic_start(a100, g3, idle1_at6), 0);
  EXPECT_EQ(mig_dynamic_start(a100, g7, idle1_at6), 0);
  // Busy 3g at 0 and 4: no 1g anywhere (every valid position overlaps a busy instance).
  std::vector<MigInstance> two3{{g3, 0, 1}, {g3, 4, 2}};
  EXPECT_EQ(mig_dynamic_start(a100, g1, two3), -1);
  const MigModel& a30 = *find_mig_model("A30-24GB");
  EXPECT_EQ(mig_dynamic_start(a30, profile_index(a30, "1g.6gb"), none), 3);
  EXPECT_EQ(mig_dynamic_start(a30, profile_index(a30, "2g.12gb"), none), 2);
  EXPECT_EQ(mig_dynamic_start(a30, profile_index(a30, "4g.24gb"), none), 0);
}

TEST(MigDynamic, OneGThenThreeGOnAnEmptyA100BothReconfigure) {
  Cluster c = uniform_cluster(1, 1);
  auto m = make_mig(c, kDynamic);
  ASSERT_TRUE(m->problems.empty()) << m->problems.size();
  std::vector<char> allowed;
  std::string reason;
  EXPECT_EQ(m->sharing->admission_milli(job(1, 100), allowed, c, reason), 142);
  EXPECT_EQ(m->sharing->admission_milli(job(1, 400), allowed, c, reason), 428);

  auto a = m->sharing->bind(1, job(1, 100), on_gpu(0, 142), c);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->gpus[0].milli, 142);
  EXPECT_DOUBLE_EQ(m->sharing->bind_delay_s(1), 5);
  auto b = m->sharing->bind(2, job(1, 400), on_gpu(0, 428), c);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->gpus[0].milli, 428);
  EXPECT_DOUBLE_EQ(m->sharing->bind_delay_s(2), 5);
  // Each runs isolated at k/7 of the GPU's speed.
  ActivityPlan plan{.execs = {{true, 0, 4e12, 4e11}}};
  m->sharing->adjust(2, job(1, 400), plan, c, {1});
  EXPECT_DOUBLE_EQ(plan.execs[0].bound_flops, 3e12 / 7);
  EXPECT_TRUE(m->sharing->isolated(plan));
  // 1g at 6 and 3g at 0 are busy: a 4g (0.5) has no valid position left, a 2g goes to 4.
  EXPECT_FALSE(m->sharing->bind(3, job(1, 500), on_gpu(0, 571), c));
  EXPECT_DOUBLE_EQ(m->sharing->bind_delay_s(3), 0);
  EXPECT_TRUE(m->sharing->bind(4, job(1, 200), on_gpu(0, 285), c));
}

TEST(MigDynamic, NoReconfigurationOverBusySlices) {
  Cluster c = uniform_cluster(1, 1);
  auto m = make_mig(c, kDynamic);
  // Two 3g jobs take slices 4-7 and 0-3; a 1g job then has room in the ledger (1000 - 2 x 428 = 144
  // milli) but no valid position whose slices are idle.
  ASSERT_TRUE(m->sharing->bind(1, job(1, 400), on_gpu(0, 428), c));
  ASSERT_TRUE(m->sharing->bind(2, job(1, 400), on_gpu(0, 428), c));
  EXPECT_FALSE(m->sharing->bind(3, job(1, 100), on_gpu(0, 142), c));
  // Once the first 3g ends, its idle instance is destroyed for the 1g (a new instance: delay again).
  m->sharing->unbind(1);
  auto a = m->sharing->bind(3, job(1, 100), on_gpu(0, 142), c);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->gpus[0].milli, 142);
  EXPECT_DOUBLE_EQ(m->sharing->bind_delay_s(3), 5);
}

TEST(MigDynamic, AnIdleInstanceIsReusedWithoutReconfiguration) {
  Cluster c = uniform_cluster(1, 1);
  auto m = make_mig(c, kDynamic);
  ASSERT_TRUE(m->sharing->bind(1, job(1, 400), on_gpu(0, 428), c));
  EXPECT_DOUBLE_EQ(m->sharing->bind_delay_s(1), 5);
  m->sharing->unbind(1);
  EXPECT_DOUBLE_EQ(m->sharing->bind_delay_s(1), 0);  // nothing bound any more
  auto again = m->sharing->bind(2, job(1, 300, 30), on_gpu(0, 428), c);  // also maps to 3g.40gb
  ASSERT_TRUE(again);
  EXPECT_EQ(again->gpus[0].milli, 428);
  EXPECT_DOUBLE_EQ(m->sharing->bind_delay_s(2), 0);
  // A second 3g gets a new instance at 0, next to the first.
  ASSERT_TRUE(m->sharing->bind(3, job(1, 400), on_gpu(0, 428), c));
  EXPECT_DOUBLE_EQ(m->sharing->bind_delay_s(3), 5);
}

TEST(MigDynamic, WholeGpuJobsClearIdleInstancesAtACost) {
  Cluster c = uniform_cluster(1, 2);
  auto m = make_mig(c, kDynamic);
  std::vector<char> allowed;
  std::string reason;
  EXPECT_EQ(m->sharing->admission_milli(job(1, 1000), allowed, c, reason), 1000);
  EXPECT_EQ(m->sharing->admission_milli(job(1, 600), allowed, c, reason), 1000);  // 7g.80gb
  // An unpartitioned GPU: no reconfiguration.
  Allocation whole0 = on_gpu(0, 1000, 2);
  EXPECT_TRUE(m->sharing->bind(1, job(1, 1000), whole0, c));
  EXPECT_DOUBLE_EQ(m->sharing->bind_delay_s(1), 0);
  ActivityPlan plan{.execs = {{true, 0, 1e13, 0}}};
  m->sharing->adjust(1, job(1, 1000), plan, c, {0});
  EXPECT_DOUBLE_EQ(plan.execs[0].bound_flops, 0);  // full speed
  m->sharing->unbind(1);
  // An idle 1g instance on GPU 1: a 2-GPU job destroys it first.
  ASSERT_TRUE(m->sharing->bind(2, job(1, 100), on_gpu(1, 142, 2), c));
  m->sharing->unbind(2);
  Allocation both{{{0, 1000}, {1, 1000}}, {{0, 2, 0}}};
  EXPECT_TRUE(m->sharing->bind(3, job(2, 1000), both, c));
  EXPECT_DOUBLE_EQ(m->sharing->bind_delay_s(3), 5);
  m->sharing->unbind(3);
  // GPU 1 is unpartitioned again: the next 1g creates an instance (delay), a 7g job too.
  ASSERT_TRUE(m->sharing->bind(4, job(1, 100), on_gpu(1, 142, 2), c));
  EXPECT_DOUBLE_EQ(m->sharing->bind_delay_s(4), 5);
  ASSERT_TRUE(m->sharing->bind(5, job(1, 600), on_gpu(0, 1000, 2), c));
  EXPECT_DOUBLE_EQ(m->sharing->bind_delay_s(5), 5);
}

TEST(MigDynamic, SmallestProfileOfTheModel) {
  Cluster c = uniform_cluster(1, 1);
  auto m = make_mig(c, kDynamic);
  std::vector<char> allowed;
  std::string reason;
  EXPECT_EQ(m->sharing->admission_milli(job(1, 100, 15), allowed, c, reason), 142);  // 1g.20gb
  EXPECT_EQ(m->sharing->admission_milli(job(1, 200), allowed, c, reason), 285);      // 2g.20gb
  EXPECT_EQ(m->sharing->admission_milli(job(1, 500), allowed, c, reason), 571);      // 4g.40gb
  EXPECT_EQ(m->sharing->admission_milli(job(1, 100, 81), allowed, c, reason), 0);   // more than 80 GiB
  EXPECT_FALSE(reason.empty());
  // 1g.20gb takes two memory slices: two of them, then a 1g.10gb, fill 6-7, 4-5 and 3.
  ASSERT_TRUE(m->sharing->bind(1, job(1, 100, 15), on_gpu(0, 142), c));
  ASSERT_TRUE(m->sharing->bind(2, job(1, 100, 15), on_gpu(0, 142), c));
  ASSERT_TRUE(m->sharing->bind(3, job(1, 100), on_gpu(0, 142), c));
  EXPECT_FALSE(m->sharing->bind(4, job(1, 400), on_gpu(0, 428), c));  // 3g: 0-3 overlaps slice 3
}

TEST(MigDynamic, UnpartitionedGpusFallBackToExclusive) {
  Cluster c = make_cluster({{{"A100-80GB", "V100-32GB"}}});
  int a100 = c.model_index.at("A100-80GB"), v100 = c.model_index.at("V100-32GB");
  GpuIndex v100_gpu = c.gpus[0].model_index == v100 ? 0 : 1;
  auto m = make_mig(c, kDynamic);
  std::vector<char> allowed;
  std::string reason;
  // MIG first: a fractional job may use the A100 only.
  EXPECT_EQ(m->sharing->admission_milli(job(1, 300), allowed, c, reason), 428);
  ASSERT_EQ(allowed.size(), 2u);
  EXPECT_TRUE(allowed[a100]);
  EXPECT_FALSE(allowed[v100]);
  // Only the V100 allowed: it takes the V100 whole, as in `exclusive`, at its requested share.
  allowed.assign(2, 0);
  allowed[v100] = 1;
  EXPECT_EQ(m->sharing->admission_milli(job(1, 300), allowed, c, reason), 1000);
  Allocation whole = on_gpu(v100_gpu, 1000, 2);
  auto bound = m->sharing->bind(1, job(1, 300), whole, c);
  ASSERT_TRUE(bound);
  EXPECT_EQ(bound->gpus[0].milli, 1000);
  EXPECT_DOUBLE_EQ(m->sharing->bind_delay_s(1), 0);
  ActivityPlan plan{.execs = {{true, v100_gpu, 3e12, 3e11}}};
  m->sharing->adjust(1, job(1, 300), plan, c, {0});
  EXPECT_DOUBLE_EQ(plan.execs[0].bound_flops, 3e11);  // the trace model's cap at its share: run_s = duration_s

  // Static layouts: a model without a layout is unpartitioned too; a share no instance covers goes there.
  Cluster mixed = make_cluster({{{"A100-80GB", "A30-24GB"}}});
  auto s = make_mig(mixed, {{"layouts", {{"A100-80GB", {"3g.40gb", "4g.40gb"}}}}});
  ASSERT_TRUE(s->problems.empty());
  allowed.clear();
  EXPECT_EQ(s->sharing->admission_milli(job(1, 600), allowed, mixed, reason), 1000);
  EXPECT_FALSE(allowed[mixed.model_index.at("A100-80GB")]);
  EXPECT_TRUE(allowed[mixed.model_index.at("A30-24GB")]);
  allowed.clear();
  EXPECT_EQ(s->sharing->admission_milli(job(1, 400), allowed, mixed, reason), 428);
  EXPECT_FALSE(allowed[mixed.model_index.at("A30-24GB")]);
}

TEST(MigDynamic, MixedStaticAndDynamicModels) {
  Cluster c = make_cluster({{{"A100-80GB", "A30-24GB"}}});
  auto m = make_mig(c, {{"layouts", {{"A100-80GB", {"3g.40gb", "4g.40gb"}}, {"A30-24GB", "dynamic"}}},
                        {"reconfigure_s", 2}});
  ASSERT_TRUE(m->problems.empty());
  GpuIndex a100 = c.gpus[0].model_index == c.model_index.at("A100-80GB") ? 0 : 1, a30 = 1 - a100;
  std::vector<char> allowed;
  std::string reason;
  // 0.2: 3g on the A100's layout (428), 1g.6gb on the A30 (250): the smallest instance wins the ledger.
  EXPECT_EQ(m->sharing->admission_milli(job(1, 200), allowed, c, reason), 250);
  auto on_a30 = m->sharing->bind(1, job(1, 200), on_gpu(a30, 250, 2), c);
  ASSERT_TRUE(on_a30);
  EXPECT_EQ(on_a30->gpus[0].milli, 250);
  EXPECT_DOUBLE_EQ(m->sharing->bind_delay_s(1), 2);
  auto on_a100 = m->sharing->bind(2, job(1, 200), on_gpu(a100, 250, 2), c);  // static: no delay
  ASSERT_TRUE(on_a100);
  EXPECT_EQ(on_a100->gpus[0].milli, 428);
  EXPECT_DOUBLE_EQ(m->sharing->bind_delay_s(2), 0);
}

TEST(MigDynamic, OptionsAreChecked) {
  Cluster c = uniform_cluster(1, 1);
  EXPECT_TRUE(make_mig(c, {{"layouts", "dynamic"}})->problems.empty());  // reconfigure_s defaults to 0
  EXPECT_TRUE(make_mig(c, kDynamic)->problems.empty());
  EXPECT_TRUE(make_mig(c, {{"layouts", {{"A100-80GB", "dynamic"}}}, {"reconfigure_s", 1}})->problems.empty());
  EXPECT_EQ(make_mig(c, {{"layouts", "static"}})->problems.size(), 1u);
  EXPECT_EQ(make_mig(c, {{"layouts", {{"A100-80GB", "Dynamic"}}}})->problems.size(), 1u);
  EXPECT_EQ(make_mig(c, {{"layouts", {{"V100-32GB", "dynamic"}}}})->problems.size(), 1u);
  EXPECT_EQ(make_mig(c, {{"layouts", "dynamic"}, {"reconfigure_s", -1}})->problems.size(), 1u);
  // reconfigure_s with static layouts only: reported once (not also as an unknown key).
  EXPECT_EQ(make_mig(c, {{"layouts", {{"A100-80GB", {"7g.80gb"}}}}, {"reconfigure_s", 5}})->problems.size(), 1u);
  // Static layouts keep working as before.
  EXPECT_TRUE(make_mig(c, {{"layouts", {{"A100-80GB", {"3g.40gb", "4g.40gb"}}}}})->problems.empty());
}
