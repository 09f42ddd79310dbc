// `aidcsim check` reads and prints numbers as the Python checker does (its messages must match), and
// checks a run directory's invariants (the hand-broken run directories are in
// tests/scenarios/test_check_invariants.sh, which runs both checkers).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "sim/check/invariants.hpp"
#include "sim/check/python_text.hpp"
#include "sim/core/errors.hpp"

namespace aidcsim::check {
namespace {

TEST(CheckPythonText, FloatParsesLikePython) {
  EXPECT_EQ(python_float(" 1.5 "), 1.5);
  EXPECT_EQ(python_float("+2"), 2.0);
  EXPECT_EQ(python_float("-0.25"), -0.25);
  EXPECT_EQ(python_float("1_000"), 1000.0);
  EXPECT_EQ(python_float("1e400"), HUGE_VAL);  // Python: inf (then "not a finite number")
  EXPECT_EQ(python_float("1e-400"), 0.0);
  EXPECT_TRUE(std::isinf(*python_float("inf")));
  EXPECT_TRUE(std::isnan(*python_float("nan")));
  EXPECT_FALSE(python_float("abc"));
  EXPECT_FALSE(python_float(""));
  EXPECT_FALSE(python_float("1__0"));
  EXPECT_FALSE(python_float("+-1"));
  EXPECT_FALSE(python_float("1.5x"));
}

TEST(CheckPythonText, IntParsesLikePython) {
  EXPECT_EQ(python_int(" 4 "), 4);
  EXPECT_EQ(python_int("-3"), -3);
  EXPECT_EQ(python_int("+7"), 7);
  EXPECT_FALSE(python_int("4.0"));
  EXPECT_FALSE(python_int(""));
  EXPECT_FALSE(python_int("x"));
}

TEST(CheckPythonText, PrintsLikePython) {
  EXPECT_EQ(python_str(5.0), "5.0");
  EXPECT_EQ(python_str(0.1), "0.1");
  EXPECT_EQ(python_str(1e16), "1e+16");
  EXPECT_EQ(python_str(1e-5), "1e-05");
  EXPECT_EQ(python_g(5.0), "5");
  EXPECT_EQ(python_g(109.0), "109");
  EXPECT_EQ(python_g(1234567.0), "1.23457e+06");
  EXPECT_EQ(python_repr("a"), "'a'");
  EXPECT_EQ(python_repr("it's"), "\"it's\"");
  EXPECT_EQ(python_repr("a\\b\n"), "'a\\\\b\\n'");
}

class CheckRunDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("aidcsim-check-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    write("run.json", R"({"scenario": {"virtualization": {"gpu_sharing": "exclusive"}}})");
    write("summary.json", R"({"gpus_total": 2, "jobs": {"submitted": 2, "completed": 2, "rejected": 0, "unfinished": 0}})");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
  std::filesystem::path dir_;
};

constexpr const char* kHeader = "job_id,tenant,submit_s,start_s,end_s,queue_delay_s,jct_s,gpus,gpu_milli,state,hosts,duration_s\n";

TEST_F(CheckRunDir, ValidRunPasses) {
  write("jobs.csv", std::string(kHeader) + "a,t,0,0,10,0,10,1,1000,completed,g0,10\nb,t,0,10,20,10,20,1,1000,completed,g0,10\n");
  CheckReport r = check_run_dir(dir_.string(), {true});
  EXPECT_TRUE(r.violations.empty()) << r.violations.front().message;
  EXPECT_EQ(r.jobs, 2u);
}

TEST_F(CheckRunDir, OverlapNamesTheRuleHostAndJob) {
  write("jobs.csv", std::string(kHeader) + "a,t,0,0,10,0,10,1,1000,completed,g0,10\nb,t,5,5,15,0,10,1,1000,completed,g0,10\n");
  CheckReport r = check_run_dir(dir_.string(), {});
  ASSERT_EQ(r.violations.size(), 1u);
  EXPECT_EQ(r.violations[0].rule, "gpu-capacity");
  EXPECT_EQ(r.violations[0].message,
            "host g0: 2000 milli allocated at t=5 s (job 'b' made it exceed 1000; gpu_sharing exclusive)");
}

TEST_F(CheckRunDir, UnreadableNumberIsAViolationNotACrash) {
  write("jobs.csv", std::string(kHeader) + "a,t,zero,0,10,0,10,1,1000,completed,g0,10\nb,t,0,0,10,0,10,1,1000,completed,g1,nan\n");
  CheckReport r = check_run_dir(dir_.string(), {});
  ASSERT_EQ(r.violations.size(), 2u);
  EXPECT_EQ(r.violations[0].message, "jobs.csv:2: job 'a': unreadable number (could not convert string to float: 'zero')");
  EXPECT_EQ(r.violations[1].message, "jobs.csv:3: job 'b': unreadable number (not a finite number: 'nan')");
}

TEST_F(CheckRunDir, NotARunDirectoryIsAnInputError) {
  EXPECT_THROW(check_run_dir((dir_ / "missing").string(), {}), InputErrors);
  std::filesystem::remove(dir_ / "summary.json");
  try {
    check_run_dir(dir_.string(), {});
    FAIL() << "expected InputErrors";
  } catch (const InputErrors& e) {
    // Every missing file at once: summary.json and jobs.csv.
    EXPECT_EQ(e.problems().size(), 2u) << e.what();
  }
}

// Quota rules (quota_invariants.py's): two 1-GPU jobs of tenant t under a ResourceQuota of 1 GPU.
constexpr const char* kQuotaHeader =
    "job_id,tenant,submit_s,start_s,end_s,queue_delay_s,jct_s,gpus,gpu_milli,state,hosts,duration_s,admitted_s,"
    "admission_delay_s,placement_delay_s\n";
class CheckQuota : public CheckRunDir {
 protected:
  void SetUp() override {
    CheckRunDir::SetUp();
    write("run.json", R"({"scenario": {"quota": {"policy": "resource-quota"}}})");
    write("summary.json", R"({"gpus_total": 2, "jobs": {"submitted": 2, "completed": 2, "rejected": 0, "unfinished": 0},
      "quota": {"policy": "resource-quota", "tenants": {"t": {"config": {"hard": {"gpus": 1}}}}}})");
    write("jobs.csv", std::string(kQuotaHeader) + "a,t,0,0,10,0,10,1,1000,completed,g0,10,0,0,0\n"
                                                  "b,t,0,10,20,10,20,1,1000,completed,g1,10,10,10,0\n");
  }
  std::vector<std::string> messages() {
    std::vector<std::string> out;
    for (const auto& v : check_run_dir(dir_.string(), {}).violations) out.push_back("[" + v.rule + "] " + v.message);
    return out;
  }
};

TEST_F(CheckQuota, AdmissionsWithinTheQuotaPass) {
  write("admissions.csv", "job_id,tenant,queue,flavor,admitted_s,released_s,released_by\na,t,,,0,10,completed\nb,t,,,10,20,completed\n");
  EXPECT_TRUE(messages().empty()) << messages().front();
}

TEST_F(CheckQuota, EachBrokenRuleIsNamed) {
  // b admitted at 5 while a holds the one GPU until 10; a released by an eviction resource-quota never makes.
  write("admissions.csv", "job_id,tenant,queue,flavor,admitted_s,released_s,released_by\na,t,,,0,10,InClusterQueue\nb,t,,,5,20,completed\n"
                          "zz,t,,,0,1,completed\nb,t,,,x,,\n");
  EXPECT_EQ(messages(), (std::vector<std::string>{
                            "[quota-admission] admissions.csv:4: unknown job zz",
                            "[quota-admission] admissions.csv:5: unreadable admitted_s / released_s",
                            "[quota-usage] admissions.csv: tenant t holds 2 gpus at t=5 s, over its ResourceQuota of 1",
                            "[quota-eviction] admissions.csv:2: resource-quota never evicts, but a was released by InClusterQueue"}));
  // Started before its admission, and a queueing delay that does not add up.
  write("jobs.csv", std::string(kQuotaHeader) + "a,t,0,0,10,0,10,1,1000,completed,g0,10,2,0,0\n"
                                                "b,t,0,10,20,10,20,1,1000,completed,g1,10,10,4,5\n");
  write("admissions.csv", "job_id,tenant,queue,flavor,admitted_s,released_s,released_by\n");
  EXPECT_EQ(messages(), (std::vector<std::string>{
                            "[quota-admission] jobs.csv:2: job a started at 0 before its admission at 2",
                            "[quota-admission] jobs.csv:3: admission_delay_s + placement_delay_s = 9, queue_delay_s = 10"}));
  std::filesystem::remove(dir_ / "admissions.csv");
  EXPECT_EQ(messages().back(), "[quota-files] " + (dir_ / "admissions.csv").string() + ": missing (a quota policy writes one)");
}

// Kueue: queue q of nominal 1 GPU in cohort c with borrowing_limit 1, and queue p (nominal 1, lending
// limit 0) in the same cohort. q using 2 GPUs borrows p's, which p does not lend.
TEST_F(CheckQuota, KueueCohortLimits) {
  write("run.json", R"({"scenario": {"quota": {"policy": "kueue"}}})");
  write("summary.json", R"({"gpus_total": 2, "jobs": {"submitted": 2, "completed": 2, "rejected": 0, "unfinished": 0},
    "quota": {"policy": "kueue", "cohorts": {"c": {"config": {"parent": null, "flavors": {}}}},
      "cluster_queues": {
        "q": {"config": {"cohort": "c", "flavors": {"default": {"gpus": {"nominal": 1, "borrowing_limit": 1, "lending_limit": null}}},
                         "preemption": {"within_cluster_queue": "Never", "reclaim_within_cohort": "Never", "borrow_within_cohort": "Never"}}},
        "p": {"config": {"cohort": "c", "flavors": {"default": {"gpus": {"nominal": 1, "borrowing_limit": null, "lending_limit": 0}}},
                         "preemption": {"within_cluster_queue": "Never", "reclaim_within_cohort": "Never", "borrow_within_cohort": "Never"}}}}}})");
  write("jobs.csv", std::string(kQuotaHeader) + "a,t,0,0,10,0,10,1,1000,completed,g0,10,0,0,0\n"
                                                "b,t,0,0,10,0,10,1,1000,completed,g1,10,0,0,0\n");
  write("admissions.csv", "job_id,tenant,queue,flavor,admitted_s,released_s,released_by\na,t,q,default,0,10,completed\n"
                          "b,t,q,default,0,10,InCohortReclamation\n");
  EXPECT_EQ(messages(), (std::vector<std::string>{
                            "[quota-usage] t=0 s: cohort c uses 2 gpus of flavor default beyond what its members may lend (1: "
                            "nominal quotas within their lending limits)",
                            "[quota-eviction] admissions.csv:3: b evicted for InCohortReclamation, which the configuration does not allow"}));
}

