// Sweep files: grid/zip/seeds expansion, point ids, error lines, results.csv and the Slurm script.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "sim/experiments/sweep.hpp"

using namespace aidcsim;

namespace {

std::vector<std::string> ids(const SweepPlan& plan) {
  std::vector<std::string> out;
  for (const auto& p : plan.points) out.push_back(p.id);
  return out;
}

// "key=value" of every parameter of a point, in column order.
std::string describe(const SweepPoint& p) {
  std::string out;
  for (const auto& q : p.params) out += (out.empty() ? "" : " ") + q.key + "=" + q.value.dump();
  return out;
}

// The problems a bad sweep file gives, formatted.
std::vector<std::string> problems_of(const std::string& text) {
  try {
    parse_sweep(text, "s.json");
  } catch (const InputErrors& e) {
    std::vector<std::string> out;
    for (const auto& p : e.problems()) out.push_back(p.format());
    return out;
  }
  return {};
}

bool any_contains(const std::vector<std::string>& lines, const std::string& needle) {
  for (const auto& l : lines)
    if (l.find(needle) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST(SweepExpansion, GridIsACartesianProductInFileOrderLastKeyFastest) {
  auto plan = parse_sweep(R"({
    "scenario": "q.json",
    "grid": { "workload.jobs.time_scale": [1, 0.5], "placement.policy": ["first-fit", "best-fit", "spread"] }
  })", "dir/s.json");
  ASSERT_EQ(plan.points.size(), 6u);
  EXPECT_EQ(plan.scenario, "dir/q.json");  // relative to the sweep file
  EXPECT_EQ(plan.columns, (std::vector<std::string>{"workload.jobs.time_scale", "placement.policy"}));
  EXPECT_EQ(describe(plan.points[0]), "workload.jobs.time_scale=1 placement.policy=\"first-fit\"");
  EXPECT_EQ(describe(plan.points[1]), "workload.jobs.time_scale=1 placement.policy=\"best-fit\"");
  EXPECT_EQ(describe(plan.points[3]), "workload.jobs.time_scale=0.5 placement.policy=\"first-fit\"");
  EXPECT_EQ(describe(plan.points[5]), "workload.jobs.time_scale=0.5 placement.policy=\"spread\"");
  for (std::size_t i = 0; i < plan.points.size(); ++i) EXPECT_EQ(plan.points[i].index, i);
  EXPECT_EQ(plan.metrics, default_sweep_metrics());
  EXPECT_EQ(plan.default_out_dir(), "results/sweeps/s");
}

TEST(SweepExpansion, ZipVariesListsTogetherAndCombinesWithTheGrid) {
  auto plan = parse_sweep(R"({
    "scenario": "q.json",
    "grid": { "scheduler.policy": ["fifo", "sjf"] },
    "zip": { "workload.jobs.time_scale": [1, 0.5, 0.25], "horizon_s": [1000, 2000, 4000] }
  })", "s.json");
  ASSERT_EQ(plan.points.size(), 6u);
  EXPECT_EQ(plan.columns, (std::vector<std::string>{"scheduler.policy", "workload.jobs.time_scale", "horizon_s"}));
  EXPECT_EQ(describe(plan.points[0]), "scheduler.policy=\"fifo\" workload.jobs.time_scale=1 horizon_s=1000");
  EXPECT_EQ(describe(plan.points[2]), "scheduler.policy=\"fifo\" workload.jobs.time_scale=0.25 horizon_s=4000");
  EXPECT_EQ(describe(plan.points[4]), "scheduler.policy=\"sjf\" workload.jobs.time_scale=0.5 horizon_s=2000");
  // Where each value came from, for error messages.
  EXPECT_EQ(plan.points[4].params[1].pointer, "/zip/workload.jobs.time_scale/1");
}

TEST(SweepExpansion, SeveralZipGroupsAreSeveralAxes) {
  auto plan = parse_sweep(R"({
    "scenario": "q.json",
    "zip": [ { "a.x": [1, 2], "a.y": [3, 4] }, { "b": ["u", "v", "w"] } ]
  })", "s.json");
  ASSERT_EQ(plan.points.size(), 6u);
  EXPECT_EQ(describe(plan.points[5]), "a.x=2 a.y=4 b=\"w\"");
}

