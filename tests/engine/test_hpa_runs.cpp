// The HPA on an inference service through the CLI (docs/autoscaling.md): a step load whose replica
// trajectory is derived by hand from Kubernetes' rules, the scrape delay that lags it, the invariants
// of scaling.csv, and bad autoscaling input.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "tests/engine/support/engine_support.hpp"
#include "tests/engine/support/run_helpers.hpp"

using namespace aidcsim::testing;

namespace {

// Every iteration takes exactly 1 s (a flat toy table), whatever the batch.
const char* kFlatTable =
    "model,hardware,prompt_size,batch_size,prompt_time,token_time,tensor_parallel\n"
    "llama2-70b,a100-80gb,1,1,1000,1000,8\n"
    "llama2-70b,a100-80gb,100000,1,1000,1000,8\n";

// 24 requests at 1 s (one prefill iteration, then 399 decodes: they end at 401) and 2 at 50 s that
// decode for 2,000 iterations (they end at 2050), on 1 to 10 replicas of 8 GPUs, target 4 in flight.
struct HpaRun {
  TempFolder dir;
  nlohmann::json scenario;
  explicit HpaRun(const std::string& name) : dir(name) {
    dir.write("platform.xml", small_platform_xml(10, 8, "A100-80GB", 312e12));
    dir.write("perf.csv", kFlatTable);
    std::string requests = "request_id,arrival_s,prompt_tokens,output_tokens\n";
    for (int i = 0; i < 24; ++i) requests += fmt::format("a{},1,100,400\n", i);
    requests += "b0,50,100,2000\nb1,50,100,2000\n";
    dir.write("requests.csv", requests);
    nlohmann::json service = {{"name", "chat"},
                              {"model", "llama2-70b"},
                              {"gpu_model", "A100-80GB"},
                              {"tensor_parallel", 8},
                              {"replicas", 1},
                              {"perf_table", "perf.csv"},
                              {"requests", {{"path", "requests.csv"}, {"format", "native-requests"}}},
                              {"batching", {{"policy", "vllm"}}},
                              {"router", {{"policy", "least-outstanding"}}}};
    scenario = {{"name", name},
                {"platform", "platform.xml"},
                {"workload", {{"services", {service}}}},
                {"monitoring", {{"interval_s", 60}, {"scrape_interval_s", 15}}},
                {"autoscaling",
                 {{"services",
                   {{"chat", {{"min_replicas", 1}, {"max_replicas", 10}, {"metric", "requests_in_flight"}, {"target", 4}, {"behavior", nullptr}}}}}}}};
  }
  CliResult run() {
    std::string path = dir.write("scenario.json", scenario.dump(2));
    return run_cli("run " + path + " --out " + (dir / "out") + " --quiet");
  }
  // (time_s, from, to) of scaling.csv, checking every row's invariants on the way.
  std::vector<std::tuple<double, int, int>> trajectory() {
    std::vector<std::tuple<double, int, int>> out;
    int current = 1;
    for (const auto& row : read_csv(dir / "out/scaling.csv")) {
      EXPECT_EQ(row.at("object"), "chat");
      EXPECT_EQ(row.at("kind"), "service");
      EXPECT_FALSE(row.at("reason").empty());
      int from = std::stoi(row.at("from")), to = std::stoi(row.at("to"));
      EXPECT_EQ(from, current) << "rows follow each other";
      EXPECT_GE(to, 1);
      EXPECT_LE(to, 10);
      current = to;
      out.emplace_back(std::stod(row.at("time_s")), from, to);
    }
    return out;
  }
};

using Trajectory = std::vector<std::tuple<double, int, int>>;

// Syncs every 15 s from the first request (1 s), each after the scrape of that instant. At 1 the
// replica is not placed yet: no metric, no change. At 16 it holds 24: 24/4 = 6 replicas proposed,
// capped by the legacy scale-up limit max(2 x 1, 4) = 4. At 31 the average is 24/4 = 6 per replica:
// ratio 1.5, 6 replicas (limit 8). At 46 24/6 = 4: ratio 1. From 61 the 2 new requests make 26/6 =
// 4.33, ratio 1.083, inside the 0.1 tolerance (without it: 7). The 24 end at 401: from the sync at
// 406 the proposal is 1, but the 300 s downscale stabilization keeps the largest recommendation of
// the last 300 s (6, until the one of 391 is older than 300 s): 6 -> 1 at 706.
TEST(HpaRuns, StepLoadFollowsKubernetesRules) {
  HpaRun r("hpa-step");
  CliResult result = r.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(r.trajectory(), (Trajectory{{16, 1, 4}, {31, 4, 6}, {706, 6, 1}}));
  auto rows = read_csv(r.dir / "out/scaling.csv");
  EXPECT_NE(rows[0].at("reason").find("scale up limit"), std::string::npos) << rows[0].at("reason");
  EXPECT_NE(rows[0].at("reason").find("proposal 6"), std::string::npos) << rows[0].at("reason");
  // Every request is served; the removed replicas with a long request drain it (to 2050) first.
  auto summary = read_json(r.dir / "out/summary.json");
  EXPECT_EQ(summary["services"]["chat"]["requests"]["completed"], 26);
  const auto& hpa = summary["autoscaling"]["services"]["chat"];
  EXPECT_EQ(hpa["scale_events"], 3);
  EXPECT_EQ(hpa["scale_ups"], 2);
  EXPECT_EQ(hpa["max_replicas_seen"], 6);
  // Replica time: replica-0 1..2050; 1..3 from 16 and 4, 5 from 31, to 706 or, with a long request,
  // to 2050 (the two long requests went to two of them).
  double replica_s = 2049;
  std::map<std::string, std::string> end_of;
  for (const auto& job : read_csv(r.dir / "out/jobs.csv")) end_of[job.at("job_id")] = job.at("end_s");
  for (int k = 1; k <= 5; ++k) {
    std::string end = end_of.at(fmt::format("chat/replica-{}", k));
    EXPECT_TRUE(end == "706" || end == "2050") << k << ": " << end;
    replica_s += std::stod(end) - (k <= 3 ? 16 : 31);
  }
  EXPECT_NEAR(hpa["replica_hours"].get<double>(), replica_s / 3600, 1e-9);
  EXPECT_EQ(end_of.at("chat/replica-0"), "2050");
  EXPECT_EQ(read_csv(r.dir / "out/jobs.csv").size(), 10u);  // max_replicas slots, 6..9 never used
  EXPECT_EQ(run_cli("check " + (r.dir / "out")).exit_code, 0);
}

// `behavior: {}` takes Kubernetes' default rules: scale up by the larger of 4 pods and 100 % per 15 s
// (1 -> 5 at 16, then 24/5 = 4.8, ratio 1.2: 6 at 31), scale down 100 % per 15 s after a 300 s
// stabilization counted strictly (the recommendation of 391 leaves the window at 691, not 706).
TEST(HpaRuns, DefaultBehaviorRules) {
  HpaRun r("hpa-behavior");
  r.scenario["autoscaling"]["services"]["chat"]["behavior"] = nlohmann::json::object();
  ASSERT_EQ(r.run().exit_code, 0);
  EXPECT_EQ(r.trajectory(), (Trajectory{{16, 1, 5}, {31, 5, 6}, {691, 6, 1}}));
}

// With a 20 s scrape delay the sample of 16 is visible from 36: the first scale-up waits for the sync
// at 46 (30 s late), reading the same 24 in flight.
TEST(HpaRuns, ScrapeDelayLagsTheController) {
  HpaRun r("hpa-delay");
  r.scenario["monitoring"]["scrape_delay_s"] = 20;
  ASSERT_EQ(r.run().exit_code, 0);
  auto t = r.trajectory();
  ASSERT_FALSE(t.empty());
  EXPECT_EQ(t[0], std::make_tuple(46.0, 1, 4));
}

// A counter metric is read as its rate between the two newest visible scrapes (PromQL's irate):
// busy_seconds_total's rate is the replica's GPU busy fraction. Replica 0 is busy without a pause from
// 1 to 402.1 (the 24 requests), replica 1 from 50 to 2051.1 (the two long ones, routed to the idle
// replica). A replica's first scrape is the one after it started (the scrape at 1 precedes the
// placement), so a rate needs its second. 16: one sample, no metric. 31: (30 - 15) / 15 = 1, ratio
// 2 against 0.5: 1 -> 2. 46: replica 1 has one sample: on a scale-up the missing one counts 0, (1 + 0)
// / 2 = 0.5, ratio 1: no change. 61: replica 1 (11 - 0) / 15, average 0.8667, ratio 1.733, 2 x 1.733 =
// 3.47: 2 -> 4. 406: replica 0 (401.1 - 390) / 15 = 0.74, (0.74 + 1 + 0 + 0) / 4 = 0.435, ratio 0.87,
// 3.48: 4 stays. 421: 0.25, proposal 2, held by the 300 s stabilization while 406's 4 is in the
// window (to 706, counted inclusively without behavior): 4 -> 2 at 721. Then (0 + 1) / 2 = 0.5: 2 stays.
TEST(HpaRuns, BusyFractionIsTheCountersRate) {
  HpaRun r("hpa-busy");
  r.scenario["autoscaling"]["services"]["chat"]["metric"] = "busy_seconds_total";
  r.scenario["autoscaling"]["services"]["chat"]["target"] = 0.5;
  r.scenario["monitoring"]["write_scrapes"] = true;
  CliResult result = r.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(r.trajectory(), (Trajectory{{31, 1, 2}, {61, 2, 4}, {721, 4, 2}}));
  auto rows = read_csv(r.dir / "out/scaling.csv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_NE(rows[0].at("reason").find("rate(aidcsim_service_busy_seconds_total) 1 per replica"), std::string::npos);
  EXPECT_NE(rows[1].at("reason").find(" 0.866667 per replica"), std::string::npos) << rows[1].at("reason");
  EXPECT_NE(rows[2].at("reason").find(" 0.25 per replica"), std::string::npos) << rows[2].at("reason");
  // The counter itself: seconds in iterations, as scraped.
  std::string om = read_text(r.dir / "out/scrapes.om");
  EXPECT_NE(om.find("# TYPE aidcsim_service_busy_seconds counter"), std::string::npos);
  EXPECT_NE(om.find("aidcsim_service_busy_seconds_total{replica=\"0\",service=\"chat\"} 15 16\n"), std::string::npos);
  EXPECT_NE(om.find("aidcsim_service_busy_seconds_total{replica=\"0\",service=\"chat\"} 401.1 406\n"), std::string::npos);
  EXPECT_NE(om.find("aidcsim_service_busy_seconds_total{replica=\"1\",service=\"chat\"} 11 61\n"), std::string::npos);
  EXPECT_EQ(run_cli("check " + (r.dir / "out")).exit_code, 0);
}

TEST(HpaRuns, BadInputNamesItsPath) {
  struct Case {
    const char* what;
    std::function<void(nlohmann::json&)> edit;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"unknown service", [](nlohmann::json& s) { s["autoscaling"]["services"]["nope"] = s["autoscaling"]["services"]["chat"]; },
       "/autoscaling/services/nope: no service named \"nope\" in workload.services"},
      {"metric", [](nlohmann::json& s) { s["autoscaling"]["services"]["chat"]["metric"] = "gpu_temperature"; },
       "/autoscaling/services/chat/metric: \"aidcsim_service_gpu_temperature\" is not a metric of the registry"},
      {"service-level metric", [](nlohmann::json& s) { s["autoscaling"]["services"]["chat"]["metric"] = "queue_length"; },
       "is not a per-replica metric"},
      {"min > max", [](nlohmann::json& s) { s["autoscaling"]["services"]["chat"]["min_replicas"] = 12; },
       "/autoscaling/services/chat/max_replicas: 10 is below min_replicas (12)"},
      {"policy type", [](nlohmann::json& s) {
         s["autoscaling"]["services"]["chat"]["behavior"] = {{"scale_up", {{"policies", {{{"type", "Nodes"}, {"value", 2}}}}}}};
       },
       "/autoscaling/services/chat/behavior/scale_up/policies/0/type"},
      {"nodes", [](nlohmann::json& s) {
         s["autoscaling"]["nodes"] = {{"groups", {{{"name", "x"}, {"match", {{"rack", "none"}}}, {"max", 1}}}}};
       },
       "/autoscaling/nodes/groups/0/match: matches no server of the platform"},
      {"unknown key", [](nlohmann::json& s) { s["autoscaling"]["services"]["chat"]["target_value"] = 3; },
       "/autoscaling/services/chat/target_value"},
  };
  for (const auto& c : cases) {
    HpaRun r(std::string("hpa-bad"));
    c.edit(r.scenario);
    CliResult result = r.run();
    EXPECT_EQ(result.exit_code, 2) << c.what;
    EXPECT_NE(result.err.find(c.expected), std::string::npos) << c.what << ":\n" << result.err;
    EXPECT_EQ(result.err.find("terminate"), std::string::npos) << c.what;
    EXPECT_FALSE(std::filesystem::exists(r.dir / "out/summary.json")) << c.what;
  }
}

}  // namespace
