// Every scheduling policy through the CLI on small hand-made scenarios with hand-computed start and
// end times (first-fit placement, exclusive GPUs, trace replay: a run that starts at t ends at
// t + what is left of duration_s, plus the restart cost after a preemption), and invariants on a
// larger random workload: every job ends exactly once, run_s adds up, GPUs are never over-allocated.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "tests/engine/support/engine_support.hpp"
#include "tests/engine/support/run_helpers.hpp"

using namespace aidcsim::testing;

namespace {

using Row = std::map<std::string, std::string>;

struct ScenarioRun {
  TempFolder dir;
  std::string scenario;
  // `scheduler` is the scenario's scheduler object, e.g. {"policy": "las", "restart_cost_s": 30}.
  ScenarioRun(const std::string& name, int servers, int gpus, const std::string& trace, const nlohmann::json& scheduler,
      double monitoring_interval_s = 60)
      : dir(name) {
    dir.write("platform.xml", small_platform_xml(servers, gpus));
    dir.write("trace.csv", trace);
    nlohmann::json s = {{"name", name},
                        {"platform", "platform.xml"},
                        {"workload", {{"jobs", {{"path", "trace.csv"}, {"format", "native"}}}}},
                        {"scheduler", scheduler},
                        {"placement", {{"policy", "first-fit"}}},
                        {"monitoring", {{"interval_s", monitoring_interval_s}}}};
    scenario = dir.write("scenario.json", s.dump(2));
  }
  // Runs into `out` and returns jobs.csv by job_id.
  std::map<std::string, Row> go(const std::string& out = "out", const std::string& extra = "") {
    CliResult r = run_cli("run " + scenario + " --out " + (dir / out) + " --quiet " + extra);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, Row> rows;
    for (auto& row : read_csv(dir / out + "/jobs.csv")) {
      EXPECT_EQ(rows.count(row["job_id"]), 0u) << "job " << row["job_id"] << " has two rows";
      rows[row["job_id"]] = row;
    }
    return rows;
  }
};

// "start-end" of a job, e.g. "100-180".
std::string span(std::map<std::string, Row>& rows, const std::string& id) { return rows[id]["start_s"] + "-" + rows[id]["end_s"]; }

std::map<std::string, std::string> spans(std::map<std::string, Row>& rows) {
  std::map<std::string, std::string> out;
  for (auto& [id, row] : rows) out[id] = span(rows, id);
  return out;
}

using Spans = std::map<std::string, std::string>;

}  // namespace

// ---------------------------------------------------------------- fifo

// 1 server x 4 GPUs. a (2 GPUs) runs 0-100; b (4 GPUs) cannot start before a ends.
//   strict (default): b blocks c, d and e; t=100 b (100-150); t=150 c (150-180), d (150-350) and
//   e (150-160).
//   blocking: false: t=20 c starts on a free GPU (20-50), t=30 d on the last one (30-230); t=40 e
//   finds none; t=50 c ends and e starts (50-60) while b (4 GPUs) still does not fit; t=100 a ends
//   but d holds a GPU, so b waits until d ends: 230-280 (skipping lets the head starve).
const char* kFifoTrace =
    "job_id,submit_s,duration_s,gpus\n"
    "a,0,100,2\n"
    "b,10,50,4\n"
    "c,20,30,1\n"
    "d,30,200,1\n"
    "e,40,10,1\n";

TEST(SchedulerRuns, FifoHeadBlocksByDefault) {
  ScenarioRun run("fifo", 1, 4, kFifoTrace, {{"policy", "fifo"}});
  auto rows = run.go();
  EXPECT_EQ(spans(rows), (Spans{{"a", "0-100"}, {"b", "100-150"}, {"c", "150-180"}, {"d", "150-350"}, {"e", "150-160"}}));
  ScenarioRun strict("fifo-blocking", 1, 4, kFifoTrace, {{"policy", "fifo"}, {"blocking", true}});
  auto same = strict.go();
  EXPECT_EQ(spans(same), spans(rows));
}

