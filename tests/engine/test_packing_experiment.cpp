// The FGD packing experiment (sim/experiments/packing_experiment.hpp): on the OpenB cluster built directly from
// the trace's node list (no SimGrid), and through the CLI with "arrival": "inflation".
#include "sim/experiments/packing_experiment.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "models/placement/placements.hpp"
#include "sim/core/csv.hpp"
#include "sim/config/options.hpp"
#include "sim/policy/trace_reader.hpp"
#include "sim/core/registry.hpp"
#include "tests/engine/support/engine_support.hpp"
#include "tests/engine/support/run_helpers.hpp"

namespace fs = std::filesystem;
using namespace aidcsim;
using namespace aidcsim::testing;

namespace {

fs::path openb_dir() {
  return (fs::absolute(fs::path(AIDCSIM_SOURCE_DIR)) / ".." / "shared" / "traces" / "openb").lexically_normal();
}

// The OpenB GPU nodes as a Cluster: sn,cpu_milli,memory_mib,gpu,model -> one server per node.
Cluster openb_cluster(const fs::path& node_list) {
  Cluster c;
  c.platform_file = node_list.string();
  LineInput in(node_list.string());
  std::string line;
  std::vector<std::string> f;
  in.next(line);  // header
  std::set<std::string> models;
  std::vector<std::pair<std::size_t, std::string>> gpu_models;  // per GPU: server, model
  while (in.next(line)) {
    if (line.empty()) continue;
    split_csv(line, f);
    Server s;
    s.name = f[0];
    s.cores = static_cast<int>(*parse_integer(f[1]) / 1000);
    s.memory_gib = *parse_double(f[2]) / 1024.0;
    int gpus = static_cast<int>(*parse_integer(f[3]));
    for (int g = 0; g < gpus; ++g) {
      gpu_models.emplace_back(c.servers.size(), f[4]);
      models.insert(f[4]);
    }
    c.servers.push_back(std::move(s));
  }
  c.gpu_models.assign(models.begin(), models.end());
  for (std::size_t i = 0; i < c.gpu_models.size(); ++i) c.model_index[c.gpu_models[i]] = static_cast<int>(i);
  for (const auto& [server, model] : gpu_models) {
    Gpu g;
    g.server = static_cast<ServerIndex>(server);
    g.name = c.servers[server].name + "-gpu" + std::to_string(c.servers[server].gpus.size());
    g.model = model;
    g.model_index = c.model_index[model];
    c.servers[server].gpus.push_back(static_cast<GpuIndex>(c.gpus.size()));
    c.gpus.push_back(g);
  }
  for (const auto& s : c.servers) c.max_gpus_per_server = std::max<int>(c.max_gpus_per_server, static_cast<int>(s.gpus.size()));
  return c;
}

std::vector<JobSpec> openb_pods(const fs::path& pod_list) {
  const auto* entry = builtin_registries().trace_readers.find("openb");
  nlohmann::json section = {{"replay", "packing"}};
  ProblemList problems;
  OptionReader options(section, "/workload/jobs", "test", nullptr, problems);
  Cluster none;
  std::vector<JobSpec> no_jobs;
  PolicyArgs args{options, 1, none, no_jobs};
  auto reader = entry->make(args);
  auto read = reader->read(pod_list.string(), problems);
  EXPECT_TRUE(problems.empty());
  return read.jobs;
}

std::unique_ptr<PlacementPolicy> make_placement(const std::string& name, std::uint64_t seed, const Cluster& cluster,
                                                const std::vector<JobSpec>& jobs) {
  const auto* entry = builtin_registries().placements.find(name);
  if (!entry) return nullptr;
  nlohmann::json section = nlohmann::json::object();
  ProblemList problems;
  OptionReader options(section, "/placement", "test", nullptr, problems);
  PolicyArgs args{options, seed, cluster, jobs};
  return entry->make(args);
}

class OpenbPacking : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(openb_dir() / "openb_node_list_gpu_node.csv")) GTEST_SKIP() << "OpenB trace not found at " << openb_dir();
    cluster_ = openb_cluster(openb_dir() / "openb_node_list_gpu_node.csv");
    jobs_ = openb_pods(openb_dir() / "openb_pod_list_default.csv");
  }
  PackingExperimentResult run(const std::string& policy, std::uint64_t seed) {
    auto p = make_placement(policy, seed, cluster_, jobs_);
    EXPECT_TRUE(p) << policy;
    PackingExperimentOptions o;
    o.seed = seed;
    auto r = run_packing_experiment(cluster_, jobs_, *p, o);
    std::printf("[ packing  ] %-10s seed %llu: %5.2f %% at 100 %%, %5.2f %% at 130 %%, %zu arrivals, %.2f s\n",
                policy.c_str(), static_cast<unsigned long long>(seed), r.allocated_percent_at(100).value_or(-1),
                r.allocated_percent_at(130).value_or(-1), r.arrivals.size(), r.wall_s);
    return r;
  }
  Cluster cluster_;
  std::vector<JobSpec> jobs_;
};