// Alert rules (alert_invariants.py's): rule A holds for 60 s before it fires.
TEST_F(CheckRunDir, AlertRowsAgainstTheirRules) {
  write("jobs.csv", std::string(kHeader) + "a,t,0,0,10,0,10,1,1000,completed,g0,10\nb,t,0,10,20,10,20,1,1000,completed,g0,10\n");
  write("run.json", R"({"scenario": {"monitoring": {"alerts": [{"name": "A", "expr": "aidcsim_jobs_pending > 0", "for_s": 60}]}}})");
  write("alerts.csv", "rule,labels,pending_s,firing_s,resolved_s,value,severity\nA,{},0,60,120,1,warning\nA,{},0,30,,1,warning\n"
                      "B,{},0,,,1,warning\nA,{},100,,50,1,warning\nA,{},x,,,1,warning\n");
  std::vector<std::string> got;
  for (const auto& v : check_run_dir(dir_.string(), {}).violations) got.push_back("[" + v.rule + "] " + v.message);
  EXPECT_EQ(got, (std::vector<std::string>{
                     "[alert-for] alerts.csv:3: alert A {}: fired at 30, less than for_s = 60 after it went pending at 0",
                     "[alert-rule] alerts.csv:4: alert B {}: no such rule in run.json's monitoring.alerts",
                     "[alert-times] alerts.csv:5: alert A {}: resolved at 50, before it went pending or fired at 100",
                     "[alert-times] alerts.csv:6: alert A {}: unreadable times"}));
}