TEST(SchedulerRuns, FifoNonBlockingLetsSmallJobsThrough) {
  ScenarioRun run("fifo-skip", 1, 4, kFifoTrace, {{"policy", "fifo"}, {"blocking", false}});
  auto rows = run.go();
  EXPECT_EQ(spans(rows), (Spans{{"a", "0-100"}, {"b", "230-280"}, {"c", "20-50"}, {"d", "30-230"}, {"e", "50-60"}}));
}

// ---------------------------------------------------------------- sjf

// 1 server x 2 GPUs. a (0-100) and z (0-150) hold both GPUs. Pending by estimate: b (2 GPUs,
// estimate 10), d (estimate 20 though it runs 80 s), c (30 s).
//   skipping (default): t=100 b does not fit, d starts (100-180); t=150 b still does not fit, c
//   starts (150-180); t=180 b (180-230).
//   blocking: t=100 b blocks; t=150 b starts (150-200); t=200 d (200-280) and c (200-230).
const char* kSjfTrace =
    "job_id,submit_s,duration_s,gpus,estimate_s\n"
    "a,0,100,1,\n"
    "z,0,150,1,\n"
    "b,10,50,2,10\n"
    "c,20,30,1,\n"
    "d,30,80,1,20\n";

TEST(SchedulerRuns, SjfSkipsJobsThatDoNotFit) {
  ScenarioRun run("sjf", 1, 2, kSjfTrace, {{"policy", "sjf"}});
  auto rows = run.go();
  EXPECT_EQ(spans(rows), (Spans{{"a", "0-100"}, {"z", "0-150"}, {"b", "180-230"}, {"c", "150-180"}, {"d", "100-180"}}));
}

TEST(SchedulerRuns, SjfBlocking) {
  ScenarioRun run("sjf-blocking", 1, 2, kSjfTrace, {{"policy", "sjf"}, {"blocking", true}});
  auto rows = run.go();
  EXPECT_EQ(spans(rows), (Spans{{"a", "0-100"}, {"z", "0-150"}, {"b", "150-200"}, {"c", "200-230"}, {"d", "200-280"}}));
}

// ---------------------------------------------------------------- backfill (EASY)

// 1 server x 4 GPUs. a (2 GPUs) runs 0-100; the head h waits for a's end at 100 (the shadow time).
//   h needs 3 GPUs: s (1 GPU, ends 80) backfills at 20 (ends before the shadow); l (1 GPU, 200 s)
//   backfills at 30 on the GPU h does not need at 100; m finds no GPU at 40, and at 80 (s ends)
//   starts because it ends at 90, before the shadow. h starts at 100 exactly as under FIFO.
//   h needs 4 GPUs: l would delay it and waits until h ends (150-350); m backfills at 40 (ends 50).
std::string backfill_trace(int head_gpus) {
  return "job_id,submit_s,duration_s,gpus\n"
         "a,0,100,2\n"
         "h,10,50," + std::to_string(head_gpus) + "\n"
         "s,20,60,1\n"
         "l,30,200,1\n"
         "m,40,10,1\n";
}

TEST(SchedulerRuns, BackfillUsesExtraResourcesWithoutDelayingTheHead) {
  ScenarioRun run("backfill-3", 1, 4, backfill_trace(3), {{"policy", "backfill"}});
  auto rows = run.go();
  EXPECT_EQ(spans(rows), (Spans{{"a", "0-100"}, {"h", "100-150"}, {"s", "20-80"}, {"l", "30-230"}, {"m", "80-90"}}));
}

TEST(SchedulerRuns, BackfillDoesNotStartALongJobThatWouldDelayTheHead) {
  ScenarioRun run("backfill-4", 1, 4, backfill_trace(4), {{"policy", "backfill"}});
  auto rows = run.go();
  EXPECT_EQ(spans(rows), (Spans{{"a", "0-100"}, {"h", "100-150"}, {"s", "20-80"}, {"l", "150-350"}, {"m", "40-50"}}));
  // FIFO for comparison: s, l and m all wait behind h.
  ScenarioRun fifo("backfill-4-fifo", 1, 4, backfill_trace(4), {{"policy", "fifo"}});
  auto f = fifo.go();
  EXPECT_EQ(span(f, "h"), "100-150");
  EXPECT_EQ(span(f, "s"), "150-210");
}

