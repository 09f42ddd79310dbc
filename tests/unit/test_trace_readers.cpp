// Trace readers for the public traces: the figures published in ../shared/traces/*/SOURCE.md, the
// hand-made samples in tests/data/traces/ (Helios, Alibaba PAI), and line-numbered errors on broken copies.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <set>

#include "models/traces/readers.hpp"
#include "sim/core/cluster.hpp"
#include "sim/config/options.hpp"
#include "sim/policy/trace_reader.hpp"
#include "sim/core/registry.hpp"

namespace aidcsim::cli {
std::string format_trace_stats(const TraceReadResult& read);  // sim/cli/trace_command.cpp
}

using namespace aidcsim;
namespace fs = std::filesystem;

namespace {

// The repository root, found from this file's path (tests/unit/ -> ../..).
fs::path repo_root() { return fs::absolute(fs::path(__FILE__)).parent_path().parent_path().parent_path(); }
fs::path shared_traces() { return (repo_root() / ".." / "shared" / "traces").lexically_normal(); }
fs::path samples() { return repo_root() / "tests" / "data" / "traces"; }

// Trace readers get an empty cluster and workload (they run before either exists).
template <class Args = PolicyArgs>
Args reader_args(OptionReader& options, const Cluster& cluster, const std::vector<JobSpec>& jobs) {
  if constexpr (requires { Args{options, 1, cluster, jobs}; }) return Args{options, 1, cluster, jobs};
  else return Args{options, 1};
}

TraceReadResult read_trace(const std::string& format, const fs::path& path, ProblemList& problems,
                           nlohmann::json options = nlohmann::json::object()) {
  OptionReader reader(options, "/workload/jobs", "scenario.json", nullptr, problems);
  const Cluster no_cluster;
  const std::vector<JobSpec> no_jobs;
  auto args = reader_args(reader, no_cluster, no_jobs);
  const auto* entry = builtin_registries().trace_readers.find(format);
  if (!entry) {
    ADD_FAILURE() << "no trace reader " << format;
    return {};
  }
  auto made = entry->make(args);
  reader.reject_unknown({"path", "format", "limit", "time_window", "time_scale", "model"});
  return made->read(path.string(), problems);
}

// Reads a trace that must have no problems.
TraceReadResult read_ok(const std::string& format, const fs::path& path, nlohmann::json options = nlohmann::json::object()) {
  ProblemList problems;
  auto result = read_trace(format, path, problems, std::move(options));
  for (const auto& p : problems.items()) ADD_FAILURE() << p.format();
  return result;
}

std::map<int, long long> gpu_histogram(const std::vector<JobSpec>& jobs) {
  std::map<int, long long> h;
  for (const auto& j : jobs) ++h[j.gpus];
  return h;
}

double mean_duration(const std::vector<JobSpec>& jobs) {
  double sum = 0;
  for (const auto& j : jobs) sum += j.duration_s;
  return jobs.empty() ? 0 : sum / jobs.size();
}

double median_duration(const std::vector<JobSpec>& jobs) {
  std::vector<double> v;
  for (const auto& j : jobs) v.push_back(j.duration_s);
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double gpu_request(const std::vector<JobSpec>& jobs) {
  double sum = 0;
  for (const auto& j : jobs) sum += j.gpus * j.gpu_milli / 1000.0;
  return sum;
}

long long skipped(const TraceReadResult& r, const std::string& reason_prefix) {
  long long n = 0;
  for (const auto& [reason, count] : r.skipped)
    if (reason.rfind(reason_prefix, 0) == 0) n += count;
  return n;
}

long long skipped_total(const TraceReadResult& r) {
  long long n = 0;
  for (const auto& [reason, count] : r.skipped) n += count;
  return n;
}

const JobSpec* find_job(const std::vector<JobSpec>& jobs, const std::string& id) {
  for (const auto& j : jobs)
    if (j.job_id == id) return &j;
  return nullptr;
}

// A scratch directory removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("aidcsim-trace-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return path / name;
  }
};

// All problems, formatted as the CLI prints them.
std::string all_problems(const ProblemList& problems) {
  std::string out;
  for (const auto& p : problems.items()) out += p.format() + "\n";
  return out;
}

// Asserts that `problems` holds one with this line and column, whose text contains `found`.
void expect_problem(const ProblemList& problems, int line, const std::string& where, const std::string& found) {
  for (const auto& p : problems.items())
    if (p.line == line && p.where == where && p.what.find(found) != std::string::npos) return;
  ADD_FAILURE() << "expected a problem at line " << line << ", " << where << ", with \"" << found << "\"; got:\n"
                << all_problems(problems);
}

}  // namespace

// ---------------------------------------------------------------- shared helpers

