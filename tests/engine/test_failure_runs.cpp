// Failures (docs/failures.md) through the CLI: a server failure from a trace hits the job on it,
// which restarts from its last checkpoint after the repair and the restart cost (hand-computed);
// random failures keep the invariants (no job runs on a server while it is down, every hit job
// restarts or ends, lost work >= 0) and are reproducible; bad input names its file, line or path.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "tests/engine/support/engine_support.hpp"
#include "tests/engine/support/run_helpers.hpp"

using namespace aidcsim::testing;

namespace {

struct FailureRun {
  TempFolder dir;
  nlohmann::json scenario;
  FailureRun(const std::string& name, const std::string& jobs, int servers = 1) : dir(name) {
    dir.write("platform.xml", small_platform_xml(servers, 1, "A100-80GB", 312e12));
    dir.write("jobs.csv", jobs);
    dir.write("failures.csv", "time_s,host,duration_s\n350,srv0,50\n");
    scenario = {{"name", name},
                {"platform", "platform.xml"},
                {"workload", {{"jobs", {{"path", "jobs.csv"}, {"format", "native"}, {"checkpoint_interval_s", 100}, {"checkpoint_cost_s", 10}}}}},
                {"failures", {{"trace", "failures.csv"}, {"restart_s", 20}}}};
  }
  CliResult run() {
    std::string path = dir.write("scenario.json", scenario.dump(2));
    return run_cli("run " + path + " --out " + (dir / "out") + " --quiet");
  }
};

const char* kOneJob = "job_id,submit_s,duration_s,gpus\nj1,0,1000,1\n";

// The job writes a checkpoint after every 100 s of work, 10 s each: its plan is 1000 + 9 x 10 = 1090 s.
// At 350 it has written 3 (at 110, 220, 330): the 20 s since are lost. The server is back at 400, the
// job restarts there after 20 s and has 1090 - 330 = 760 s left: it ends at 1180.
TEST(FailureRuns, CheckpointKeepsTheWorkBeforeTheFailure) {
  FailureRun r("failure-checkpoint", kOneJob);
  CliResult result = r.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto jobs = read_csv(r.dir / "out/jobs.csv");
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].at("end_s"), "1180");
  EXPECT_EQ(jobs[0].at("preemptions"), "1");
  EXPECT_EQ(jobs[0].at("failures"), "1");
  EXPECT_EQ(jobs[0].at("lost_gpu_s"), "20");
  EXPECT_EQ(read_text(r.dir / "out/failures.csv"), "time_s,host,kind,repair_s,jobs_hit,job_ids\n350,srv0,server,50,1,j1\n");
  auto summary = read_json(r.dir / "out/summary.json");
  const auto& f = summary["failures"];
  EXPECT_EQ(f["count"], 1);
  EXPECT_EQ(f["by_kind"]["server"], 1);
  EXPECT_NEAR(f["lost_gpu_hours"].get<double>(), 20 / 3600.0, 1e-12);
  EXPECT_EQ(f["restarts"], 1);
  EXPECT_DOUBLE_EQ(f["mean_time_to_restart_s"].get<double>(), 70);  // 350 -> work again at 420
  // Useful 1000 GPU-s of 350 + 780 allocated (the restart cost holds the GPU).
  EXPECT_NEAR(f["goodput"].get<double>(), 1000.0 / 1130.0, 1e-9);
  EXPECT_EQ(run_cli("check " + (r.dir / "out")).exit_code, 0);
}

// Without checkpoints everything is lost: 400 + 20 + 1000 = 1420.
TEST(FailureRuns, WithoutCheckpointsTheRunIsLost) {
  FailureRun r("failure-no-checkpoint", kOneJob);
  r.scenario["workload"]["jobs"].erase("checkpoint_interval_s");
  r.scenario["workload"]["jobs"].erase("checkpoint_cost_s");
  ASSERT_EQ(r.run().exit_code, 0);
  auto jobs = read_csv(r.dir / "out/jobs.csv");
  EXPECT_EQ(jobs[0].at("end_s"), "1420");
  EXPECT_EQ(jobs[0].at("lost_gpu_s"), "350");
}

// With a second server the job restarts there at once (350 + 20 restart cost): 350 + 20 + 760 = 1130.
TEST(FailureRuns, JobMovesToAnotherServer) {
  FailureRun r("failure-move", kOneJob, 2);
  ASSERT_EQ(r.run().exit_code, 0);
  auto jobs = read_csv(r.dir / "out/jobs.csv");
  EXPECT_EQ(jobs[0].at("end_s"), "1130");
  EXPECT_EQ(jobs[0].at("hosts"), "srv1-gpu0");
}