TEST_F(OpenbPacking, NodeListGivesThePublishedCluster) {
  EXPECT_EQ(cluster_.servers.size(), 1213u);
  EXPECT_EQ(cluster_.gpus.size(), 6212u);
  EXPECT_EQ(jobs_.size(), 8152u);
  EXPECT_EQ(cluster_.max_gpus_per_server, 8);
}

TEST_F(OpenbPacking, TuningReachesTheTargetWithoutOvershoot) {
  auto r = run("first-fit", 42);
  const long long target = std::llround(1.30 * 6212 * 1000);
  ASSERT_FALSE(r.arrivals.empty());
  EXPECT_LE(r.arrivals.back().arrived_milli, target);
  EXPECT_GT(r.arrivals.back().arrived_milli, target - 8000);  // the next draw would have overshot
  EXPECT_GT(r.arrivals.size(), 8152u);
  // The original tasks arrive first, each exactly once; the clones follow.
  std::set<std::size_t> first;
  for (std::size_t k = 0; k < jobs_.size(); ++k) first.insert(r.arrivals[k].job);
  EXPECT_EQ(first.size(), jobs_.size());
  for (std::size_t k = jobs_.size(); k < r.arrivals.size(); ++k)
    EXPECT_NE(r.arrivals[k].job_id.find("-tuned-"), std::string::npos);
  // Curve: a row per whole percent, allocation never above arrival (+ rounding), never decreasing much.
  ASSERT_EQ(r.curve.size(), 131u);
  for (const auto& c : r.curve) {
    EXPECT_LE(c.allocated_percent, c.arrived_percent + 1.0) << c.arrived_percent;
    EXPECT_GE(c.fragmented_percent, 0.0);
  }
  EXPECT_LT(r.curve.front().allocated_percent, 1.0);  // the arrivals that round to 0 %
}

TEST_F(OpenbPacking, SameSeedSameCurveOtherSeedOtherOrder) {
  auto a = run("fgd", 42), b = run("fgd", 42), c = run("fgd", 43);
  ASSERT_EQ(a.curve.size(), b.curve.size());
  for (std::size_t i = 0; i < a.curve.size(); ++i) {
    EXPECT_EQ(a.curve[i].allocated_percent, b.curve[i].allocated_percent);
    EXPECT_EQ(a.curve[i].fragmented_percent, b.curve[i].fragmented_percent);
  }
  EXPECT_NE(a.arrivals.front().job_id + a.arrivals[1].job_id, c.arrivals.front().job_id + c.arrivals[1].job_id);
}

// The paper's headline (Fig. 9a): FGD allocates more than the baselines once the cluster is full, and
// leaves less fragmentation. Checked on one seed against random and best-fit.
TEST_F(OpenbPacking, FgdAllocatesMoreThanRandomAndBestFitWhenFull) {
  auto fgd = run("fgd", 42), random = run("random", 42), best = run("best-fit", 42);
  EXPECT_GT(*fgd.allocated_percent_at(130), *random.allocated_percent_at(130));
  EXPECT_GT(*fgd.allocated_percent_at(130), *best.allocated_percent_at(130));
  EXPECT_LT(*fgd.fragmented_percent_at(100), *random.fragmented_percent_at(100));
}

TEST(PackingCurve, DiscretizesLikeThePublishedScript) {
  // 10 GPUs = 10000 milli; arrivals at 0, 4.9 %, 5.1 %, 10 %; the 5 % row averages the two rounding to 5.
  std::vector<PackingSample> s = {{0, 0, 0}, {490, 400, 100}, {510, 500, 100}, {1000, 1000, 0}};
  auto curve = discretize_curve(s, 10, 12);
  std::map<int, CurvePoint> by;
  for (const auto& c : curve) by[c.arrived_percent] = c;
  ASSERT_TRUE(by.count(5));
  EXPECT_DOUBLE_EQ(by[5].allocated_percent, 4.5);
  EXPECT_DOUBLE_EQ(by[5].fragmented_percent, 1.0);
  EXPECT_DOUBLE_EQ(by[10].allocated_percent, 10.0);
  // 1 % has no arrival of its own: the arrivals within 0..2 % (only the first) stand in.
  ASSERT_TRUE(by.count(1));
  EXPECT_DOUBLE_EQ(by[1].allocated_percent, 0.0);
  EXPECT_FALSE(by.count(3));  // nothing within 2..4 %
  EXPECT_TRUE(by.count(11));  // 10 % stands in for 11 %
  EXPECT_FALSE(by.count(12));
}