TEST(TraceCivilTime, DaysFromCivilAndParsing) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
  EXPECT_DOUBLE_EQ(*parse_civil_time("1970-01-01 00:00:00"), 0);
  EXPECT_DOUBLE_EQ(*parse_civil_time("2017-09-04 10:30:41"), 1504521041);  // `date -u -d ... +%s`
  EXPECT_DOUBLE_EQ(*parse_civil_time("2020-02-29 23:59:59"), 1583020799);
  EXPECT_DOUBLE_EQ(*parse_civil_time("2023-11-16T18:15:00.25"), 1700158500.25);
  for (const char* bad : {"2017-02-29 00:00:00", "2017-13-01 00:00:00", "2017-9-4 10:30:41", "2017-09-04",
                          "2017-09-04 24:00:00", "2017-09-04 10:30:41x", "1504521041", ""})
    EXPECT_FALSE(parse_civil_time(bad).has_value()) << bad;
}

TEST(TraceReaders, AllRegistered) {
  for (const char* name : {"native", "openb", "philly", "swf", "helios", "alibaba-pai", "alibaba-dlrm"})
    EXPECT_NE(builtin_registries().trace_readers.find(name), nullptr) << name;
}

TEST(TraceReaders, UnknownOptionIsReported) {
  ProblemList problems;
  read_trace("philly", shared_traces() / "philly" / "philly.csv", problems, {{"tenant_form", "cluster"}});
  ASSERT_EQ(problems.size(), 1u) << all_problems(problems);
  EXPECT_EQ(problems.items()[0].where, "/workload/jobs/tenant_form");
}

// ---------------------------------------------------------------- OpenB

TEST(TraceOpenb, ReplayAllReproducesThePublishedFigures) {
  auto r = read_ok("openb", shared_traces() / "openb" / "openb_pod_list_default.csv", {{"replay", "all"}});
  ASSERT_EQ(r.jobs.size(), 8152u);
  EXPECT_EQ(skipped_total(r), 0);
  EXPECT_EQ(gpu_histogram(r.jobs), (std::map<int, long long>{{0, 1088}, {1, 6989}, {2, 16}, {4, 15}, {8, 44}}));
  long long sharing = std::count_if(r.jobs.begin(), r.jobs.end(), [](const JobSpec& j) { return j.gpus == 1 && j.gpu_milli < 1000; });
  EXPECT_EQ(sharing, 3078);
  EXPECT_NEAR(gpu_request(r.jobs), 6086.8, 0.05);
  std::map<std::string, long long> qos;
  for (const auto& j : r.jobs) ++qos[j.tenant];
  EXPECT_EQ(qos, (std::map<std::string, long long>{{"BE", 3398}, {"Burstable", 100}, {"Guaranteed", 7}, {"LS", 4647}}));
  // Lifetime = deletion - creation: mean 25,839 s, median 540 s (one pod lived 0 s and is kept as 1 s).
  EXPECT_NEAR(mean_duration(r.jobs), 25839.4, 0.05);
  EXPECT_EQ(median_duration(r.jobs), 540);
  double last = 0;
  for (const auto& j : r.jobs) last = std::max(last, j.submit_s);
  EXPECT_EQ(last, 12901761);
  const JobSpec* first = find_job(r.jobs, "openb-pod-0001");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->gpu_milli, 460);
  EXPECT_DOUBLE_EQ(first->cpus, 6);
  EXPECT_DOUBLE_EQ(first->mem_gib, 12);
  EXPECT_EQ(first->priority, 2);  // LS
  EXPECT_EQ(first->submit_s, 427061);
}

TEST(TraceOpenb, TimeReplaySkipsPodsThatNeverRan) {
  auto r = read_ok("openb", shared_traces() / "openb" / "openb_pod_list_default.csv");
  EXPECT_EQ(r.jobs.size(), 7255u);
  EXPECT_EQ(skipped(r, "never scheduled"), 897);
  EXPECT_EQ(r.jobs.size() + skipped_total(r), 8152u);
  EXPECT_EQ(gpu_histogram(r.jobs), (std::map<int, long long>{{0, 1052}, {1, 6129}, {2, 15}, {4, 15}, {8, 44}}));
  EXPECT_NEAR(mean_duration(r.jobs), 28949.5, 0.05);  // deletion - scheduled
  EXPECT_EQ(median_duration(r.jobs), 616);
  for (const auto& j : r.jobs) ASSERT_GT(j.duration_s, 0);
  // tenant_from none: everyone in "default"; priorities still follow qos.
  auto none = read_ok("openb", shared_traces() / "openb" / "openb_pod_list_default.csv", {{"tenant_from", "none"}});
  std::set<std::string> tenants;
  for (const auto& j : none.jobs) tenants.insert(j.tenant);
  EXPECT_EQ(tenants, std::set<std::string>{"default"});
}

TEST(TraceOpenb, GpuSpecBecomesAllowedModels) {
  auto r = read_ok("openb", shared_traces() / "openb" / "openb_pod_list_gpuspec33.csv", {{"replay", "all"}});
  ASSERT_EQ(r.jobs.size(), 8152u);
  long long constrained = 0, two = 0;
  for (const auto& j : r.jobs) {
    constrained += !j.gpu_models.empty();
    two += j.gpu_models == std::vector<std::string>{"V100M16", "V100M32"};
  }
  EXPECT_EQ(constrained, 8152 - 5764);
  EXPECT_EQ(two, 141);
}