TEST(SweepExpansion, SeedsAsACountOrAListAreTheInnermostAxis) {
  auto count = parse_sweep(R"({"scenario": "q.json", "grid": {"scheduler.policy": ["fifo", "sjf"]}, "seeds": 3})",
                           "s.json");
  ASSERT_EQ(count.points.size(), 6u);
  EXPECT_EQ(count.columns.back(), "seed");
  EXPECT_EQ(describe(count.points[0]), "scheduler.policy=\"fifo\" seed=1");
  EXPECT_EQ(describe(count.points[2]), "scheduler.policy=\"fifo\" seed=3");
  EXPECT_EQ(describe(count.points[3]), "scheduler.policy=\"sjf\" seed=1");

  auto list = parse_sweep(R"({"scenario": "q.json", "seeds": [7, 42]})", "s.json");
  ASSERT_EQ(list.points.size(), 2u);
  EXPECT_EQ(describe(list.points[1]), "seed=42");
}

TEST(SweepExpansion, SeedIsPassedAsSeedAndStringsStayStrings) {
  auto plan = parse_sweep(R"({
    "scenario": "q.json",
    "set": { "workload.jobs.limit": 100 },
    "grid": { "tenant.name": ["007"], "seed": [5] }
  })", "s.json");
  ASSERT_EQ(plan.points.size(), 1u);
  auto args = plan.points[0].run_args("q.json", "out/p");
  EXPECT_EQ(args, (std::vector<std::string>{"run", "q.json", "--out", "out/p", "--set", "workload.jobs.limit=100",
                                            "--set", "tenant.name=\"007\"", "--seed", "5", "--quiet"}));
}

TEST(SweepIds, Fnv1aKnownValues) {
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ull);
}

TEST(SweepIds, StableReadableAndUnique) {
  const char* text = R"({"scenario": "q.json", "grid": {"scheduler.policy": ["fifo", "sjf"], "seed": [1, 2, 3]}})";
  auto a = parse_sweep(text, "s.json");
  auto b = parse_sweep(text, "other/place.json");
  EXPECT_EQ(ids(a), ids(b));  // ids depend on the parameters only
  auto ids_a = ids(a);
  std::set<std::string> unique(ids_a.begin(), ids_a.end());
  EXPECT_EQ(unique.size(), 6u);
  // The hash is FNV-1a of the canonical JSON of the parameters (sorted keys), folded to 32 bits.
  EXPECT_EQ(a.points[0].canonical().dump(), R"({"scheduler.policy":"fifo","seed":1})");
  std::uint64_t h = fnv1a64(R"({"scheduler.policy":"fifo","seed":1})");
  char hex[16];
  std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(static_cast<std::uint32_t>(h ^ (h >> 32))));
  EXPECT_EQ(a.points[0].id, std::string("policy-fifo_seed-1-") + hex);
  EXPECT_EQ(sweep_point_id("policy-fifo_seed-1", a.points[0].canonical()), a.points[0].id);

  // The same values in another key order give the same ids (the slug lists keys sorted, too).
  auto c = parse_sweep(R"({"scenario": "q.json", "grid": {"seed": [1, 2, 3], "scheduler.policy": ["fifo", "sjf"]}})",
                       "s.json");
  auto ids_c = ids(c);
  EXPECT_EQ(std::set<std::string>(ids_c.begin(), ids_c.end()), unique);
}

TEST(SweepIds, PinnedValue) {
  // Ids must not change between versions: resumed sweeps find their points by id.
  auto plan = parse_sweep(R"({"scenario": "q.json", "grid": {"workload.jobs.time_scale": [1, 0.5], "seed": [1, 2, 3]}})",
                          "s.json");
  EXPECT_EQ(plan.points[0].id, "seed-1_time_scale-1-51ed1534");
  EXPECT_EQ(plan.points[3].id, "seed-1_time_scale-0.5-dca003c3");
}