// Through the CLI: "arrival": "inflation" runs the experiment instead of the time-based engine.
TEST(PackingCli, InflationScenarioWritesTheCurve) {
  TempFolder folder("packing-cli");
  const std::string& dir = folder.path();
  write_text(dir + "/platform.xml", small_platform_xml(4, 2));
  write_text(dir + "/jobs.csv",
             "job_id,submit_s,duration_s,gpus,gpu_milli,cpus\n"
             "a,0,10,1,500,2\nb,0,10,1,300,2\nc,0,10,2,1000,4\nd,0,10,1,1000,1\ne,0,10,0,1000,8\n");
  write_text(dir + "/scenario.json", R"({
  "name": "packing-cli", "seed": 7, "platform": "platform.xml",
  "workload": {"jobs": {"path": "jobs.csv", "format": "native", "arrival": "inflation", "target_percent": 130}},
  "placement": {"policy": "fgd"}
})");
  auto r = run_cli(fmt::format("run {}/scenario.json --out {}/out --quiet", dir, dir));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = read_csv(dir + "/out/allocation_curve.csv");
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows.front().at("arrived_percent"), "0");
  EXPECT_TRUE(rows.back().count("fragmented_percent"));
  auto summary = nlohmann::json::parse(read_text(dir + "/out/summary.json"));
  EXPECT_EQ(summary["seed"], 7);
  EXPECT_TRUE(summary["packing"].contains("allocated_percent_at_100"));
  EXPECT_TRUE(summary["packing"].contains("allocated_percent_at_130"));
  EXPECT_LE(summary["packing"]["arrived_percent"].get<double>(), 130.0);
  auto jobs = read_csv(dir + "/out/jobs.csv");
  EXPECT_EQ(jobs.size(), summary["jobs"]["submitted"].get<std::size_t>());
  EXPECT_TRUE(fs::exists(dir + "/out/run.json"));
  EXPECT_TRUE(fs::exists(dir + "/out/timeseries.csv"));

  // A bad value is an input error naming the key.
  write_text(dir + "/bad.json", R"({"platform": "platform.xml",
  "workload": {"jobs": {"path": "jobs.csv", "arrival": "inflate"}}})");
  auto bad = run_cli(fmt::format("run {}/bad.json --out {}/bad --quiet", dir, dir));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("/workload/jobs/arrival"), std::string::npos) << bad.err;
}

// The periodic monitor samples the FGD fragmentation of the run's own workload.
TEST(FragmentationMonitor, TimeseriesHasGpuFragmentation) {
  TempFolder folder("fragmentation-monitor");
  const std::string& dir = folder.path();
  write_text(dir + "/platform.xml", small_platform_xml(2, 2));
  write_text(dir + "/jobs.csv",
             "job_id,submit_s,duration_s,gpus,gpu_milli,cpus\n"
             "a,0,100,1,700,2\nb,0,100,1,700,2\nc,10,100,1,600,2\nd,20,50,1,1000,1\n");
  write_text(dir + "/scenario.json", R"({
  "platform": "platform.xml", "workload": {"jobs": {"path": "jobs.csv"}},
  "placement": {"policy": "fgd"}, "virtualization": {"gpu_sharing": "mps"}, "monitoring": {"interval_s": 10}
})");
  auto r = run_cli(fmt::format("run {}/scenario.json --out {}/out --quiet", dir, dir));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, double> fragmentation;
  for (auto& row : read_csv(dir + "/out/timeseries.csv"))
    if (row["metric"] == "gpu_fragmentation") fragmentation[row["time_s"]] = std::stod(row["value"]);
  ASSERT_FALSE(fragmentation.empty());
  for (const auto& [t, v] : fragmentation) {
    EXPECT_GE(v, 0.0) << t;
    EXPECT_LE(v, 1.0) << t;
  }
  // At t = 10 two GPUs hold 700 of 1000 each: the typical tasks (600 or more) cannot use those 300s.
  EXPECT_GT(fragmentation["10"], 0.0);

  auto off = run_cli(fmt::format("run {}/scenario.json --out {}/off --quiet --set monitoring.fragmentation=false", dir, dir));
  ASSERT_EQ(off.exit_code, 0) << off.err;
  for (auto& row : read_csv(dir + "/off/timeseries.csv")) EXPECT_NE(row["metric"], "gpu_fragmentation");
}

}  // namespace