// ---------------------------------------------------------------- las (Tiresias 2D-LAS)

// 1 GPU, one threshold at 100 GPU-s, restart cost 30 s. L starts at 0; S arrives at 200, when L has
// 200 GPU-s (queue 1): S (queue 0) preempts L and runs 200-250. L restarts at 250, pays 30 s, and
// does its remaining 800 s: it ends at 1080, with one preemption and 200 + 830 = 1030 s of run time.
const char* kLasTrace =
    "job_id,submit_s,duration_s,gpus\n"
    "L,0,1000,1\n"
    "S,200,50,1\n";

TEST(SchedulerRuns, LasPreemptsALongJobForAShortOneWithRestartCost) {
  ScenarioRun run("las", 1, 1, kLasTrace, {{"policy", "las"}, {"thresholds_gpu_s", {100}}, {"restart_cost_s", 30}});
  auto rows = run.go();
  EXPECT_EQ(spans(rows), (Spans{{"L", "0-1080"}, {"S", "200-250"}}));
  EXPECT_EQ(rows["L"]["preemptions"], "1");
  EXPECT_EQ(rows["L"]["run_s"], "1030");
  EXPECT_EQ(rows["L"]["state"], "completed");
  EXPECT_EQ(rows["S"]["preemptions"], "0");
  EXPECT_EQ(rows["S"]["run_s"], "50");
  EXPECT_EQ(rows["L"]["jct_s"], "1080");
}

TEST(SchedulerRuns, LasPreemptionGivesTheSameResultsWithSimGridActivities) {
  ScenarioRun run("las-activities", 1, 1, kLasTrace, {{"policy", "las"}, {"thresholds_gpu_s", {100}}, {"restart_cost_s", 30}});
  run.go("timer");
  run.go("activities", "--set engine.activities=always");
  EXPECT_EQ(read_text(run.dir / "activities/jobs.csv"), read_text(run.dir / "timer/jobs.csv"));
}

TEST(SchedulerRuns, LasWithoutPreemptionCostKeepsProgress) {
  ScenarioRun run("las-free", 1, 1, kLasTrace, {{"policy", "las"}, {"thresholds_gpu_s", {100}}});
  auto rows = run.go();
  EXPECT_EQ(spans(rows), (Spans{{"L", "0-1050"}, {"S", "200-250"}}));
  EXPECT_EQ(rows["L"]["run_s"], "1000");
}

// Demotion takes effect at the crossing instant (the policy asks the core for a wake-up): S2 arrives
// at 50, when L (queue 0, 50 GPU-s) is in its own queue; L crosses 100 GPU-s at t=100, with no other
// event then (the monitoring samples are at 0, 60, 120): S2 preempts L at 100 (100-150). L restarts
// at 150: 30 s + the 900 s left, ending at 1080 (run_s 100 + 930).
TEST(SchedulerRuns, LasDemotionTakesEffectAtTheCrossingInstant) {
  ScenarioRun run("las-crossing", 1, 1, "job_id,submit_s,duration_s,gpus\nL,0,1000,1\nS2,50,50,1\n",
          {{"policy", "las"}, {"thresholds_gpu_s", {100}}, {"restart_cost_s", 30}}, 60);
  auto rows = run.go();
  EXPECT_EQ(spans(rows), (Spans{{"L", "0-1080"}, {"S2", "100-150"}}));
  EXPECT_EQ(rows["L"]["run_s"], "1030");
}

// Starvation promotes at the exact instant too (no sample, arrival or completion then). 1 GPU,
// threshold 100 GPU-s, starvation 300 s, restart free. L runs 0-150 (150 GPU-s, queue 1 since 100);
// S arrives at 150 in queue 0 and preempts L. At 450 L has waited 300 s: promoted (its queue
// service restarts from its 150 GPU-s), it preempts S (300 GPU-s, queue 1). L crosses again at 550;
// S, waiting since 450, is promoted at 750 and preempts L (450 of 1000 done); S's 200 s left end
// at 950; L's 550 s left end at 1500.
TEST(SchedulerRuns, LasStarvationPromotesAtTheExactInstant) {
  ScenarioRun run("las-starvation", 1, 1, "job_id,submit_s,duration_s,gpus\nL,0,1000,1\nS,150,500,1\n",
          {{"policy", "las"}, {"thresholds_gpu_s", {100}}, {"starvation_s", 300}}, 100000);
  auto rows = run.go();
  EXPECT_EQ(spans(rows), (Spans{{"L", "0-1500"}, {"S", "150-950"}}));
  EXPECT_EQ(rows["L"]["run_s"], "1000");
  EXPECT_EQ(rows["L"]["preemptions"], "2");
  EXPECT_EQ(rows["S"]["preemptions"], "1");
}