// Autoscaling (scaling_invariants.py's): chat scales between 1 and 4 from its 2 replicas.
TEST_F(CheckRunDir, ScalingRowsAgainstTheirRange) {
  write("jobs.csv", std::string(kHeader) + "a,t,0,0,10,0,10,1,1000,completed,g0,10\nb,t,0,10,20,10,20,1,1000,completed,g0,10\n");
  write("run.json", R"({"scenario": {"workload": {"services": [{"name": "chat", "replicas": 2}]},
    "autoscaling": {"services": {"chat": {"min_replicas": 1, "max_replicas": 4, "target": 8}}}}})");
  write("scaling.csv", "time_s,object,kind,from,to,reason\n15,chat,service,2,4,up\n30,chat,service,3,5,up\n"
                       "20,chat,service,5,5,same\n45,code,service,1,2,x\n60,chat,service,5,1,\n75,chat,service,1,x,down\n");
  std::vector<std::string> got;
  for (const auto& v : check_run_dir(dir_.string(), {}).violations) got.push_back("[" + v.rule + "] " + v.message);
  EXPECT_EQ(got, (std::vector<std::string>{
                     "[scaling-sequence] scaling.csv:3: chat: from 3, but it had 4",
                     "[scaling-range] scaling.csv:3: chat: to 5, expected a change within [1, 4]",
                     "[scaling-sequence] scaling.csv:4: chat: at 20, before the previous row (30)",
                     "[scaling-range] scaling.csv:4: chat: to 5, expected a change within [1, 4]",
                     "[scaling-object] scaling.csv:5: code: no such service in run.json's autoscaling (services, or nodes.groups)",
                     "[scaling-reason] scaling.csv:6: chat: no reason",
                     "[scaling-values] scaling.csv:7: chat: unreadable time or replica counts"}));
}

}  // namespace
}  // namespace aidcsim::check