TEST(TraceOpenb, FiveColumnVariantIsAPackingReplay) {
  auto path = shared_traces() / "openb" / "openb_pod_list_multigpu50.csv";
  auto r = read_ok("openb", path);
  ASSERT_EQ(r.jobs.size(), 9061u);
  for (const auto& j : r.jobs) {
    ASSERT_EQ(j.submit_s, 0);
    ASSERT_EQ(j.duration_s, 3600);
    ASSERT_EQ(j.tenant, "default");
  }
  EXPECT_EQ(r.jobs.front().job_id, "openb-pod-0000");  // file order is the arrival order
  auto shorter = read_ok("openb", path, {{"default_duration_s", 600}});
  EXPECT_EQ(shorter.jobs.at(10).duration_s, 600);
  // The 11-column file can be packed too.
  auto packed = read_ok("openb", shared_traces() / "openb" / "openb_pod_list_default.csv", {{"replay", "packing"}});
  EXPECT_EQ(packed.jobs.size(), 8152u);
  // A time replay needs the time columns: one clear error.
  ProblemList problems;
  read_trace("openb", path, problems, {{"replay", "time"}});
  ASSERT_EQ(problems.size(), 1u) << all_problems(problems);
  EXPECT_NE(problems.items()[0].what.find("creation_time"), std::string::npos);
}

TEST(TraceOpenb, BrokenCopyGivesLineNumberedErrors) {
  TempDir dir;
  auto path = dir.write("pods.csv",
                        "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,"
                        "scheduled_time\n"
                        "p0,12000,16384,1,1000,,LS,Running,0,100,0\n"
                        "p1,abc,16384,1,1000,,LS,Running,0,100,0\n"
                        "p2,1000,-5,1,1000,,LS,Running,0,100,0\n"
                        "p3,1000,10,1,1000,,Gold,Running,0,100,0\n"
                        "p4,1000,10,1,1000,,LS,Running,0,100\n"
                        "p5,1000,10,1,1000,,LS,Running,50,40,50\n"
                        "p6,1000,10,1,0,,LS,Running,0,100,0\n"
                        "p0,1000,10,1,1000,,LS,Running,0,100,0\n");
  ProblemList problems;
  auto r = read_trace("openb", path, problems);
  expect_problem(problems, 3, "cpu_milli", "found \"abc\"");
  expect_problem(problems, 4, "memory_mib", "found \"-5\"");
  expect_problem(problems, 5, "qos", "found \"Gold\"");
  expect_problem(problems, 6, "", "row has 10 fields, expected 11");
  expect_problem(problems, 7, "deletion_time", "before scheduled_time");
  expect_problem(problems, 8, "gpu_milli", "found \"0\"");
  expect_problem(problems, 9, "name", "duplicate name \"p0\"");
  EXPECT_EQ(problems.size(), 7u) << all_problems(problems);
  EXPECT_NE(all_problems(problems).find("error: " + path.string() + ":3: cpu_milli: found \"abc\""), std::string::npos);

  ProblemList header_problems;
  read_trace("openb", dir.write("wrong.csv", "pod,cpu,mem\np0,1,2\n"), header_problems);
  ASSERT_EQ(header_problems.size(), 1u) << all_problems(header_problems);
  EXPECT_EQ(header_problems.items()[0].line, 1);
  EXPECT_NE(header_problems.items()[0].what.find("name, cpu_milli, memory_mib, num_gpu, gpu_milli"), std::string::npos)
      << header_problems.items()[0].what;
}

// ---------------------------------------------------------------- Philly