// ---------------------------------------------------------------- drf

// 1 server x 2 GPUs; tenant A holds both GPUs (a1 0-100, a2 0-200) and queues a3 before B's b1.
// At 100 A holds 1/2 of the GPUs and B nothing: b1 starts (100-200), then a3 at 200.
TEST(SchedulerRuns, DrfGivesTheFreeGpuToTheTenantWithTheLowerShare) {
  const char* trace =
      "job_id,submit_s,duration_s,gpus,tenant\n"
      "a1,0,100,1,A\n"
      "a2,0,200,1,A\n"
      "a3,1,100,1,A\n"
      "b1,2,100,1,B\n";
  ScenarioRun run("drf", 1, 2, trace, {{"policy", "drf"}});
  auto rows = run.go();
  EXPECT_EQ(spans(rows), (Spans{{"a1", "0-100"}, {"a2", "0-200"}, {"a3", "200-300"}, {"b1", "100-200"}}));
  ScenarioRun fifo("drf-fifo", 1, 2, trace, {{"policy", "fifo"}});
  auto f = fifo.go();
  EXPECT_EQ(span(f, "a3"), "100-200");
}

// ---------------------------------------------------------------- priority

// 1 server x 2 GPUs; lo (priority 0, 2 GPUs) runs from 0; mid (priority 1) arrives at 5, hi
// (priority 5) at 10.
//   non-preemptive: both wait for lo's end at 100, hi first (100-120), mid (100-110).
//   preemptive, restart 5 s: mid preempts lo at 5 (5-15), hi takes the other GPU (10-30); lo needs
//   both GPUs and restarts at 30: 5 s + the 95 s left, ending at 130 (run_s 5 + 100).
const char* kPriorityTrace =
    "job_id,submit_s,duration_s,gpus,priority\n"
    "lo,0,100,2,0\n"
    "mid,5,10,1,1\n"
    "hi,10,20,1,5\n";

TEST(SchedulerRuns, PriorityOrdersByPriority) {
  ScenarioRun run("priority", 1, 2, kPriorityTrace, {{"policy", "priority"}});
  auto rows = run.go();
  EXPECT_EQ(spans(rows), (Spans{{"lo", "0-100"}, {"mid", "100-110"}, {"hi", "100-120"}}));
}

TEST(SchedulerRuns, PriorityPreemptsLowerPriorityJobs) {
  ScenarioRun run("priority-preemptive", 1, 2, kPriorityTrace, {{"policy", "priority"}, {"preemptive", true}, {"restart_cost_s", 5}});
  auto rows = run.go();
  EXPECT_EQ(spans(rows), (Spans{{"lo", "0-130"}, {"mid", "5-15"}, {"hi", "10-30"}}));
  EXPECT_EQ(rows["lo"]["preemptions"], "1");
  EXPECT_EQ(rows["lo"]["run_s"], "105");
  EXPECT_EQ(rows["lo"]["queue_delay_s"], "0");
}

