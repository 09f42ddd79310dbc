// The Cluster Autoscaler through the CLI (docs/autoscaling.md): the fact sheet's GPU node-group
// scenario (F-C) with its hand-derived times, the node-group floor, a node that is not ready in time,
// the expanders, and bad input.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "tests/engine/support/engine_support.hpp"
#include "tests/engine/support/run_helpers.hpp"

using namespace aidcsim::testing;

namespace {

// Server "base" (CPU only, in no group), then n0 (CPU only, group cpu), then `gpu_servers` servers of 8
// A100s (group gpu) and `small_servers` of 4 A100s (group small).
std::string platform(int gpu_servers, int small_servers = 0) {
  std::string hosts = "  <host id=\"base\" speed=\"1Gf\" core=\"64\"><prop id=\"memory\" value=\"256GiB\"/></host>\n"
                      "  <host id=\"n0\" speed=\"1Gf\" core=\"64\"><prop id=\"memory\" value=\"256GiB\"/><prop id=\"node_group\" value=\"cpu\"/></host>\n";
  std::string links, routes;
  auto server = [&](const std::string& name, int gpus, const std::string& group) {
    hosts += fmt::format(R"(  <host id="{0}" speed="1Gf" core="64"><prop id="memory" value="1TiB"/><prop id="node_group" value="{1}"/></host>
)", name, group);
    for (int g = 0; g < gpus; ++g) {
      hosts += fmt::format(R"(  <host id="{0}-gpu{1}" speed="312Tf"><prop id="kind" value="gpu"/><prop id="server" value="{0}"/><prop id="gpu_model" value="A100-80GB"/><prop id="gpu_memory" value="80GiB"/></host>
)", name, g);
      links += fmt::format("  <link id=\"pcie-{0}-{1}\" bandwidth=\"32GBps\" latency=\"0\"/>\n", name, g);
      routes += fmt::format("  <route src=\"{0}-gpu{1}\" dst=\"{0}\"><link_ctn id=\"pcie-{0}-{1}\"/></route>\n", name, g);
    }
  };
  for (int s = 0; s < gpu_servers; ++s) server(fmt::format("g{}", s), 8, "gpu");
  for (int s = 0; s < small_servers; ++s) server(fmt::format("s{}", s), 4, "small");
  return "<?xml version='1.0'?>\n<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n<platform version=\"4.1\">\n"
         "<zone id=\"dc\" routing=\"Full\">\n" + hosts + links + routes + "</zone>\n</platform>\n";
}

struct CaRun {
  TempFolder dir;
  nlohmann::json scenario;
  CaRun(const std::string& name, const std::string& jobs, int gpu_servers = 4, int small_servers = 0) : dir(name) {
    dir.write("platform.xml", platform(gpu_servers, small_servers));
    dir.write("jobs.csv", jobs);
    scenario = {{"name", name},
                {"platform", "platform.xml"},
                {"workload", {{"jobs", {{"path", "jobs.csv"}, {"format", "native"}}}}},
                {"autoscaling",
                 {{"nodes",
                   {{"groups",
                     {{{"name", "gpu"}, {"match", {{"node_group", "gpu"}}}, {"min", 0}, {"max", 4}, {"provision_s", 120}},
                      {{"name", "cpu"}, {"match", {{"node_group", "cpu"}}}, {"min", 0}, {"max", 1}, {"initial", 1}}}}}}}}};
  }
  CliResult run() {
    std::string path = dir.write("scenario.json", scenario.dump(2));
    return run_cli("run " + path + " --out " + (dir / "out") + " --quiet");
  }
  std::vector<std::tuple<double, std::string, int, int>> rows() {
    std::vector<std::tuple<double, std::string, int, int>> out;
    for (const auto& r : read_csv(dir / "out/scaling.csv")) {
      EXPECT_EQ(r.at("kind"), "node_group");
      EXPECT_FALSE(r.at("reason").empty());
      out.emplace_back(std::stod(r.at("time_s")), r.at("object"), std::stoi(r.at("from")), std::stoi(r.at("to")));
    }
    return out;
  }
};

using Rows = std::vector<std::tuple<double, std::string, int, int>>;

// Dummy CPU jobs on "base" at 0 and 2000 s keep the cluster's clock going; three 8-GPU jobs of 605 s
// arrive at 5 into a gpu group of size 0.
const char* kFactSheetJobs =
    "job_id,submit_s,duration_s,gpus,gpu_milli,cpus\n"
    "d0,0,1,0,1000,1\np1,5,605,8,1000,1\np2,5,605,8,1000,1\np3,5,605,8,1000,1\nd1,2000,1,0,1000,1\n";

// F-C (../shared/notes/k8s-prometheus-llm-semantics.md): scans at 0, 10, ...; at 10 first-fit
// decreasing on the template needs 3 nodes (0 -> 3), ready at 130 where the jobs start (end 735).
// The empty n0 is unneeded since 0, removable after 600 s strictly, but the scale-down cooldown runs
// to 10 + 600: deleted at 610. The GPU nodes are empty from 735, unneeded from the scan at 740, and
// deleted together at the first scan after 740 + 600: 1350.
TEST(ClusterAutoscalerRuns, FactSheetGpuGroup) {
  CaRun r("ca-fact-sheet", kFactSheetJobs);
  CliResult result = r.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(r.rows(), (Rows{{10, "gpu", 0, 3}, {610, "cpu", 1, 0}, {1350, "gpu", 3, 0}}));
  for (const auto& job : read_csv(r.dir / "out/jobs.csv")) {
    if (job.at("job_id")[0] != 'p') continue;
    EXPECT_EQ(job.at("start_s"), "130") << job.at("job_id");
    EXPECT_EQ(job.at("end_s"), "735") << job.at("job_id");
  }
  auto summary = read_json(r.dir / "out/summary.json");
  const auto& gpu = summary["autoscaling"]["nodes"]["gpu"];
  EXPECT_EQ(gpu["scale_ups"], 1);
  EXPECT_EQ(gpu["scale_downs"], 1);
  EXPECT_EQ(gpu["nodes_provisioned"], 3);
  EXPECT_DOUBLE_EQ(gpu["mean_provision_s"].get<double>(), 120);
  // Billed from the request: 3 nodes from 10 to 1350.
  EXPECT_NEAR(gpu["node_hours"].get<double>(), 3 * 1340 / 3600.0, 1e-9);
  EXPECT_NEAR(gpu["gpu_hours"].get<double>(), 3 * 8 * 1340 / 3600.0, 1e-9);
  EXPECT_NEAR(summary["autoscaling"]["nodes"]["cpu"]["node_hours"].get<double>(), 610 / 3600.0, 1e-9);
  // timeseries.csv (a sample every 60 s): at 120 the 3 nodes are coming, at 180 they are ready.
  std::map<std::string, std::string> at;
  for (const auto& row : read_csv(r.dir / "out/timeseries.csv"))
    if (row.at("label") == "gpu") at[row.at("time_s") + " " + row.at("metric")] = row.at("value");
  EXPECT_EQ(at["120 node_group_nodes_coming"], "3");
  EXPECT_EQ(at["120 node_group_nodes_ready"], "0");
  EXPECT_EQ(at["180 node_group_nodes_ready"], "3");
  EXPECT_EQ(at["1380 node_group_nodes_ready"], "0");
  // nodes.csv: each node's history, g0..g2 taken in platform order; g3 never comes.
  std::vector<std::string> events;
  for (const auto& row : read_csv(r.dir / "out/nodes.csv"))
    events.push_back(fmt::format("{} {} {} {}", row.at("time_s"), row.at("group"), row.at("node"), row.at("event")));
  EXPECT_EQ(events, (std::vector<std::string>{"0 gpu g0 away", "0 gpu g1 away", "0 gpu g2 away", "0 gpu g3 away", "0 cpu n0 up",
                                              "10 gpu g0 requested", "10 gpu g1 requested", "10 gpu g2 requested",
                                              "130 gpu g0 ready", "130 gpu g1 ready", "130 gpu g2 ready", "610 cpu n0 removed",
                                              "1350 gpu g2 removed", "1350 gpu g1 removed", "1350 gpu g0 removed"}));
  EXPECT_EQ(read_csv(r.dir / "out/nodes.csv")[0].at("hosts"), "g0;g0-gpu0;g0-gpu1;g0-gpu2;g0-gpu3;g0-gpu4;g0-gpu5;g0-gpu6;g0-gpu7");
  EXPECT_EQ(run_cli("check " + (r.dir / "out")).exit_code, 0);
  // The checker sees a job on a node before it was up: g0 ready at 131 instead of 130.
  std::string nodes = read_text(r.dir / "out/nodes.csv");
  nodes.replace(nodes.find("130,gpu,g0,ready"), 3, "131");
  r.dir.write("out/nodes.csv", nodes);
  CliResult broken = run_cli("check " + (r.dir / "out"));
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_NE(broken.err.find("ran on g0-gpu"), std::string::npos) << broken.err;
}

// Failures with the autoscaler (docs/failures.md): in the fact-sheet scenario g0 fails at 300 for
// 10,000 s. Its job (no checkpoints) loses its 170 s and waits; the scan at 300 (after the failure at
// the same instant, whose event was scheduled first) finds it fits on no ready node (g0 is down), so
// the group grows to its max (3 -> 4) and the job starts on g3 when it is ready, at 420, ending at
// 1,025. The failed g0 is unready: unneeded from 300, removed after scale_down_unready_time_s (1,200 s)
// strictly, at 1,510; g1 and g2 go at 1,350 as without the failure, g3 (empty from 1,025) at 1,640.
// The repair at 10,300 does not bring g0 back.
TEST(ClusterAutoscalerRuns, AFailedNodeIsReplacedAndRemoved) {
  CaRun r("ca-failure", kFactSheetJobs);
  r.dir.write("failures.csv", "time_s,host,duration_s\n300,g0,10000\n");
  r.scenario["failures"] = {{"trace", "failures.csv"}};
  CliResult result = r.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  Rows rows = r.rows();
  ASSERT_GE(rows.size(), 3u);
  EXPECT_EQ(rows[0], (Rows::value_type{10, "gpu", 0, 3}));
  EXPECT_EQ(rows, (Rows{{10, "gpu", 0, 3}, {300, "gpu", 3, 4}, {900, "cpu", 1, 0}, {1350, "gpu", 4, 2}, {1510, "gpu", 2, 1},
                        {1640, "gpu", 1, 0}}));
  auto failures = read_csv(r.dir / "out/failures.csv");
  ASSERT_EQ(failures.size(), 1u);
  const std::string hit = failures[0].at("job_ids");
  auto jobs = rows_by_id(r.dir / "out/jobs.csv");
  EXPECT_EQ(jobs[hit]["failures"], "1");
  EXPECT_EQ(jobs[hit]["lost_gpu_s"], "1360");  // 170 s on 8 GPUs
  EXPECT_EQ(jobs[hit]["end_s"], "1025");
  EXPECT_EQ(jobs[hit]["hosts"].substr(0, 3), "g3-");
  std::vector<std::string> g0;
  for (const auto& row : read_csv(r.dir / "out/nodes.csv"))
    if (row.at("node") == "g0") g0.push_back(row.at("time_s") + " " + row.at("event"));
  EXPECT_EQ(g0, (std::vector<std::string>{"0 away", "10 requested", "130 ready", "1510 removed"}));
  EXPECT_NE(read_text(r.dir / "out/scaling.csv").find("1 node(s) unready (failed) for more than 1200 s (since 300 s)"),
            std::string::npos);
  CliResult check = run_cli("check " + (r.dir / "out"));
  EXPECT_EQ(check.exit_code, 0) << check.err;
}

// min 1 (initial 0, not enforced upwards): the floor keeps one node: 3 -> 1 at 1350.
TEST(ClusterAutoscalerRuns, GroupMinimumIsAFloor) {
  CaRun r("ca-min", kFactSheetJobs);
  r.scenario["autoscaling"]["nodes"]["groups"][0]["min"] = 1;
  r.scenario["autoscaling"]["nodes"]["groups"][0]["initial"] = 0;
  ASSERT_EQ(r.run().exit_code, 0);
  EXPECT_EQ(r.rows(), (Rows{{10, "gpu", 0, 3}, {610, "cpu", 1, 0}, {1350, "gpu", 3, 1}}));
}

// A node not ready within max_node_provision_time_s (here 100 s < 120 s) is dropped at 10 + 100.
TEST(ClusterAutoscalerRuns, NodeNotReadyInTimeFails) {
  CaRun r("ca-fail", kFactSheetJobs);
  r.scenario["autoscaling"]["nodes"]["max_node_provision_time_s"] = 100;
  ASSERT_EQ(r.run().exit_code, 0);
  auto rows = r.rows();
  ASSERT_GE(rows.size(), 2u);
  EXPECT_EQ(rows[0], std::make_tuple(10.0, std::string("gpu"), 0, 3));
  EXPECT_EQ(rows[1], std::make_tuple(110.0, std::string("gpu"), 3, 2));
  auto reason = read_csv(r.dir / "out/scaling.csv")[1].at("reason");
  EXPECT_NE(reason.find("not ready within max_node_provision_time_s = 100 s"), std::string::npos) << reason;
  EXPECT_EQ(read_json(r.dir / "out/summary.json")["autoscaling"]["nodes"]["gpu"]["failed_nodes"].get<int>() % 3, 0);
}

// One 4-GPU job: least-waste takes a 4-GPU node (no GPU left over) rather than an 8-GPU one; the
// price expander the cheaper group; priority the higher one.
TEST(ClusterAutoscalerRuns, ExpandersChooseTheGroup) {
  auto chosen = [](const std::string& expander, double small_price, int small_priority) {
    CaRun r("ca-expander-" + expander, "job_id,submit_s,duration_s,gpus,gpu_milli,cpus\nd0,0,1,0,1000,1\nq,5,100,4,1000,1\n", 2, 2);
    auto& nodes = r.scenario["autoscaling"]["nodes"];
    nodes["expander"] = expander;
    nodes["groups"][0]["price_per_hour"] = 32.77;
    nodes["groups"][0]["max"] = 2;
    nodes["groups"][1] = {{"name", "small"}, {"match", {{"node_group", "small"}}}, {"max", 2}, {"provision_s", 60},
                          {"price_per_hour", small_price}, {"priority", small_priority}};
    CliResult result = r.run();
    EXPECT_EQ(result.exit_code, 0) << result.err;
    auto rows = r.rows();
    return rows.empty() ? std::string("none") : std::get<1>(rows.front());
  };
  EXPECT_EQ(chosen("least-waste", 100, 0), "small");
  EXPECT_EQ(chosen("price", 100, 0), "gpu");
  EXPECT_EQ(chosen("price", 10, 0), "small");
  EXPECT_EQ(chosen("priority", 100, 5), "small");
  EXPECT_EQ(chosen("priority", 100, -5), "gpu");
  EXPECT_EQ(chosen("most-pods", 100, 0).size() > 0, true);
}

TEST(ClusterAutoscalerRuns, BadInputNamesItsPath) {
  struct Case {
    const char* what;
    std::function<void(nlohmann::json&)> edit;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"no server", [](nlohmann::json& s) { s["autoscaling"]["nodes"]["groups"][0]["match"] = {{"rack", "nowhere"}}; },
       "/autoscaling/nodes/groups/0/match: matches no server of the platform"},
      {"min > max", [](nlohmann::json& s) { s["autoscaling"]["nodes"]["groups"][0]["min"] = 5; },
       "/autoscaling/nodes/groups/0/min: 5 is above max (4)"},
      {"expander", [](nlohmann::json& s) { s["autoscaling"]["nodes"]["expander"] = "cheapest"; },
       "/autoscaling/nodes/expander"},
      {"too many", [](nlohmann::json& s) { s["autoscaling"]["nodes"]["groups"][0]["max"] = 9; },
       "/autoscaling/nodes/groups/0/max: 9 nodes, but the group matches only 4 servers"},
      {"overlap", [](nlohmann::json& s) { s["autoscaling"]["nodes"]["groups"][1]["match"] = {{"node_group", "gpu"}}; },
       "/autoscaling/nodes/groups/1/match: server g0 is in node group \"gpu\" already"},
      {"unknown key", [](nlohmann::json& s) { s["autoscaling"]["nodes"]["scan_every_s"] = 5; }, "/autoscaling/nodes/scan_every_s"},
  };
  for (const auto& c : cases) {
    CaRun r("ca-bad", kFactSheetJobs);
    c.edit(r.scenario);
    CliResult result = r.run();
    EXPECT_EQ(result.exit_code, 2) << c.what;
    EXPECT_NE(result.err.find(c.expected), std::string::npos) << c.what << ":\n" << result.err;
    EXPECT_FALSE(std::filesystem::exists(r.dir / "out/summary.json")) << c.what;
  }
}

}  // namespace