TEST(TracePhilly, ReproducesThePublishedFiguresQuickly) {
  auto start = std::chrono::steady_clock::now();
  auto r = read_ok("philly", shared_traces() / "philly" / "philly.csv");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 2.0);  // about 0.1 s optimized; generous for debug and loaded machines
  RecordProperty("read_seconds", std::to_string(seconds));
  ASSERT_EQ(r.jobs.size(), 82247u);
  EXPECT_EQ(gpu_histogram(r.jobs), (std::map<int, long long>{{1, 76627}, {2, 1818}, {4, 1870}, {8, 1643}, {12, 7},
                                                             {16, 199}, {24, 7}, {32, 67}, {64, 6}, {128, 3}}));
  EXPECT_NEAR(mean_duration(r.jobs), 13135.9, 0.05);
  EXPECT_EQ(median_duration(r.jobs), 1144);
  double gpu_seconds = 0;
  for (const auto& j : r.jobs) gpu_seconds += j.gpus * j.duration_s;
  EXPECT_NEAR(gpu_seconds / 3600, 978078.5, 0.05);
  std::set<std::string> clusters;
  double first = 1e300, last = 0;
  for (const auto& j : r.jobs) {
    clusters.insert(j.tenant);
    first = std::min(first, j.submit_s);
    last = std::max(last, j.submit_s);
  }
  EXPECT_EQ(clusters.size(), 15u);
  EXPECT_EQ(first, 0);
  // 2017-09-04 10:30:41 .. 2017-12-22 08:02:11
  EXPECT_EQ(last, *parse_civil_time("2017-12-22 08:02:11") - *parse_civil_time("2017-09-04 10:30:41"));
  const JobSpec& row1 = r.jobs.front();  // 2017-10-09 07:01:55,66.0,1,66.0,11cb48
  EXPECT_EQ(row1.job_id, "1");
  EXPECT_EQ(row1.tenant, "11cb48");
  EXPECT_EQ(row1.duration_s, 66);
  EXPECT_EQ(row1.submit_s, *parse_civil_time("2017-10-09 07:01:55") - *parse_civil_time("2017-09-04 10:30:41"));

  std::string stats = cli::format_trace_stats(r);
  EXPECT_NE(stats.find("jobs: 82247\n"), std::string::npos) << stats;
  EXPECT_NE(stats.find("duration_s: mean 13135.9, median 1144\n"), std::string::npos) << stats;
  EXPECT_NE(stats.find("GPU-hours: 978078.5\n"), std::string::npos) << stats;
}

TEST(TracePhilly, TimeZeroOptions) {
  auto midnight = read_ok("philly", shared_traces() / "philly" / "philly.csv", {{"time_zero", "first-midnight"}});
  double first = 1e300;
  for (const auto& j : midnight.jobs) first = std::min(first, j.submit_s);
  EXPECT_EQ(first, 10 * 3600 + 30 * 60 + 41);  // 10:30:41 on the first day
  auto october = read_ok("philly", shared_traces() / "philly" / "philly.csv", {{"time_zero", "2017-10-01 00:00:00"}});
  EXPECT_GT(skipped(october, "submitted before time_zero"), 0);
  EXPECT_EQ(october.jobs.size() + skipped(october, "submitted before time_zero"), 82247u);
  ProblemList problems;
  read_trace("philly", shared_traces() / "philly" / "philly.csv", problems, {{"time_zero", "yesterday"}});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems.items()[0].where, "/workload/jobs/time_zero");
}

TEST(TracePhilly, BrokenCopyGivesLineNumberedErrors) {
  TempDir dir;
  auto path = dir.write("philly.csv",
                        "timestamp,duration,num_gpus,gpu_time,cluster\n"
                        "2017-10-09 07:01:55,66.0,1,66.0,11cb48\n"
                        "2017-13-09 07:01:55,66.0,1,66.0,11cb48\n"
                        "2017-10-09 07:01:55,-3,1,66.0,11cb48\n"
                        "2017-10-09 07:01:55,66.0,two,66.0,11cb48\n"
                        "2017-10-09 07:01:55,66.0\n"
                        "2017-10-09 07:01:55,,1,66.0,11cb48\n");
  ProblemList problems;
  auto r = read_trace("philly", path, problems);
  expect_problem(problems, 3, "timestamp", "found \"2017-13-09 07:01:55\"");
  expect_problem(problems, 4, "duration", "found \"-3\"");
  expect_problem(problems, 5, "num_gpus", "found \"two\"");
  expect_problem(problems, 6, "", "row has 2 fields");
  expect_problem(problems, 7, "duration", "empty value");
  EXPECT_EQ(problems.size(), 5u) << all_problems(problems);
  ProblemList header_problems;
  read_trace("philly", dir.write("h.csv", "time,duration,gpus\n"), header_problems);
  ASSERT_EQ(header_problems.size(), 1u);
  EXPECT_NE(header_problems.items()[0].what.find("timestamp, duration, num_gpus, cluster"), std::string::npos);
}

// ---------------------------------------------------------------- SWF