TEST(SweepIds, SlugSkipsSingleValuedKeysButTheHashDoesNot) {
  auto one = parse_sweep(R"({"scenario": "q.json", "grid": {"placement.policy": ["spread"], "seed": [1, 2]}})", "s.json");
  EXPECT_EQ(one.points[0].id.rfind("seed-1-", 0), 0u);
  auto fixed = parse_sweep(R"({"scenario": "q.json", "set": {"horizon_s": 10}, "grid": {"placement.policy": ["spread"],
                               "seed": [1, 2]}})", "s.json");
  EXPECT_EQ(fixed.points[0].id.rfind("seed-1-", 0), 0u);
  EXPECT_NE(fixed.points[0].id, one.points[0].id);  // "set" values are part of the point
}

TEST(SweepIds, SlugUsesFullPathsWhenLastComponentsCollideAndFileStemsForPaths) {
  auto plan = parse_sweep(R"({"scenario": "q.json", "grid": {"scheduler.policy": ["fifo", "sjf"],
      "placement.policy": ["first-fit", "spread"], "platform": ["../platforms/a100 big.xml", "p/h100.xml"]}})", "s.json");
  EXPECT_EQ(plan.points[0].id.rfind("placement.policy-first-fit_platform-a100_big_scheduler.policy-fifo-", 0), 0u)
      << plan.points[0].id;
  for (const auto& p : plan.points)
    for (char ch : p.id) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(ch)) || std::string("._+-").find(ch) != std::string::npos) << p.id;
}

TEST(SweepErrors, EveryProblemWithItsLineAndPath) {
  auto problems = problems_of(R"({
  "scenario": "q.json",
  "grid": { "a.b": [1, 1], "seed": [1, -2], "c": [] },
  "zip": { "d": [1, 2], "e": [1] },
  "seeds": 3,
  "metrcs": ["x"],
  "slurm": { "partition": 3, "foo": 1 }
})");
  EXPECT_TRUE(any_contains(problems, "error: s.json:3: /grid/a.b/1: duplicate value 1")) << problems.size();
  EXPECT_TRUE(any_contains(problems, "error: s.json:3: /grid/seed/1: found -2, expected a non-negative integer seed"));
  EXPECT_TRUE(any_contains(problems, "error: s.json:3: /grid/c: found [], expected a non-empty array"));
  EXPECT_TRUE(any_contains(problems, "error: s.json:4: /zip/e: has 1 values but \"d\" has 2"));
  EXPECT_TRUE(any_contains(problems, "error: s.json:5: /seeds: \"seeds\" cannot be used when \"seed\""));
  EXPECT_TRUE(any_contains(problems, "error: s.json:6: /metrcs: unknown key \"metrcs\" (did you mean \"metrics\"?)"));
  EXPECT_TRUE(any_contains(problems, "error: s.json:7: /slurm/partition: found 3, expected a string"));
  EXPECT_TRUE(any_contains(problems, "error: s.json:7: /slurm/foo: unknown key \"foo\""));
  // Sorted by line.
  for (std::size_t i = 1; i < problems.size(); ++i) EXPECT_LE(problems[i - 1].substr(0, 12), problems[i].substr(0, 12));
}

