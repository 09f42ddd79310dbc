// Alert rules from a scenario file through the CLI (docs/monitoring.md): a queue that builds up fires
// its alert at the hand-derived instants, runs without rules write no alerts.csv, and bad rules are
// input errors naming their JSON path.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/engine/support/engine_support.hpp"
#include "tests/engine/support/run_helpers.hpp"

using namespace aidcsim::testing;

namespace {

struct AlertRun {
  TempFolder dir;
  nlohmann::json scenario;
  explicit AlertRun(const std::string& name) : dir(name) {
    dir.write("platform.xml", small_platform_xml(1, 2, "A100-80GB", 312e12));
    // a holds both GPUs from 0 to 1000; b waits for them from 0 and runs 1000..1500.
    dir.write("jobs.csv", "job_id,submit_s,duration_s,gpus\na,0,1000,2\nb,0,500,2\n");
    scenario = {{"name", name},
                {"platform", "platform.xml"},
                {"workload", {{"jobs", {{"path", "jobs.csv"}, {"format", "native"}}}}},
                {"monitoring",
                 {{"interval_s", 60},
                  {"scrape_interval_s", 60},
                  {"evaluation_interval_s", 60},
                  {"alerts", {{{"name", "QueueWait"}, {"expr", "aidcsim_jobs_pending > 0"}, {"for_s", 120}, {"severity", "critical"}}}}}}};
  }
  CliResult run() {
    std::string path = dir.write("scenario.json", scenario.dump(2));
    return run_cli("run " + path + " --out " + (dir / "out") + " --quiet");
  }
};

// The scrape at 0 comes before the arrivals of that instant (pending 0); the one at 60 sees b pending:
// the evaluation at 60 makes it pending, 180 (120 s later) firing; b starts at 1000, the scrape at 1020
// sees no job pending and the evaluation at 1020 resolves it.
TEST(AlertRuns, QueueThatBuildsUpFiresAndResolves) {
  AlertRun r("alerts-queue");
  CliResult result = r.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(read_text(r.dir / "out/alerts.csv"),
            "rule,labels,pending_s,firing_s,resolved_s,value,severity\nQueueWait,{},60,180,1020,1,critical\n");
  auto summary = read_json(r.dir / "out/summary.json");
  const auto& rule = summary["alerts"]["rules"]["QueueWait"];
  EXPECT_EQ(rule["firings"], 1);
  EXPECT_EQ(rule["firing_s"], 840.0);
  EXPECT_EQ(summary["alerts"]["scrapes"], 26);  // 0, 60, ..., 1500
  // The scrape delay lags it: with 90 s the sample of 60 is seen from 150 (pending at 180, firing at
  // 300), the one of 1020 from 1110 (resolved at 1140).
  r.scenario["monitoring"]["scrape_delay_s"] = 90;
  ASSERT_EQ(r.run().exit_code, 0);
  EXPECT_EQ(read_text(r.dir / "out/alerts.csv"),
            "rule,labels,pending_s,firing_s,resolved_s,value,severity\nQueueWait,{},180,300,1140,1,critical\n");
  // Without rules: no scrapes, no alerts.csv, no "alerts" in the summary.
  r.scenario["monitoring"].erase("alerts");
  ASSERT_EQ(r.run().exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(r.dir / "out/alerts.csv"));
  EXPECT_FALSE(read_json(r.dir / "out/summary.json").contains("alerts"));
}

TEST(AlertRuns, BadRulesAreInputErrorsWithTheirPath) {
  struct Case {
    nlohmann::json alerts;
    std::string expected;
  };
  std::vector<Case> cases = {
      {{{{"name", "A"}, {"expr", "aidcsim_gpu_temperature > 80"}}}, "/monitoring/alerts/0/expr: metric \"aidcsim_gpu_temperature\" is not in the registry"},
      {{{{"name", "A"}, {"expr", "avg_over_time(aidcsim_jobs_pending) > 1"}}}, "/monitoring/alerts/0/expr: \"avg_over_time(aidcsim_jobs_pending) > 1\": expected a range"},
      {{{{"name", "A"}, {"expr", "aidcsim_jobs_pending > 1"}}, {{"name", "A"}, {"expr", "aidcsim_jobs_running > 1"}}},
       "/monitoring/alerts/1/name: alert \"A\" is declared twice"},
      {{{{"name", "A"}, {"expr", "aidcsim_jobs_pending > 1"}, {"for", "5m"}}}, "/monitoring/alerts/0/for"},
      {{{{"name", "A"}, {"expr", "aidcsim_jobs_pending > 1"}, {"for_s", -1}}}, "/monitoring/alerts/0/for_s"},
  };
  for (const auto& c : cases) {
    AlertRun r("alerts-bad");
    r.scenario["monitoring"]["alerts"] = c.alerts;
    CliResult result = r.run();
    EXPECT_EQ(result.exit_code, 2) << c.expected;
    EXPECT_NE(result.err.find(c.expected), std::string::npos) << result.err;
    EXPECT_TRUE(no_outputs_in(r.dir / "out")) << c.expected;
  }
}

}  // namespace
