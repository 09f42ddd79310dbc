// GPU fragmentation (sim/core/fragmentation.hpp) on hand-built nodes with answers worked out by hand from
// the FGD paper's definition (and the published simulator's frag.go).
#include "sim/core/fragmentation.hpp"

#include <gtest/gtest.h>

#include "tests/unit/unit_support.hpp"

using namespace aidcsim;
using aidcsim::unit::make_cluster;
using aidcsim::unit::uniform_cluster;

namespace {

TaskShape task(long long cpu_milli, int gpus, int gpu_milli, std::vector<char> models = {}) {
  TaskShape t;
  t.cpu_milli = cpu_milli;
  t.gpus = gpus;
  t.gpu_milli = gpus > 0 ? gpu_milli : 0;
  t.model_allowed = std::move(models);
  return t;
}

NodeFree node(long long cpu_milli, std::vector<int> free, int model = 0) {
  NodeFree n;
  n.cpu_milli = cpu_milli;
  for (int f : free) n.gpus.emplace_back(model, f);
  return n;
}

JobSpec job(const std::string& id, int gpus, int milli, double cpus, std::vector<std::string> models = {}) {
  JobSpec j;
  j.job_id = id;
  j.gpus = gpus;
  j.gpu_milli = milli;
  j.cpus = cpus;
  j.gpu_models = std::move(models);
  return j;
}

TEST(Fragmentation, ClassifiesTheFgdCases) {
  NodeFree n = node(8000, {1000, 500, 0});
  EXPECT_EQ(classify(n, task(4000, 1, 500)), FragCase::satisfied);
  EXPECT_EQ(classify(n, task(4000, 2, 1000)), FragCase::lack_gpu);      // only one whole GPU free
  EXPECT_EQ(classify(n, task(16000, 2, 1000)), FragCase::lack_both);
  EXPECT_EQ(classify(n, task(16000, 1, 300)), FragCase::lack_cpu);
  EXPECT_EQ(classify(n, task(4000, 0, 0)), FragCase::cpu_task_fits);
  EXPECT_EQ(classify(n, task(9000, 0, 0)), FragCase::cpu_task_lacks);
  EXPECT_EQ(classify(n, task(1000, 1, 100, {0, 1})), FragCase::no_access);  // model 0 not allowed
  EXPECT_STREQ(to_string(FragCase::lack_gpu), "q2_lack_gpu");
}

TEST(Fragmentation, TaskFragmentIsWhatTheTaskCannotUse) {
  NodeFree n = node(8000, {1000, 500, 200});  // 1700 milli free
  // Fits: only the GPUs with less free share than the task needs are fragments.
  EXPECT_EQ(task_fragment_milli(n, task(1000, 1, 600)), 700);   // 500 + 200
  EXPECT_EQ(task_fragment_milli(n, task(1000, 1, 200)), 0);
  EXPECT_EQ(task_fragment_milli(n, task(1000, 1, 1000)), 700);
  // Does not fit (GPU, CPU), CPU-only task, no access: every free milli is a fragment.
  EXPECT_EQ(task_fragment_milli(n, task(1000, 2, 1000)), 1700);
  EXPECT_EQ(task_fragment_milli(n, task(9000, 1, 100)), 1700);
  EXPECT_EQ(task_fragment_milli(n, task(1000, 0, 0)), 1700);
  EXPECT_EQ(task_fragment_milli(n, task(1000, 1, 100, {0, 1})), 1700);
  // A fully used node has nothing to fragment.
  EXPECT_EQ(task_fragment_milli(node(8000, {0, 0}), task(1000, 1, 1000)), 0);
}

TEST(Fragmentation, MixedModelsCountGpusOfOtherModelsAsFragments) {
  NodeFree n;
  n.cpu_milli = 8000;
  n.gpus = {{0, 1000}, {1, 1000}};
  EXPECT_EQ(task_fragment_milli(n, task(1000, 1, 1000, {1, 0})), 1000);  // may use model 0 only
}

TEST(Fragmentation, NodeFragmentIsTheExpectationOverTheTarget) {
  TargetWorkload target;
  target.tasks = {{task(1000, 1, 600), 0.5}, {task(1000, 1, 1000), 0.25}, {task(1000, 0, 0), 0.25}};
  NodeFree n = node(8000, {1000, 500});
  // 0.5 * 500 + 0.25 * 500 + 0.25 * 1500
  EXPECT_DOUBLE_EQ(node_fragment_milli(n, target), 250 + 125 + 375);
}

TEST(Fragmentation, TargetWorkloadKeepsThePopularShapes) {
  Cluster c = uniform_cluster(1, 8, "A100");
  std::vector<JobSpec> jobs;
  for (int i = 0; i < 50; ++i) jobs.push_back(job("a" + std::to_string(i), 1, 500, 4));
  for (int i = 0; i < 30; ++i) jobs.push_back(job("b" + std::to_string(i), 1, 1000, 8));
  for (int i = 0; i < 15; ++i) jobs.push_back(job("c" + std::to_string(i), 0, 1000, 2));
  for (int i = 0; i < 5; ++i) jobs.push_back(job("d" + std::to_string(i), 8, 1000, 64));
  // 95 %: 50 + 30 + 15 = 95 tasks reach it; the 8-GPU shape is left out and the rest renormalised.
  TargetWorkload t = make_target_workload(jobs, c);
  ASSERT_EQ(t.tasks.size(), 3u);
  EXPECT_EQ(t.tasks[0].shape, task(4000, 1, 500));
  EXPECT_NEAR(t.tasks[0].weight, 50.0 / 95, 1e-12);
  EXPECT_EQ(t.tasks[2].shape, task(2000, 0, 0));  // a CPU-only task has no GPU share
  double sum = 0;
  for (const auto& x : t.tasks) sum += x.weight;
  EXPECT_NEAR(sum, 1.0, 1e-12);
  // 100 % keeps everything; without CPU tasks the CPU shape is gone.
  EXPECT_EQ(make_target_workload(jobs, c, {100, true}).tasks.size(), 4u);
  TargetWorkload gpu_only = make_target_workload(jobs, c, {100, false});
  EXPECT_EQ(gpu_only.tasks.size(), 3u);
  for (const auto& x : gpu_only.tasks) EXPECT_GT(x.shape.gpus, 0);
}

TEST(Fragmentation, EqualCountsPutTheLargerShapeFirst) {
  Cluster c = uniform_cluster(1, 8, "A100");
  std::vector<JobSpec> jobs = {job("x", 1, 300, 2), job("y", 1, 700, 2)};
  TargetWorkload t = make_target_workload(jobs, c, {50, true});
  ASSERT_EQ(t.tasks.size(), 1u);
  EXPECT_EQ(t.tasks[0].shape.gpu_milli, 700);
  EXPECT_DOUBLE_EQ(t.tasks[0].weight, 1.0);
}

TEST(Fragmentation, ModelListsResolveAgainstThePlatform) {
  Cluster c = make_cluster({{{"T4", "T4"}}, {{"V100", "V100"}}});
  TaskShape t = task_shape_of(job("x", 1, 1000, 1, {"V100", "H100"}), c);
  ASSERT_EQ(t.model_allowed.size(), 2u);
  EXPECT_FALSE(t.allows(c.model_index.at("T4")));
  EXPECT_TRUE(t.allows(c.model_index.at("V100")));
}

TEST(Fragmentation, TrackerFollowsTheLedgerIncrementally) {
  Cluster c = uniform_cluster(3, 2, "A100", 16, 0);
  std::vector<JobSpec> jobs = {job("a", 1, 600, 2), job("b", 1, 1000, 2)};
  TargetWorkload target = make_target_workload(jobs, c, {100, true});
  FragmentationTracker tracker(target);
  Ledger ledger(c);
  EXPECT_DOUBLE_EQ(tracker.refresh(c, ledger), 0.0);  // every GPU free: both shapes fit everywhere
  Allocation a;
  a.gpus.push_back({c.servers[1].gpus[0], 700});
  a.servers.push_back({1, 2, 0});
  ledger.apply(a);
  // Server 1: GPUs 300 and 1000 free; the 600 task cannot use the 300 (0.5 * 300), nor the 1000 task.
  EXPECT_DOUBLE_EQ(tracker.refresh(c, ledger), 0.5 * 300 + 0.5 * 300);
  EXPECT_DOUBLE_EQ(tracker.fragmented_milli(), cluster_fragment_milli(c, ledger, target));
  ledger.release(a);
  tracker.refresh_server(c, ledger, 1);
  EXPECT_DOUBLE_EQ(tracker.fragmented_milli(), 0.0);
}

TEST(Fragmentation, MemoSharesEqualStates) {
  TargetWorkload target;
  target.tasks = {{task(1000, 1, 600), 1.0}};
  FragmentationMemo memo(target);
  int a = memo.intern(node(4000, {300, 1000}));
  int b = memo.intern(node(4000, {1000, 300}));  // same multiset of GPUs
  int c = memo.intern(node(5000, {1000, 300}));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_DOUBLE_EQ(memo.fragment_milli(a), 300.0);
  EXPECT_EQ(memo.size(), 2u);
}

}  // namespace