TEST(TraceSwf, NasaIpscReproducesThePublishedFigures) {
  auto path = shared_traces() / "swf-nasa-ipsc" / "NASA-iPSC-1993-3.1-cln.swf.gz";  // gzip, read directly
  // Every row, zero run times kept as 1 s: the published 18,239 jobs, mean 764.9 s, 17.0 processors.
  auto all = read_ok("swf", path, {{"zero_duration", "one-second"}});
  ASSERT_EQ(all.jobs.size(), 18239u);
  EXPECT_NEAR(mean_duration(all.jobs), 764.9, 0.05);
  EXPECT_EQ(median_duration(all.jobs), 86);
  EXPECT_NEAR(gpu_request(all.jobs) / all.jobs.size(), 17.0, 0.05);  // procs_per_gpu 1: one processor = one GPU
  EXPECT_EQ(gpu_histogram(all.jobs), (std::map<int, long long>{{1, 4935}, {2, 1763}, {4, 2683}, {8, 1793}, {16, 1780},
                                                               {32, 3662}, {64, 1203}, {128, 420}}));
  double last = 0;
  for (const auto& j : all.jobs) last = std::max(last, j.submit_s);
  EXPECT_NEAR(last / 86400, 92.0, 0.05);
  // Default: the 173 jobs with run time 0 are skipped and counted.
  auto r = read_ok("swf", path);
  EXPECT_EQ(r.jobs.size(), 18066u);
  EXPECT_EQ(skipped(r, "run time 0 s"), 173);
  double node_seconds = 0;
  for (const auto& j : r.jobs) node_seconds += j.gpus * j.duration_s;
  EXPECT_EQ(node_seconds, 474238015);
  const JobSpec& first = r.jobs.front();  // 1 0 -1 1451 128 ... user 1
  EXPECT_EQ(first.job_id, "1");
  EXPECT_EQ(first.duration_s, 1451);
  EXPECT_EQ(first.gpus, 128);
  EXPECT_EQ(first.tenant, "u1");
  EXPECT_LT(first.estimate_s, 0);
  auto quarter = read_ok("swf", path, {{"procs_per_gpu", 4}});
  EXPECT_EQ(gpu_histogram(quarter.jobs),
            (std::map<int, long long>{{1, 4910 + 1746 + 2663}, {2, 1785}, {4, 1768}, {8, 3615}, {16, 1184}, {32, 395}}));
}

TEST(TraceSwf, FieldRulesAndBrokenCopy) {
  TempDir dir;
  auto path = dir.write("t.swf",
                        "; Version: 2.2\n"
                        "; MaxNodes: 64\n"
                        ";   MaxProcs: 64\n"
                        "1 0 -1 100 -1 -1 -1 6 300 -1 1 7 1 -1 -1 -1 -1 -1\n"        // requested procs, estimate
                        "2 10 5 -1 4 -1 -1 4 -1 -1 1 7 1 -1 -1 -1 -1 -1\n"            // run time unknown
                        "3 20 5 50 -1 -1 -1 -1 -1 -1 1 -1 1 -1 -1 -1 -1 -1\n"         // no processor count
                        "4 30 5 50 128 -1 -1 128 -1 -1 1 7 1 -1 -1 -1 -1 -1\n"        // above MaxProcs
                        "5 abc 5 50 4 -1 -1 4 -1 -1 1 7 1 -1 -1 -1 -1 -1\n"           // line 8: bad submit
                        "6 40 5 50 4 -1 -1 4\n"                                       // line 9: 8 fields
                        "7 50 5 -7 4 -1 -1 4 -1 -1 1 7 1 -1 -1 -1 -1 -1\n"            // line 10: run time -7
                        "\n"
                        "8 60 -1 30 3 -1 -1 -1 -1 -1 0 -1 -1 -1 -1 -1 -1 -1\n");
  ProblemList problems;
  auto r = read_trace("swf", path, problems, {{"procs_per_gpu", 2}});
  expect_problem(problems, 8, "field 2 (submit time)", "found \"abc\"");
  expect_problem(problems, 9, "", "found 8 fields, expected the 18");
  expect_problem(problems, 10, "field 4 (run time)", "found \"-7\"");
  EXPECT_EQ(problems.size(), 3u) << all_problems(problems);
  ASSERT_EQ(r.jobs.size(), 2u);
  EXPECT_EQ(r.jobs[0].gpus, 3);  // ceil(6 / 2)
  EXPECT_EQ(r.jobs[0].estimate_s, 300);
  EXPECT_EQ(r.jobs[0].tenant, "u7");
  EXPECT_EQ(r.jobs[1].gpus, 2);  // ceil(3 / 2)
  EXPECT_EQ(r.jobs[1].tenant, "default");
  EXPECT_EQ(skipped(r, "run time unknown"), 1);
  EXPECT_EQ(skipped(r, "processor count unknown"), 1);
  EXPECT_EQ(skipped(r, "more processors than the header's MaxProcs (64)"), 1);

  ProblemList not_swf;
  read_trace("swf", dir.write("x.swf", "job,submit,run\n1,2,3\n4,5,6\n"), not_swf);
  ASSERT_EQ(not_swf.size(), 1u) << all_problems(not_swf);
  EXPECT_EQ(not_swf.items()[0].line, 1);
  EXPECT_NE(not_swf.items()[0].what.find("not a Standard Workload Format file"), std::string::npos);
}

// ---------------------------------------------------------------- Alibaba DLRM 2025