// Exponential server failures on 8 servers and 40 jobs: reproducible, and no job ran on a server
// while it was down (a job not hit ran whole outside every failure window of its server).
TEST(FailureRuns, RandomFailuresKeepTheInvariants) {
  std::string jobs = "job_id,submit_s,duration_s,gpus\n";
  for (int i = 0; i < 40; ++i) jobs += fmt::format("j{},{},{},1\n", i, i * 50, 2000 + 97 * i);
  FailureRun r("failure-random", jobs, 8);
  r.scenario["failures"] = {{"server", {{"mtbf_s", 20000}, {"repair_s", 600}}}, {"restart_s", 30}};
  ASSERT_EQ(r.run().exit_code, 0);
  const std::string first = read_text(r.dir / "out/jobs.csv");
  auto failures = read_csv(r.dir / "out/failures.csv");
  ASSERT_GE(failures.size(), 3u) << "the test needs failures";
  std::map<std::string, std::vector<std::pair<double, double>>> down;
  std::map<std::string, int> hits;
  for (const auto& f : failures) {
    double t = std::stod(f.at("time_s"));
    down[f.at("host")].emplace_back(t, t + std::stod(f.at("repair_s")));
    EXPECT_EQ(f.at("kind"), "server");
    std::string ids = f.at("job_ids");
    for (std::size_t from = 0; from < ids.size();) {
      std::size_t to = std::min(ids.find(';', from), ids.size());
      ++hits[ids.substr(from, to - from)];
      from = to + 1;
    }
  }
  for (const auto& job : read_csv(r.dir / "out/jobs.csv")) {
    EXPECT_EQ(job.at("state"), "completed") << job.at("job_id");  // every hit job restarted and ended
    EXPECT_EQ(std::stoi(job.at("failures")), hits[job.at("job_id")]);
    EXPECT_GE(std::stod(job.at("lost_gpu_s")), 0);
    if (job.at("preemptions") != "0") continue;
    double start = std::stod(job.at("start_s")), end = std::stod(job.at("end_s"));
    std::string server = job.at("hosts").substr(0, job.at("hosts").find('-'));
    for (const auto& [from, to] : down[server])
      EXPECT_TRUE(end <= from || start >= to) << job.at("job_id") << " on " << server << " [" << start << ", " << end << "]";
  }
  EXPECT_EQ(run_cli("check " + (r.dir / "out")).exit_code, 0);
  ASSERT_EQ(r.run().exit_code, 0);
  EXPECT_EQ(read_text(r.dir / "out/jobs.csv"), first);
}

// A straggler: the GPU runs at half speed from 100 s to 500 s, so the 1000 s job has done 100 + 200 s
// of work at 500 and ends at 1200; the same episode on another server's GPU changes nothing. The job
// runs as SimGrid's execution (a timer could not see the speed change).
TEST(FailureRuns, AStragglerStretchesTheWorkOfItsHostWhileSlow) {
  FailureRun r("straggler", kOneJob, 2);
  r.scenario["workload"]["jobs"] = {{"path", "jobs.csv"}, {"format", "native"}};
  r.scenario["failures"] = {{"stragglers", {{{"host", "srv0-gpu0"}, {"start_s", 100}, {"duration_s", 400}, {"factor", 0.5}}}}};
  ASSERT_EQ(r.run().exit_code, 0);
  auto jobs = read_csv(r.dir / "out/jobs.csv");
  EXPECT_EQ(jobs[0].at("end_s"), "1200");
  EXPECT_EQ(read_json(r.dir / "out/summary.json")["failures"]["stragglers"], 1);
  r.scenario["failures"]["stragglers"][0]["host"] = "srv1-gpu0";
  ASSERT_EQ(r.run().exit_code, 0);
  EXPECT_EQ(read_csv(r.dir / "out/jobs.csv")[0].at("end_s"), "1000");
}

TEST(FailureRuns, BadInputNamesItsPath) {
  struct Case {
    const char* what;
    std::function<void(FailureRun&)> edit;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"unknown host", [](FailureRun& r) { r.dir.write("failures.csv", "time_s,host,duration_s\n10,srv0,5\n20,srv9,5\n"); },
       "failures.csv:3: host: \"srv9\" is not a server or GPU of the platform"},
      {"negative duration", [](FailureRun& r) { r.dir.write("failures.csv", "time_s,host,duration_s\n10,srv0,-5\n"); },
       "failures.csv:2: duration_s: \"-5\"; expected a repair duration >= 0"},
      {"mtbf", [](FailureRun& r) { r.scenario["failures"] = {{"server", {{"mtbf_s", 0}, {"repair_s", 60}}}}; },
       "/failures/server/mtbf_s: 0 is not positive"},
      {"distribution", [](FailureRun& r) { r.scenario["failures"] = {{"gpu", {{"mtbf_s", 10}, {"distribution", "normal"}}}}; },
       "/failures/gpu/distribution"},
      {"unknown key", [](FailureRun& r) { r.scenario["failures"]["mttr_s"] = 3; }, "/failures/mttr_s"},
      {"cost without interval", [](FailureRun& r) { r.scenario["workload"]["jobs"].erase("checkpoint_interval_s"); },
       "/workload/jobs/checkpoint_cost_s: set without checkpoint_interval_s"},
      {"straggler host", [](FailureRun& r) { r.scenario["failures"]["stragglers"] = {{{"host", "srv7"}, {"duration_s", 5}}}; },
       "/failures/stragglers/0/host: \"srv7\" is not a server or GPU of the platform"},
      {"straggler factor", [](FailureRun& r) { r.scenario["failures"]["stragglers"] = {{{"host", "srv0-gpu0"}, {"duration_s", 5}, {"factor", 0}}}; },
       "/failures/stragglers/0/factor"},
      {"straggler overlap", [](FailureRun& r) {
         r.scenario["failures"]["stragglers"] = {{{"host", "srv0-gpu0"}, {"start_s", 0}, {"duration_s", 50}},
                                                 {{"host", "srv0-gpu0"}, {"start_s", 40}, {"duration_s", 5}}};
       },
       "/failures/stragglers/1/start_s: 40 overlaps the episode of srv0-gpu0 from 0 to 50"},
  };
  for (const auto& c : cases) {
    FailureRun r("failure-bad", kOneJob);
    c.edit(r);
    CliResult result = r.run();
    EXPECT_EQ(result.exit_code, 2) << c.what;
    EXPECT_NE(result.err.find(c.expected), std::string::npos) << c.what << ":\n" << result.err;
    EXPECT_FALSE(std::filesystem::exists(r.dir / "out/summary.json")) << c.what;
  }
}

}  // namespace