TEST(SchedulerRuns, PolicyOptionsAreCheckedWithTheirPath) {
  ScenarioRun run("bad-options", 1, 2, kPriorityTrace, {{"policy", "las"}, {"thresholds_gpu_s", {7200, 100}}, {"restart_cost", 5}});
  CliResult r = run_cli("run " + run.scenario + " --out " + (run.dir / "out") + " --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/scheduler/thresholds_gpu_s"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("/scheduler/restart_cost"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("restart_cost_s"), std::string::npos) << r.err;  // the "did you mean" hint
  EXPECT_TRUE(no_outputs_in(run.dir / "out"));
}

// ---------------------------------------------------------------- invariants on a random workload

namespace {

// 200 jobs on 2 servers x 4 GPUs: 1-4 GPUs (some 8: both whole servers), three tenants, priorities
// 0-3, estimates on some jobs, bursts of arrivals so that queues form. Durations are multiples of
// 0.5 s so that every sum is exact in binary.
std::string random_trace() {
  std::mt19937 rng(2024);
  std::ostringstream out;
  out << "job_id,submit_s,duration_s,gpus,tenant,priority,estimate_s\n";
  double t = 0;
  for (int i = 0; i < 200; ++i) {
    t += (rng() % 4 == 0) ? static_cast<double>(rng() % 400) : 0.5 * (rng() % 10);
    int gpus = std::array<int, 8>{1, 1, 1, 2, 2, 3, 4, 8}[rng() % 8];
    double duration = 0.5 * (1 + rng() % 2000);
    std::string estimate = rng() % 3 == 0 ? std::to_string(duration * (1 + rng() % 3)) : "";
    out << "j" << i << "," << t << "," << duration << "," << gpus << ",t" << rng() % 3 << "," << rng() % 4 << ","
        << estimate << "\n";
  }
  return out.str();
}

void check_invariants(const nlohmann::json& scheduler, double restart_cost_s, bool may_preempt) {
  std::string name = "inv-" + scheduler["policy"].get<std::string>() + (may_preempt ? "-p" : "");
  ScenarioRun run(name, 2, 4, random_trace(), scheduler);
  auto rows = run.go();
  ASSERT_EQ(rows.size(), 200u);
  auto summary = read_json(run.dir / "out/summary.json");
  EXPECT_EQ(summary["jobs"]["completed"], 200);
  double makespan = summary["makespan_s"].get<double>();
  double gpu_seconds = 0;
  int preempted_jobs = 0;
  // Per GPU host: [start, end) of non-preempted runs, to check that no GPU holds two jobs at once.
  std::map<std::string, std::vector<std::pair<double, double>>> busy;
  for (auto& [id, row] : rows) {
    SCOPED_TRACE(id);
    ASSERT_EQ(row["state"], "completed");
    double submit = std::stod(row["submit_s"]), start = std::stod(row["start_s"]), end = std::stod(row["end_s"]);
    double duration = std::stod(row["duration_s"]), run_s = std::stod(row["run_s"]);
    int preemptions = std::stoi(row["preemptions"]);
    EXPECT_GE(start, submit);
    EXPECT_GE(end, start + duration - 1e-6);
    // Every run pays the restart cost before working again, unless preempted again meanwhile.
    EXPECT_GE(run_s, duration - 1e-6);
    EXPECT_LE(run_s, duration + preemptions * restart_cost_s + 1e-6);
    EXPECT_LE(run_s, end - start + 1e-6);
    if (!may_preempt) {
      EXPECT_EQ(preemptions, 0);
    }
    preempted_jobs += preemptions > 0;
    gpu_seconds += std::stoi(row["gpus"]) * run_s;
    if (preemptions == 0) {
      EXPECT_NEAR(end - start, duration, 1e-6);
      std::stringstream hosts(row["hosts"]);
      for (std::string h; std::getline(hosts, h, ';');) busy[h].push_back({start, end});
    }
  }
  EXPECT_LE(gpu_seconds, 8 * makespan + 1e-6);
  for (auto& [host, spans] : busy) {
    std::sort(spans.begin(), spans.end());
    for (std::size_t i = 1; i < spans.size(); ++i)
      EXPECT_LE(spans[i - 1].second, spans[i].first + 1e-9) << host << " holds two jobs at once";
  }
  if (may_preempt) {
    EXPECT_GT(preempted_jobs, 0) << "the workload should exercise preemption";
  }
}

}  // namespace

TEST(SchedulerInvariants, Fifo) { check_invariants({{"policy", "fifo"}}, 0, false); }
TEST(SchedulerInvariants, FifoNonBlocking) { check_invariants({{"policy", "fifo"}, {"blocking", false}}, 0, false); }
TEST(SchedulerInvariants, Sjf) { check_invariants({{"policy", "sjf"}}, 0, false); }
TEST(SchedulerInvariants, SjfBlocking) { check_invariants({{"policy", "sjf"}, {"blocking", true}}, 0, false); }
TEST(SchedulerInvariants, Backfill) { check_invariants({{"policy", "backfill"}, {"overestimate_factor", 1.5}}, 0, false); }
TEST(SchedulerInvariants, Drf) { check_invariants({{"policy", "drf"}, {"weights", {{"t0", 2}}}}, 0, false); }
TEST(SchedulerInvariants, Priority) { check_invariants({{"policy", "priority"}}, 0, false); }
TEST(SchedulerInvariants, PriorityPreemptive) {
  check_invariants({{"policy", "priority"}, {"preemptive", true}, {"restart_cost_s", 7.5}}, 7.5, true);
}
TEST(SchedulerInvariants, Las) {
  check_invariants({{"policy", "las"}, {"thresholds_gpu_s", {500, 2000}}, {"restart_cost_s", 12.5}}, 12.5, true);
}
TEST(SchedulerInvariants, LasWithStarvationLimit) {
  check_invariants({{"policy", "las"}, {"thresholds_gpu_s", {500, 2000}}, {"restart_cost_s", 12.5}, {"starvation_s", 1500}},
                   12.5, true);
}

// Preemption through SimGrid activities (stopped executions, progress read from SimGrid) gives the
// same jobs as the exact timer path (a preempted run's timer used to wake the engine for an extra
// pass, which changed LAS's decisions). This workload has no completion at the same instant as
// another event: SimGrid's end times can differ from the exact ones by rounding, so such ties may
// resolve differently in the two modes.
TEST(SchedulerInvariants, LasActivitiesMatchTimers) {
  ScenarioRun run("inv-las-activities", 2, 4, random_trace(),
                  {{"policy", "las"}, {"thresholds_gpu_s", {500, 2000}}, {"restart_cost_s", 12.5}});
  auto timers = run.go("timers");
  auto activities = run.go("activities", "--set engine.activities=always");
  ASSERT_EQ(activities.size(), timers.size());
  for (auto& [id, row] : timers) {
    SCOPED_TRACE(id);
    for (const char* column : {"start_s", "end_s", "run_s"})
      EXPECT_NEAR(std::stod(activities[id][column]), std::stod(row[column]), 1e-6) << column;
    EXPECT_EQ(activities[id]["preemptions"], row["preemptions"]);
  }
}

// Preemptions at the same instant as completions and samples (integer times, a 10-s monitoring
// interval), with every job run as SimGrid activities: every job still completes, and nothing is
// left waiting (a preempted job's actor used to be killed while holding the executor's mutex, which
// froze the run).
TEST(SchedulerInvariants, PreemptionWithActivitiesCompletesEveryJob) {
  std::mt19937 rng(5);  // froze both runs before the fix
  std::ostringstream trace;
  trace << "job_id,submit_s,duration_s,gpus,priority\n";
  int t = 0;
  for (int i = 0; i < 120; ++i) {
    t += std::array<int, 6>{0, 0, 10, 20, 50, 100}[rng() % 6];
    trace << "j" << i << "," << t << "," << std::array<int, 6>{10, 20, 50, 100, 200, 300}[rng() % 6] << ","
          << std::array<int, 5>{1, 1, 2, 4, 8}[rng() % 5] << "," << rng() % 4 << "\n";
  }
  for (const nlohmann::json& scheduler :
       {nlohmann::json{{"policy", "las"}, {"thresholds_gpu_s", {100, 400}}, {"restart_cost_s", 10}},
        nlohmann::json{{"policy", "priority"}, {"preemptive", true}, {"restart_cost_s", 10}}}) {
    SCOPED_TRACE(scheduler.dump());
    ScenarioRun run("activities-" + scheduler["policy"].get<std::string>(), 2, 4, trace.str(), scheduler, 10);
    CliResult r = run_cli("run " + run.scenario + " --out " + (run.dir / "out") + " --quiet --set engine.activities=always");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err.find("Deadlock"), std::string::npos) << r.err;
    EXPECT_EQ(read_json(run.dir / "out/summary.json")["jobs"]["completed"], 120);
  }
}