TEST(SweepErrors, BadShapes) {
  EXPECT_TRUE(any_contains(problems_of(R"([1, 2])"), "s.json:1: a sweep file must be a JSON object"));
  EXPECT_TRUE(any_contains(problems_of(R"({"grid": {"seed": [1]}})"), "/scenario: missing"));
  EXPECT_TRUE(any_contains(problems_of(R"({"scenario": "q.json"})"), "nothing to vary"));
  EXPECT_TRUE(any_contains(problems_of(R"({"scenario": "q.json", "grid": {"a": 3}})"), "/grid/a: found 3, expected a non-empty array"));
  EXPECT_TRUE(any_contains(problems_of(R"({"scenario": "q.json", "grid": {"a=b": [3]}})"), "cannot contain '='"));
  EXPECT_TRUE(any_contains(problems_of(R"({"scenario": "q.json", "grid": {"a..b": [3]}})"), "bad key \"a..b\""));
  EXPECT_TRUE(any_contains(problems_of(R"({"scenario": "q.json", "grid": {"a": [1]}, "set": {"a": 2}})"),
                           "/set/a: \"a\" is already varied or set at /grid/a"));
  EXPECT_TRUE(any_contains(problems_of(R"({"scenario": "q.json", "seeds": 0})"), "/seeds: found 0"));
  EXPECT_TRUE(any_contains(problems_of(R"({"scenario": "q.json", "seeds": [1, 1]})"), "/seeds/1: duplicate seed 1"));
  EXPECT_TRUE(any_contains(problems_of(R"({"scenario": "q.json", "seeds": 2, "metrics": ["a", "a"]})"),
                           "/metrics/1: \"a\" is listed twice"));
  EXPECT_TRUE(any_contains(problems_of(R"({"scenario": "q.json", "seeds": 2, "metrics": "a"})"),
                           "/metrics: found \"a\", expected a non-empty list"));
  EXPECT_TRUE(any_contains(problems_of("{\n\"scenario\": \"q.json\",\n\"seeds\": 2,,\n}"), "s.json:3: invalid JSON"));
}

TEST(SweepResults, CollectsMetricsAndFailuresFromPointDirectories) {
  namespace fs = std::filesystem;
  fs::path root = fs::temp_directory_path() / ("aidcsim_test_sweep_" + std::to_string(::getpid()));
  fs::remove_all(root);
  auto plan = parse_sweep(R"({"scenario": "q.json", "grid": {"scheduler.policy": ["fifo", "sjf", "las"]},
                              "metrics": ["jct_s.mean", "jobs.completed", "missing.path"]})", "s.json");
  for (const auto& p : plan.points) fs::create_directories(root / p.id);
  std::ofstream(root / plan.points[0].id / "summary.json") << R"({"jct_s": {"mean": 12.5}, "jobs": {"completed": 3}})";
  std::ofstream(root / plan.points[1].id / kExitCodeFile) << "2\n";
  std::ofstream(root / plan.points[1].id / kRunLog) << "some noise\nerror: q.json:3: /x: bad, \"quoted\"\nerror: second\n";
  // points[2]: nothing recorded (never ran).

  std::vector<PointOutcome> outcomes;
  for (const auto& p : plan.points) outcomes.push_back(collect_point((root / p.id).string(), plan.metrics));
  EXPECT_EQ(outcomes[0].status, "ok");
  EXPECT_EQ(outcomes[1].status, "failed");
  EXPECT_EQ(outcomes[1].error, "error: q.json:3: /x: bad, \"quoted\"");
  EXPECT_EQ(outcomes[2].status, "not-run");

  std::string csv = results_csv(plan, outcomes);
  std::string expected =
      "point_id,scheduler.policy,jct_s.mean,jobs.completed,missing.path,status,exit_code,error,dir\n" +
      plan.points[0].id + ",fifo,12.5,3,,ok,0,," + plan.points[0].id + "\n" +
      plan.points[1].id + ",sjf,,,,failed,2,\"error: q.json:3: /x: bad, \"\"quoted\"\"\"," + plan.points[1].id + "\n" +
      plan.points[2].id + ",las,,,,not-run,,," + plan.points[2].id + "\n";
  EXPECT_EQ(csv, expected);

  auto problems = check_metrics(plan, outcomes);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems.items()[0].where, "/metrics/2");
  EXPECT_NE(problems.items()[0].what.find("available: jct_s.mean, jobs.completed"), std::string::npos)
      << problems.items()[0].what;
  fs::remove_all(root);
}

TEST(SweepResults, ErrorLinesAndMetricLookup) {
  EXPECT_EQ(first_error_line("warning: x\n\nerror: y\n"), "error: y");
  EXPECT_EQ(first_error_line("\nplain failure\nmore\n"), "plain failure");
  EXPECT_EQ(first_error_line(""), "");
  auto s = nlohmann::json::parse(R"({"a": {"b": 2}, "c": null})");
  EXPECT_EQ(*find_metric(s, "a.b"), 2);
  EXPECT_TRUE(find_metric(s, "c")->is_null());
  EXPECT_EQ(find_metric(s, "a.x"), nullptr);
  EXPECT_EQ(find_metric(s, "a.b.c"), nullptr);
  EXPECT_EQ(metric_paths(s), (std::vector<std::string>{"a.b", "c"}));
}