TEST(TraceAlibabaDlrm, ReplaysInstancesAsLongRunningJobs) {
  auto path = shared_traces() / "alibaba-dlrm-2025" / "disaggregated_DLRM_trace.csv";
  auto r = read_ok("alibaba-dlrm", path);
  EXPECT_EQ(r.jobs.size(), 23855u);
  EXPECT_EQ(skipped(r, "run time 0 s"), 16);  // deleted in the second they were scheduled
  EXPECT_EQ(r.jobs.size() + skipped_total(r), 23871u);
  EXPECT_EQ(gpu_histogram(r.jobs), (std::map<int, long long>{{0, 16485}, {1, 7370}}));
  std::set<std::string> apps;
  long long at_start = 0, to_end = 0;
  for (const auto& j : r.jobs) {
    apps.insert(j.tenant);
    at_start += j.submit_s == 0;
  }
  EXPECT_EQ(apps.size(), 156u);
  EXPECT_EQ(at_start, 7280);  // no creation_time: existed when the trace starts
  const JobSpec* first = find_job(r.jobs, "instance_0");  // HN, 12 vCPU, 1 GPU, 120 GiB, no times at all
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->gpus, 1);
  EXPECT_EQ(first->cpus, 12);
  EXPECT_EQ(first->mem_gib, 120);
  EXPECT_EQ(first->tenant, "app_0");
  EXPECT_EQ(first->duration_s, 2677541);  // runs to the largest time in the file
  for (const auto& j : r.jobs) to_end += j.submit_s == 0 && j.duration_s == 2677541;
  EXPECT_GT(to_end, 0);
  EXPECT_NEAR(mean_duration(r.jobs), 888327.7, 0.05);
  EXPECT_EQ(median_duration(r.jobs), 267812);
  auto all = read_ok("alibaba-dlrm", path, {{"zero_duration", "one-second"}});
  EXPECT_EQ(all.jobs.size(), 23871u);
}

TEST(TraceAlibabaDlrm, BrokenCopyGivesLineNumberedErrors) {
  TempDir dir;
  std::string header =
      "instance_sn,role,app_name,cpu_request,cpu_limit,gpu_request,gpu_limit,rdma_request,rdma_limit,memory_request,"
      "memory_limit,disk_request,disk_limit,max_instance_per_node,creation_time,scheduled_time,deletion_time\n";
  auto path = dir.write("d.csv", header +
                                     "i0,HN,app_0,12,12,1,1,25,25,120.0,120.0,640.0,800.0,8,,,\n"
                                     "i1,HN,app_0,12,12,one,1,25,25,120.0,120.0,640.0,800.0,8,,,\n"
                                     "i2,CN,app_1,8,8,0,0,0,0,40.0,40.0,100.0,100.0,-1,10.0,20.0,15.0\n"
                                     "i3,CN,app_1,8,8,0,0,0,0,40.0,40.0,100.0,100.0,-1,10.0,,\n"
                                     "i4,CN,app_1,8,8,0,0,0,0,40.0,40.0,100.0,100.0,-1,30.0,40.0,90.0\n"
                                     "i5,CN,app_1,-8,8,0,0,0,0,40.0,40.0,100.0,100.0,-1,30.0,40.0,90.0\n");
  ProblemList problems;
  auto r = read_trace("alibaba-dlrm", path, problems);
  expect_problem(problems, 3, "gpu_request", "found \"one\"");
  expect_problem(problems, 4, "deletion_time", "before scheduled_time");
  expect_problem(problems, 7, "cpu_request", "found \"-8\"");
  EXPECT_EQ(problems.size(), 3u) << all_problems(problems);
  ASSERT_EQ(r.jobs.size(), 2u);
  EXPECT_EQ(skipped(r, "never scheduled"), 1);
  EXPECT_EQ(r.jobs[0].duration_s, 90);  // i0 runs from 0 to the largest time seen (90)
  EXPECT_EQ(r.jobs[1].submit_s, 30);
  EXPECT_EQ(r.jobs[1].duration_s, 50);  // 90 - 40
  ProblemList header_problems;
  read_trace("alibaba-dlrm", dir.write("h.csv", "instance_sn,app_name,cpu_request\n"), header_problems);
  ASSERT_EQ(header_problems.size(), 1u);
  EXPECT_NE(header_problems.items()[0].what.find("gpu_request"), std::string::npos);
}

// ---------------------------------------------------------------- Helios (sample in the published layout)

