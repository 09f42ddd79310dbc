// GPU-sharing modes against hand-built clusters (no SimGrid): admission milli, model narrowing,
// MIG layouts against NVIDIA's placement rules, instance binding and caps, option checking.
#include <gtest/gtest.h>

#include "models/sharing/sharing.hpp"
#include "tests/unit/sharing_support.hpp"
#include "tests/unit/unit_support.hpp"

using namespace aidcsim;
using namespace aidcsim::unit;
using sharing_kit::job;
using sharing_kit::make;

namespace {

int admit(const GpuSharing& s, const JobSpec& j, const Cluster& c, std::vector<char>& allowed, std::string& reason) {
  return s.admission_milli(j, allowed, c, reason);
}

}  // namespace

TEST(GpuSharing, AllFourModesAreRegistered) {
  auto names = builtin_registries().gpu_sharing.names();
  EXPECT_EQ(names, (std::vector<std::string>{"exclusive", "mps", "time-slicing", "mig"}));
}

TEST(GpuSharing, ExclusiveTakesWholeGpus) {
  Cluster c = uniform_cluster(1, 2);
  auto m = make("exclusive", c);
  std::vector<char> allowed;
  std::string reason;
  EXPECT_EQ(admit(*m->sharing, job(1, 250), c, allowed, reason), 1000);
  EXPECT_EQ(m->sharing->compute_milli(job(1, 250)), 1000);
  EXPECT_TRUE(m->sharing->isolated(ActivityPlan{.execs = {{true, 0, 1e12, 0}}}));
  EXPECT_FALSE(m->sharing->isolated(ActivityPlan{.execs = {{true, 0, 1e12, 5e11}}}));
}

TEST(GpuSharing, MpsAdmitsSharesAndOversubscription) {
  Cluster c = uniform_cluster(1, 1);
  std::vector<char> allowed;
  std::string reason;
  auto plain = make("mps", c);
  EXPECT_EQ(admit(*plain->sharing, job(1, 250), c, allowed, reason), 250);
  EXPECT_EQ(admit(*plain->sharing, job(2, 250), c, allowed, reason), 1000);  // multi-GPU: whole GPUs
  EXPECT_EQ(plain->sharing->compute_milli(job(1, 250)), 250);
  EXPECT_EQ(plain->sharing->compute_milli(job(2, 250)), 1000);
  auto over = make("mps", c, {{"oversubscription", 2}, {"interference_factor", 0.5}});
  EXPECT_TRUE(over->problems.empty());
  EXPECT_EQ(admit(*over->sharing, job(1, 250), c, allowed, reason), 125);
  EXPECT_EQ(admit(*over->sharing, job(1, 333), c, allowed, reason), 167);  // ceil
  ActivityPlan plan{.execs = {{true, 0, 100, 50}}};
  over->sharing->adjust(0, job(1, 500), plan, c, {2});
  EXPECT_DOUBLE_EQ(plan.execs[0].flops, 200);  // x (1 + 0.5 x 2)
  EXPECT_FALSE(over->sharing->isolated(plan));
  auto bad = make("mps", c, {{"oversubscription", 0.5}, {"layouts", 1}});
  EXPECT_EQ(bad->problems.size(), 2u);  // out of range; unknown key
}

TEST(GpuSharing, TimeSlicingAdmitsByGpuMemoryAndNarrowsModels) {
  Cluster c = make_cluster({{{"A100-80GB", "A30-24GB"}}});
  c.gpus[1].memory_gib = 24;
  auto m = make("time-slicing", c, {{"context_switch_overhead", 0.1}});
  std::vector<char> allowed;
  std::string reason;
  EXPECT_EQ(admit(*m->sharing, job(1, 1000), c, allowed, reason), 1);  // no gpu_mem_gib: memory is no constraint
  EXPECT_EQ(admit(*m->sharing, job(1, 1000, 12), c, allowed, reason), 500);  // against the 24 GiB model
  allowed.clear();
  EXPECT_EQ(admit(*m->sharing, job(1, 1000, 40), c, allowed, reason), 500);  // only the 80 GiB model holds it
  int a100 = c.model_index.at("A100-80GB"), a30 = c.model_index.at("A30-24GB");
  ASSERT_EQ(allowed.size(), 2u);
  EXPECT_TRUE(allowed[a100]);
  EXPECT_FALSE(allowed[a30]);
  allowed.clear();
  EXPECT_EQ(admit(*m->sharing, job(1, 1000, 81), c, allowed, reason), 0);
  EXPECT_NE(reason.find("GPU memory"), std::string::npos) << reason;
}

// replicas = 3: every single-GPU job takes at least floor(1000 / 3) = 333 milli (at most 3 per GPU);
// a job whose memory needs more keeps its memory share.
TEST(GpuSharing, TimeSlicingReplicasCapJobsPerGpu) {
  Cluster c = make_cluster({{{"A100-80GB"}}});
  auto m = make("time-slicing", c, {{"replicas", 3}});
  std::vector<char> allowed;
  std::string reason;
  EXPECT_EQ(admit(*m->sharing, job(1, 1000), c, allowed, reason), 333);
  EXPECT_EQ(admit(*m->sharing, job(1, 1000, 8), c, allowed, reason), 333);   // 100 milli of memory
  EXPECT_EQ(admit(*m->sharing, job(1, 1000, 60), c, allowed, reason), 750);  // memory dominates
  EXPECT_EQ(admit(*m->sharing, job(2, 1000), c, allowed, reason), 1000);
  EXPECT_EQ(admit(*m->sharing, job(1, 1000, 81), c, allowed, reason), 0);
  auto bad = make("time-slicing", c, {{"replicas", 0.5}});
  EXPECT_FALSE(bad->problems.empty());
}