TEST(SweepSlurm, ScriptAndPointsFile) {
  EXPECT_EQ(shell_quote("plain/path-1.json"), "plain/path-1.json");
  EXPECT_EQ(shell_quote("scheduler.policy=\"sjf\""), "'scheduler.policy=\"sjf\"'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(slurm_points_line("out/p-1", {"run", "a b.json"}), "out/p-1 run 'a b.json'");

  auto plan = parse_sweep(R"({"scenario": "q.json", "seeds": 6,
      "slurm": {"partition": "cpu", "time": 30, "mem": "2G", "extra": ["--constraint=x", "#SBATCH --exclusive"],
                "setup": ["module load simgrid"]}})", "sw.json");
  EXPECT_EQ(plan.slurm.partition, "cpu");
  EXPECT_EQ(plan.slurm.time, "30");
  SlurmScriptInputs in{"/opt/aidcsim", "/w/out/slurm/points.txt", "/w/out/slurm", "/w", 6, 2};
  std::string script = slurm_script(plan, plan.slurm, in);
  for (const char* line : {"#!/bin/bash\n", "#SBATCH --job-name=aidcsim-sw\n", "#SBATCH --array=0-5%2\n",
                           "#SBATCH --output=/w/out/slurm/task-%a.out\n", "#SBATCH --chdir=/w\n",
                           "#SBATCH --partition=cpu\n", "#SBATCH --time=30\n", "#SBATCH --mem=2G\n",
                           "#SBATCH --constraint=x\n", "#SBATCH --exclusive\n", "module load simgrid\n",
                           "AIDCSIM=/opt/aidcsim\n", "SLURM_ARRAY_TASK_ID"})
    EXPECT_NE(script.find(line), std::string::npos) << line << "\n" << script;
  in.max_parallel = 0;
  EXPECT_NE(slurm_script(plan, plan.slurm, in).find("#SBATCH --array=0-5\n"), std::string::npos);
}

TEST(SweepPlanJson, ListsEveryPointWithItsArguments) {
  auto plan = parse_sweep(R"({"scenario": "q.json", "grid": {"a": [1, 2]}, "set": {"b": "x"}})", "s.json");
  auto j = plan.to_json();
  EXPECT_EQ(j["points"].size(), 2u);
  EXPECT_EQ(j["points"][1]["id"], plan.points[1].id);
  EXPECT_EQ(j["set"]["b"], "x");
  EXPECT_EQ(j["points"][0]["args"][3], "<OUT>/" + plan.points[0].id);
}

TEST(SweepSlurm, StuckTasksAreRecognised) {
  EXPECT_EQ(slurm_stuck_reason(""), "");
  EXPECT_EQ(slurm_stuck_reason("12_0 RUNNING None\n12_[1-7%2] PENDING JobArrayTaskLimit\n"), "");
  EXPECT_EQ(slurm_stuck_reason("12_3 PENDING Resources\n12_4 PENDING BeginTime\n"), "");
  EXPECT_EQ(slurm_stuck_reason("12_0 RUNNING None\n12_1 PENDING launch failed requeued held\n"),
            "task 12_1 is PENDING (launch failed requeued held)");
  EXPECT_EQ(slurm_stuck_reason("12_[0-7%2] PENDING JobHeldUser\n"), "task 12_[0-7%2] is PENDING (JobHeldUser)");
  EXPECT_EQ(slurm_stuck_reason("12_5 PENDING JobHeldAdmin\n"), "task 12_5 is PENDING (JobHeldAdmin)");
  EXPECT_EQ(slurm_stuck_reason("12_2 NODE_FAIL None\n"), "task 12_2 is NODE_FAIL (None)");
}