TEST(TraceHelios, SampleInThePublishedLayout) {
  auto path = samples() / "helios" / "cluster_log.csv";
  auto r = read_ok("helios", path);
  ASSERT_EQ(r.jobs.size(), 10u);
  EXPECT_EQ(skipped(r, "never started"), 1);  // 1425516: cancelled while queued
  EXPECT_EQ(skipped(r, "run time 0 s"), 1);   // 1425517
  EXPECT_EQ(gpu_histogram(r.jobs), (std::map<int, long long>{{0, 2}, {1, 4}, {4, 1}, {8, 1}, {16, 1}, {32, 1}}));
  // Time zero: the earliest submission, 2020-06-09 18:40:00 (job 1425515, not the first row).
  EXPECT_EQ(find_job(r.jobs, "1425515")->submit_s, 0);
  const JobSpec* a = find_job(r.jobs, "1425511");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->submit_s, 61);
  EXPECT_EQ(a->duration_s, 36848);
  EXPECT_EQ(a->tenant, "vcJkd");
  EXPECT_EQ(a->cpus, 1);
  EXPECT_EQ(find_job(r.jobs, "1425519")->duration_s, 7200);  // empty duration: end_time - start_time
  EXPECT_EQ(find_job(r.jobs, "1425522")->submit_s, 33600.5);  // fractional seconds
  EXPECT_EQ(find_job(r.jobs, "1425518")->gpus, 8);            // TIMEOUT jobs are replayed too

  auto by_user = read_ok("helios", path, {{"tenant_from", "user"}, {"gpu_jobs_only", true}});
  EXPECT_EQ(by_user.jobs.size(), 8u);
  EXPECT_EQ(skipped(by_user, "CPU-only job"), 2);
  EXPECT_EQ(find_job(by_user.jobs, "1425511")->tenant, "uXBbc");

  auto midnight = read_ok("helios", path, {{"time_zero", "first-midnight"}});
  EXPECT_EQ(find_job(midnight.jobs, "1425511")->submit_s, 18 * 3600 + 41 * 60 + 1);
  auto from_june10 = read_ok("helios", path, {{"time_zero", "2020-06-10 00:00:00"}});
  EXPECT_EQ(from_june10.jobs.size(), 4u);
  EXPECT_EQ(skipped(from_june10, "submitted before time_zero"), 6);
  EXPECT_EQ(find_job(from_june10.jobs, "1425519")->submit_s, 3600);
}

TEST(TraceHelios, BrokenCopyGivesLineNumberedErrors) {
  TempDir dir;
  std::ifstream in(samples() / "helios" / "cluster_log.csv");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text += "1425523,uq9Zz,vc6YE,-1,6,1,COMPLETED,2020-06-10 04:00:00,2020-06-10 04:00:01,2020-06-10 05:00:01,3600,1\n";
  text += "1425524,uq9Zz,vc6YE,1,6,1,COMPLETED,2020/06/10 04:00,2020-06-10 04:00:01,2020-06-10 05:00:01,3600,1\n";
  text += "1425525,uq9Zz,vc6YE,1,6,1,COMPLETED,2020-06-10 04:00:00,2020-06-10 04:00:01,2020-06-10 05:00:01,1h,1\n";
  text += "1425526,uq9Zz,vc6YE,1,6,1,COMPLETED,2020-06-10 04:00:00\n";
  ProblemList problems;
  auto r = read_trace("helios", dir.write("cluster_log.csv", text), problems);
  expect_problem(problems, 14, "gpu_num", "found \"-1\"");
  expect_problem(problems, 15, "submit_time", "found \"2020/06/10 04:00\"");
  expect_problem(problems, 16, "duration", "found \"1h\"");
  expect_problem(problems, 17, "", "row has 8 fields, expected 12");
  EXPECT_EQ(problems.size(), 4u) << all_problems(problems);
  EXPECT_EQ(r.jobs.size(), 10u);
  ProblemList header_problems;
  read_trace("helios", dir.write("h.csv", "jobid,user,vc,gpus\n"), header_problems);
  ASSERT_EQ(header_problems.size(), 1u);
  EXPECT_NE(header_problems.items()[0].what.find("job_id, user, vc, gpu_num, cpu_num, submit_time, duration"),
            std::string::npos)
      << header_problems.items()[0].what;
}

// ---------------------------------------------------------------- Alibaba PAI 2020 (sample in the published layout)

TEST(TraceAlibabaPai, SampleJoinsJobsWithTheirTasks) {
  auto path = samples() / "alibaba-pai" / "pai_job_table.csv";
  auto r = read_ok("alibaba-pai", path);
  ASSERT_EQ(r.jobs.size(), 8u) << cli::format_trace_stats(r);
  EXPECT_EQ(skipped(r, "task rows whose job_name is not in the job table"), 1);
  EXPECT_EQ(skipped(r, "no task rows"), 1);          // b8d9...
  EXPECT_EQ(skipped(r, "never started"), 1);         // e5a6... Waiting
  EXPECT_EQ(skipped(r, "still running"), 1);         // f6b7... Running
  EXPECT_EQ(skipped(r, "run time 0 s"), 1);          // a7c8...
  // One instance at 50 %: a shared GPU.
  const JobSpec* half = find_job(r.jobs, "4b3f04b66a525d2df903eb16");
  ASSERT_NE(half, nullptr);
  EXPECT_EQ(half->gpus, 1);
  EXPECT_EQ(half->gpu_milli, 500);
  EXPECT_EQ(half->submit_s, 4550879);
  EXPECT_EQ(half->duration_s, 4551416 - 4550881);  // from its task's launch, not its submission
  EXPECT_EQ(half->tenant, "58540f191766");
  EXPECT_DOUBLE_EQ(half->cpus, 6);
  // The README's example: ps (600 % CPU, no GPU) + 2 workers (400 % CPU, 50 % GPU) = 14 CPUs, 1 GPU.
  const JobSpec* readme = find_job(r.jobs, "4f057009a5d481acec67b088");
  ASSERT_NE(readme, nullptr);
  EXPECT_EQ(readme->gpus, 1);
  EXPECT_EQ(readme->gpu_milli, 1000);
  EXPECT_DOUBLE_EQ(readme->cpus, 14);
  EXPECT_DOUBLE_EQ(readme->mem_gib, 29.296875 + 20);
  EXPECT_EQ(readme->duration_s, 1739200 - 1739162);  // first task start .. last task end
  const JobSpec* eight = find_job(r.jobs, "a1c2e3f4a5b6c7d8e9f0a1b2");
  EXPECT_EQ(eight->gpus, 8);
  EXPECT_DOUBLE_EQ(eight->cpus, 88);
  EXPECT_EQ(eight->duration_s, 1747300 - 1740050);
  EXPECT_EQ(find_job(r.jobs, "b2d3e4f5a6b7c8d9e0f1a2b3")->gpus, 2);  // 150 % -> 2 whole GPUs
  EXPECT_EQ(find_job(r.jobs, "c3e4f5a6b7c8d9e0f1a2b3c4")->gpu_milli, 500);  // 2 x 25 %
  EXPECT_EQ(find_job(r.jobs, "d4f5a6b7c8d9e0f1a2b3c4d5")->gpus, 0);          // CPU-only
  EXPECT_EQ(find_job(r.jobs, "d0f1a2b3c4d5e6f7a8b9c0d1")->gpu_milli, 100);
}