TEST(GpuSharing, MigLayoutsFollowNvidiaPlacements) {
  const MigModel* a100 = find_mig_model("A100-80GB");
  ASSERT_NE(a100, nullptr);
  EXPECT_EQ(a100->compute_slices, 7);
  EXPECT_EQ(check_mig_layout(*a100, {"3g.40gb", "4g.40gb"}), "");
  EXPECT_EQ(check_mig_layout(*a100, {"3g.40gb", "3g.40gb"}), "");
  EXPECT_EQ(check_mig_layout(*a100, {"2g.20gb", "2g.20gb", "2g.20gb", "1g.10gb"}), "");
  EXPECT_EQ(check_mig_layout(*a100, std::vector<std::string>(7, "1g.10gb")), "");
  EXPECT_EQ(check_mig_layout(*a100, {"7g.80gb"}), "");
  EXPECT_NE(check_mig_layout(*a100, {"3g.40gb", "3g.40gb", "1g.10gb"}), "");  // memory slices 4+4+1 > 8
  EXPECT_NE(check_mig_layout(*a100, {"4g.40gb", "4g.40gb"}), "");
  EXPECT_NE(check_mig_layout(*a100, {"4g.40gb", "3g.40gb", "1g.10gb"}), "");  // 8 compute slices
  EXPECT_NE(check_mig_layout(*a100, {"5g.50gb"}).find("no MIG profile"), std::string::npos);
  const MigModel* a30 = find_mig_model("A30-24GB");
  ASSERT_NE(a30, nullptr);
  EXPECT_EQ(a30->compute_slices, 4);
  EXPECT_EQ(check_mig_layout(*a30, {"2g.12gb", "1g.6gb", "1g.6gb"}), "");
  EXPECT_NE(check_mig_layout(*a30, {"4g.24gb", "1g.6gb"}), "");
  EXPECT_NE(find_mig_model("A100-40GB"), nullptr);
  EXPECT_NE(find_mig_model("H100-80GB"), nullptr);
  EXPECT_EQ(find_mig_model("V100-32GB"), nullptr);
}

TEST(GpuSharing, MigMapsJobsToTheSmallestCoveringInstance) {
  Cluster c = uniform_cluster(1, 1);
  auto m = make("mig", c, {{"layouts", {{"A100-80GB", {"1g.10gb", "2g.20gb", "4g.40gb"}}}}});
  ASSERT_TRUE(m->problems.empty());
  std::vector<char> allowed;
  std::string reason;
  EXPECT_EQ(admit(*m->sharing, job(1, 100), c, allowed, reason), 142);  // 1g: floor(1000/7)
  EXPECT_EQ(admit(*m->sharing, job(1, 200), c, allowed, reason), 285);  // 2g covers 0.2
  EXPECT_EQ(admit(*m->sharing, job(1, 100, 15), c, allowed, reason), 285);  // 15 GiB needs 2g.20gb
  EXPECT_EQ(admit(*m->sharing, job(1, 300), c, allowed, reason), 571);  // no 3g in the layout: 4g
  EXPECT_EQ(admit(*m->sharing, job(1, 1000), c, allowed, reason), 1000);  // whole GPU
  EXPECT_EQ(admit(*m->sharing, job(1, 600), c, allowed, reason), 0);     // nothing covers 0.6
  EXPECT_FALSE(reason.empty());

  // Binding: the 1g instance once, then no more 1g; caps at k/7 of the speed; freed by unbind.
  Allocation proposal{{{0, 1}}, {{0, 0, 0}}};
  auto first = m->sharing->bind(7, job(1, 100), proposal, c);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->gpus[0].milli, 142);
  EXPECT_FALSE(m->sharing->bind(8, job(1, 100), proposal, c));
  ActivityPlan plan{.execs = {{true, 0, 1e12, 1e11}}};
  m->sharing->adjust(7, job(1, 100), plan, c, {0});
  EXPECT_DOUBLE_EQ(plan.execs[0].bound_flops, 1e12 / 7);
  EXPECT_TRUE(m->sharing->isolated(plan));
  m->sharing->unbind(7);
  EXPECT_TRUE(m->sharing->bind(8, job(1, 100), proposal, c));
}

TEST(GpuSharing, MigOptionsAreChecked) {
  Cluster c = uniform_cluster(1, 1);
  EXPECT_EQ(make("mig", c)->problems.size(), 1u);  // layouts missing
  EXPECT_EQ(make("mig", c, {{"layouts", {{"V100-32GB", {"1g.5gb"}}}}})->problems.size(), 1u);
  EXPECT_EQ(make("mig", c, {{"layouts", {{"A100-80GB", "3g.40gb"}}}})->problems.size(), 1u);
  EXPECT_EQ(make("mig", c, {{"layouts", {{"A100-80GB", {"4g.40gb", "4g.40gb"}}}}})->problems.size(), 1u);
}
