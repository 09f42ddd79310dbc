// Live migration of a VM (sim/core/core_migration.cpp) with the engine's part played by hand: the
// scenario of tests/engine/test_consolidation.cpp on a hand-built cluster. Two servers of two GPUs,
// VMs of 10 GiB, no boot, no overheads. a (1000 s) and b (50 s) start on srv0, c (1000 s) on srv1;
// b's VM shuts down at 60 (idle 10 s). The round at 100 empties srv0: a's VM moves to srv1's free
// GPU. The test reports the end of pre-copy at 110 and the end of the migration at 118, as the
// engine would after SimGrid's transfers (10 GiB, then 8 GiB at 1 GiB/s).
#include <gtest/gtest.h>

#include "tests/core/core_support.hpp"

using namespace aidcsim;
using namespace aidcsim::core_test;
using aidcsim::unit::uniform_cluster;

namespace {

const nlohmann::json kVmOptions = nlohmann::json::parse(R"({
  "boot_s": 0, "idle_timeout_s": 10, "gpu_overhead": 0, "cpu_overhead": 0,
  "flavours": [ {"name": "g1", "gpus": 1, "vcpus": 1, "mem_gib": 10}, {"name": "g2", "gpus": 2, "vcpus": 2, "mem_gib": 20} ],
  "consolidation": {"interval_s": 100, "slowdown": 0.5}
})");

// The end of the current run at its current speed, as the core tells schedulers (JobStatus).
double expected_end_s(const LiveRun& run) { return run.run_started_s + run.run_delay_s + run.run_work_s; }

}  // namespace

// Pre-copy 100-110 slows a to half speed: at 100 a has done 100 s of 1000, its expected end moves
// to 100 + 900 x 2 = 1900. At 110 (pause) it has done 100 + 5 = 105 s: done_fraction 0.105,
// no work until 118; then 895 s on srv1: it ends at 1013. c is never touched: it ends at 1000.
TEST(CoreMigration, PreCopySlowsThePauseStopsAndTheMoveResumesTheJob) {
  Harness h(uniform_cluster(2, 2), {job("a", 0, 1000), job("b", 0, 50), job("c", 0, 1000)}, nullptr, {},
            &kVmOptions);
  h.loop->run_until(99);
  EXPECT_EQ(h.run(1).end_s, 50);
  EXPECT_TRUE(h.executor.migrate_calls.empty());
  ASSERT_EQ(h.live(0).allocation.gpus.at(0).gpu, 0u);
  ASSERT_EQ(h.live(2).allocation.gpus.at(0).gpu, 2u);

  h.loop->run_until(100);
  ASSERT_EQ(h.executor.migrate_calls.size(), 1u);
  const MigrateCall& m = h.executor.migrate_calls[0];
  EXPECT_EQ(m.id, 0u);
  EXPECT_EQ(m.from, 0u);
  EXPECT_EQ(m.to, 1u);
  EXPECT_EQ(m.transfer.memory_bytes, 10 * kGiB);
  EXPECT_EQ(m.transfer.job_state_bytes, 80 * kGiB);  // the GPU's memory, copied while paused
  EXPECT_EQ(h.run(0).epoch, 1u);  // the run end at 1000 is stale
  EXPECT_EQ(expected_end_s(h.live(0)), 1900);
  EXPECT_EQ(h.migrations.started(), 1);

  bool paused = false;
  h.loop->at(110, [&] { paused = h.core->migration_paused(0, 110); });
  EXPECT_TRUE(paused);
  EXPECT_TRUE(h.live(0).paused);
  EXPECT_DOUBLE_EQ(h.run(0).done_fraction, 0.105);
  EXPECT_EQ(h.run(0).epoch, 2u);
  EXPECT_EQ(h.live(0).allocation.gpus.at(0).gpu, 0u);  // still on srv0 until the end

  h.loop->at(118, [&] { h.core->migration_done(0, 118, 18 * kGiB); });
  EXPECT_FALSE(h.live(0).paused);
  EXPECT_EQ(h.live(0).allocation.gpus.at(0).gpu, 3u);  // srv1-gpu1
  EXPECT_EQ(h.run(0).migrations, 1);
  EXPECT_EQ(h.run(0).epoch, 3u);
  EXPECT_EQ(expected_end_s(h.live(0)), 1013);

  h.loop->run_until();
  EXPECT_EQ(h.run(0).state, JobState::completed);
  EXPECT_EQ(h.run(0).end_s, 1013);
  EXPECT_EQ(h.run(0).start_s, 0);
  EXPECT_EQ(h.run(2).end_s, 1000);
  EXPECT_EQ(h.run(2).migrations, 0);
  EXPECT_EQ(h.executor.migrate_calls.size(), 1u);  // later rounds find nothing to do

  nlohmann::json summary;
  h.migrations.summarize(summary, {});
  EXPECT_EQ(summary["vm_migrations"]["started"], 1);
  EXPECT_EQ(summary["vm_migrations"]["completed"], 1);
  EXPECT_EQ(summary["vm_migrations"]["jobs_moved"], 1);
  EXPECT_EQ(summary["vm_migrations"]["bytes"], 18 * kGiB);
  EXPECT_EQ(summary["vm_migrations"]["mean_s"], 18);
  EXPECT_EQ(summary["vm_migrations"]["mean_paused_s"], 8);
  ASSERT_EQ(h.migrations.log().size(), 1u);
  const MigrationLogEntry& e = h.migrations.log()[0];
  EXPECT_EQ(e.job, std::optional<JobIndex>(0));
  EXPECT_TRUE(e.job_moved);
  EXPECT_EQ(e.start_s, 100);
  EXPECT_EQ(e.paused_s, 110);
  EXPECT_EQ(e.end_s, 118);
}

// Without a pause (the engine ends the migration at the end of pre-copy, 0 bytes left to copy) a
// resumes at 110 with 895 s left: it ends at 1005.
TEST(CoreMigration, MigrationWithoutPauseEndsTheJobEarlier) {
  Harness h(uniform_cluster(2, 2), {job("a", 0, 1000), job("b", 0, 50), job("c", 0, 1000)}, nullptr, {},
            &kVmOptions);
  h.loop->run_until(100);
  ASSERT_EQ(h.executor.migrate_calls.size(), 1u);
  h.loop->at(110, [&] {
    h.core->migration_paused(0, 110);
    h.core->migration_done(0, 110, 10 * kGiB);
  });
  h.loop->run_until();
  EXPECT_EQ(h.run(0).end_s, 1005);
  nlohmann::json summary;
  h.migrations.summarize(summary, {});
  EXPECT_EQ(summary["vm_migrations"]["mean_paused_s"], 0);
}