TEST(TraceAlibabaPai, TaskTableOptionAndBrokenCopies) {
  TempDir dir;
  fs::copy_file(samples() / "alibaba-pai" / "pai_job_table.csv", dir.path / "jobs.csv");
  // No pai_task_table.csv next to it: one error naming the file.
  ProblemList missing;
  read_trace("alibaba-pai", dir.path / "jobs.csv", missing);
  ASSERT_EQ(missing.size(), 1u) << all_problems(missing);
  EXPECT_NE(missing.items()[0].what.find("task table"), std::string::npos);
  // An explicit task_table, with a header row added by hand and broken rows.
  std::ifstream in(samples() / "alibaba-pai" / "pai_task_table.csv");
  std::string tasks((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  tasks = "job_name,task_name,inst_num,status,start_time,end_time,plan_cpu,plan_mem,plan_gpu,gpu_type\n" + tasks;
  tasks += "d0f1a2b3c4d5e6f7a8b9c0d1,worker,1.0,Terminated,1749010.0,1749600.0,400.0,8.0,lots,MISC\n";  // line 16
  tasks += "d0f1a2b3c4d5e6f7a8b9c0d1,worker,1.0,Terminated\n";                                        // line 17
  tasks += "d0f1a2b3c4d5e6f7a8b9c0d1,worker,-2,Terminated,1749010.0,1749600.0,400.0,8.0,10.0,MISC\n";  // line 18
  dir.write("tasks.csv", tasks);
  ProblemList problems;
  auto r = read_trace("alibaba-pai", dir.path / "jobs.csv", problems, {{"task_table", "tasks.csv"}});
  expect_problem(problems, 16, "plan_gpu", "found \"lots\"");
  expect_problem(problems, 17, "", "found 4 fields, expected the 10 headerless columns");
  expect_problem(problems, 18, "inst_num", "found \"-2\"");
  EXPECT_EQ(problems.size(), 3u) << all_problems(problems);
  EXPECT_EQ(r.jobs.size(), 8u);
  // A broken job table: a short row and a non-numeric submission.
  auto jobs = dir.write("bad_jobs.csv",
                        "4b3f04b66a525d2df903eb16,8cb3,58540f191766,Terminated,4550879.0,4551416.0\n"
                        "4f057009a5d481acec67b088,1f2a,58540f191766,Terminated,soon,1739200.0\n"
                        "a1c2e3f4a5b6c7d8e9f0a1b2,2a3b,d2d3b77d342e,Terminated\n"
                        "4b3f04b66a525d2df903eb16,8cb3,58540f191766,Terminated,4550879.0,4551416.0\n");
  ProblemList job_problems;
  read_trace("alibaba-pai", jobs, job_problems, {{"task_table", (samples() / "alibaba-pai" / "pai_task_table.csv").string()}});
  expect_problem(job_problems, 2, "start_time", "found \"soon\"");
  expect_problem(job_problems, 3, "", "found 4 fields, expected the 6 headerless columns");
  expect_problem(job_problems, 4, "job_name", "duplicate job_name");
  EXPECT_EQ(job_problems.size(), 3u) << all_problems(job_problems);
  // Not a PAI table at all (a Philly file): one error.
  ProblemList wrong;
  read_trace("alibaba-pai", shared_traces() / "philly" / "philly.csv", wrong);
  ASSERT_EQ(wrong.size(), 1u) << all_problems(wrong);
  EXPECT_EQ(wrong.items()[0].line, 1);
  EXPECT_NE(wrong.items()[0].what.find("not an Alibaba PAI job table"), std::string::npos);
}
