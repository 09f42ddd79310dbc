// Quota and admission through the CLI (docs/quota.md): Kueue's borrowing, reclaim, lending and
// borrowing limits, queueing strategies, flavors, fair sharing and waitForPodsReady, Kubernetes'
// ResourceQuota with the Job controller's backoff, and virtual-cluster quotas from the platform. Every
// expected time is derived by hand in the comment above its test (trace replay on exclusive GPUs:
// a run that starts at t ends at t + what is left of duration_s; a preempted job keeps its progress).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cstdlib>
#include <map>
#include <string>

#include "tests/engine/support/engine_support.hpp"
#include "tests/engine/support/run_helpers.hpp"

using namespace aidcsim::testing;

namespace {

using Row = std::map<std::string, std::string>;

// Servers of 8 GPUs each; server i has prop vc = vcs[i].
std::string vc_platform(const std::vector<std::string>& vcs) {
  std::string hosts, links, routes;
  for (std::size_t s = 0; s < vcs.size(); ++s) {
    hosts += fmt::format(R"(  <host id="srv{}" speed="1Gf" core="64"><prop id="kind" value="server"/><prop id="memory" value="512GiB"/><prop id="vc" value="{}"/></host>
)", s, vcs[s]);
    links += fmt::format("  <link id=\"nic{}\" bandwidth=\"25GBps\" latency=\"1us\"/>\n", s);
    for (int g = 0; g < 8; ++g) {
      hosts += fmt::format(R"(  <host id="srv{}-gpu{}" speed="1e12f"><prop id="kind" value="gpu"/><prop id="server" value="srv{}"/><prop id="gpu_model" value="A100-80GB"/><prop id="gpu_memory" value="80GiB"/></host>
)", s, g, s);
      links += fmt::format("  <link id=\"pcie{}-{}\" bandwidth=\"32GBps\" latency=\"1us\"/>\n", s, g);
      routes += fmt::format("  <route src=\"srv{}-gpu{}\" dst=\"srv{}\"><link_ctn id=\"pcie{}-{}\"/></route>\n", s, g, s, s, g);
    }
  }
  for (std::size_t a = 0; a < vcs.size(); ++a)
    for (std::size_t b = a + 1; b < vcs.size(); ++b)
      routes += fmt::format("  <route src=\"srv{}\" dst=\"srv{}\"><link_ctn id=\"nic{}\"/><link_ctn id=\"nic{}\"/></route>\n", a, b, a, b);
  return "<?xml version='1.0'?>\n<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n<platform version=\"4.1\">\n"
         "<zone id=\"dc\" routing=\"Full\">\n" + hosts + links + routes + "</zone>\n</platform>\n";
}

struct QuotaRun {
  TempFolder dir;
  std::string scenario;
  QuotaRun(const std::string& name, const std::string& trace, const nlohmann::json& quota,
           const std::vector<std::string>& vcs = {"va", "vb"}, const std::string& scheduler = "fifo")
      : dir(name) {
    dir.write("platform.xml", vc_platform(vcs));
    dir.write("trace.csv", trace);
    nlohmann::json s = {{"name", name},
                        {"platform", "platform.xml"},
                        {"workload", {{"jobs", {{"path", "trace.csv"}, {"format", "native"}}}}},
                        {"scheduler", {{"policy", scheduler}}},
                        {"quota", quota},
                        {"monitoring", {{"interval_s", 10}}}};
    scenario = dir.write("scenario.json", s.dump(2));
  }
  std::map<std::string, Row> go() {
    CliResult r = run_cli("run " + scenario + " --out " + (dir / "out") + " --quiet");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, Row> rows;
    for (auto& row : read_csv(dir / "out/jobs.csv")) rows[row["job_id"]] = row;
    CliResult check = run_cli("check " + (dir / "out"));
    EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
    // The quota rules (tests/scenarios/quota_invariants.py) on every run of this file.
    std::string checker = std::string(AIDCSIM_SOURCE_DIR) + "/tests/scenarios/check_invariants.py";
    std::string command = "/usr/bin/python3 '" + checker + "' '" + (dir / "out") + "' > '" + (dir / "check.txt") + "' 2>&1";
    EXPECT_EQ(std::system(command.c_str()), 0) << read_text(dir / "check.txt");
    return rows;
  }
  nlohmann::json summary() { return read_json(dir / "out/summary.json"); }
};

std::string spans(std::map<std::string, Row>& rows) {
  std::string out;
  for (auto& [id, row] : rows) out += id + ":" + row["start_s"] + "-" + row["end_s"] + " ";
  return out;
}

nlohmann::json queue(const std::string& name, const nlohmann::json& resources, const std::string& cohort = "",
                     const nlohmann::json& extra = nlohmann::json::object()) {
  nlohmann::json q = {{"name", name}, {"resources", resources}};
  if (!cohort.empty()) q["cohort"] = cohort;
  q.update(extra);
  return q;
}

const char* kBorrowReclaimTrace = R"(job_id,submit_s,duration_s,gpus,tenant
a1,0,1000,4,a
a2,1,1000,4,a
a3,2,1000,4,a
a4,3,1000,4,a
b1,10,90,4,b
b2,20,1000,4,b
b3,30,1000,4,b
)";

// The fact sheet's scenario F-A1 (Kueue classic preemption). CQs a and b, nominal 8 GPUs each, one
// cohort, reclaim_within_cohort Any. a1..a4 are admitted at 0..3 (a3, a4 borrow b's idle 8). b1 at 10:
// the cohort is full, b1 is within b's nominal: the borrowing queue's most recently admitted job, a4,
// is evicted (hierarchical reclaim: reason InCohortReclamation in kueue's hierarchical_preemption.go)
// and b1 starts at 10; b2 at 20 evicts a3. b3 at 30 finds nobody borrowing: it waits until b1 ends at
// 100 (b's 4 GPUs free, a's head a3 would borrow, b3 would not: b3 first). a1 ends at 1000: a3 (ran
// 2..20, 982 s left) is admitted without borrowing, ends 1982; a2 ends at 1001: a4 (ran 3..10) ends 1994.
TEST(Quota, KueueBorrowThenReclaim) {
  nlohmann::json preemption = {{"preemption", {{"reclaim_within_cohort", "Any"}}}};
  QuotaRun run("quota-fa1", kBorrowReclaimTrace,
               {{"policy", "kueue"},
                {"cohorts", {{{"name", "ab"}}}},
                {"cluster_queues", {queue("cq-a", {{"gpus", {{"nominal", 8}}}}, "ab", preemption),
                                    queue("cq-b", {{"gpus", 8}}, "ab", preemption)}},
                {"tenants", {{"a", "cq-a"}, {"b", "cq-b"}}}});
  auto rows = run.go();
  EXPECT_EQ(spans(rows), "a1:0-1000 a2:1-1001 a3:2-1982 a4:3-1994 b1:10-100 b2:20-1020 b3:100-1100 ");
  EXPECT_EQ(rows["a4"]["preemption_reasons"], "InCohortReclamation");
  EXPECT_EQ(rows["a3"]["preemption_reasons"], "InCohortReclamation");
  EXPECT_EQ(rows["b3"]["admitted_s"], "100");
  EXPECT_EQ(rows["b3"]["admission_delay_s"], "70");
  EXPECT_EQ(rows["b3"]["placement_delay_s"], "0");
  EXPECT_EQ(rows["b1"]["queue"], "cq-b");
  std::string admissions = read_text(run.dir / "out/admissions.csv");
  EXPECT_NE(admissions.find("a4,cq-a,default,3,10,InCohortReclamation\n"), std::string::npos) << admissions;
  EXPECT_NE(admissions.find("a4,cq-a,default,1001,1994,completed\n"), std::string::npos) << admissions;
  auto q = run.summary()["quota"];
  EXPECT_EQ(q["cluster_queues"]["cq-a"]["preemptions_by_reason"]["InCohortReclamation"], 2);
  // a borrowed 4 GPUs over 3..10 and 8 over... : a1..a4 use 8 own GPUs, a3 borrows 4 over [2,20], a4 4 over [3,10].
  EXPECT_DOUBLE_EQ(q["cluster_queues"]["cq-a"]["borrowed_gpu_hours"].get<double>(), std::round((4.0 * 18 + 4.0 * 7) / 3600 * 1e6) / 1e6);
  EXPECT_EQ(q["cluster_queues"]["cq-b"]["admission_delay_s"]["max"], 70.0);
}

// reclaim_within_cohort Never: b's jobs wait for a's borrowed GPUs instead (b1 at 1000, when a1 ends).
TEST(Quota, KueueNoReclaimWaits) {
  QuotaRun run("quota-noreclaim", kBorrowReclaimTrace,
               {{"policy", "kueue"},
                {"cluster_queues", {queue("cq-a", {{"gpus", 8}}, "ab"), queue("cq-b", {{"gpus", 8}}, "ab")}},
                {"tenants", {{"a", "cq-a"}, {"b", "cq-b"}}}});
  auto rows = run.go();
  // a1..a4 hold the 16 GPUs until 1000..1003; b1 (90 s) at 1000 ends 1090, b2 at 1001, b3 at 1002.
  EXPECT_EQ(spans(rows), "a1:0-1000 a2:1-1001 a3:2-1002 a4:3-1003 b1:1000-1090 b2:1001-2001 b3:1002-2002 ");
  EXPECT_EQ(rows["a3"]["preemptions"], "0");
}

// The preemptor stays its queue's head until admitted (cluster_queue.go's sticky preemptor): b0 (16
// GPUs, more than b's nominal quota) waits set aside; b1 (4 GPUs) at 3 evicts a2, which borrowed b's
// idle 8 GPUs; the eviction returns b0 to b's queue ahead of b1, but b1 is admitted (without the rule,
// a2 and b1 would take turns for ever at t = 3). a2 comes back at 103 (999 s left), b0 when a2 ends.
TEST(Quota, KueuePreemptorStaysHead) {
  const char* trace = "job_id,submit_s,duration_s,gpus,tenant\na1,0,1000,8,a\nb0,1,10,16,b\na2,2,1000,8,a\nb1,3,100,4,b\n";
  nlohmann::json preemption = {{"preemption", {{"reclaim_within_cohort", "Any"}}}};
  QuotaRun run("quota-sticky", trace,
               {{"policy", "kueue"},
                {"cluster_queues", {queue("cq-a", {{"gpus", 8}}, "ab", preemption), queue("cq-b", {{"gpus", 8}}, "ab", preemption)}},
                {"tenants", {{"a", "cq-a"}, {"b", "cq-b"}}}});
  auto rows = run.go();
  EXPECT_EQ(spans(rows), "a1:0-1000 a2:2-1102 b0:1102-1112 b1:3-103 ");
  EXPECT_EQ(rows["a2"]["preemption_reasons"], "InCohortReclamation");
}

// Hierarchical cohorts: root { left { a (4), b (4) }, right { c (8) } }, reclaim Any. a's three 4-GPU
// jobs take a's quota, b's idle 4 (inside left) and c's idle 4 (through root). c1 (8 GPUs) at 10 fits
// c's own quota: a's most recent job a3 is evicted (a and left both borrow), which is enough. b1 at 20:
// inside left, a still borrows b's GPUs: a2 goes (left is then within its quota, so a1 is safe).
// c1 ends at 110: a2 (981 s left) and a3 (992 s left) come back at 110.
TEST(Quota, KueueHierarchicalCohorts) {
  const char* trace = "job_id,submit_s,duration_s,gpus,tenant\na1,0,1000,4,a\na2,1,1000,4,a\na3,2,1000,4,a\n"
                      "c1,10,100,8,c\nb1,20,100,4,b\n";
  nlohmann::json preemption = {{"preemption", {{"reclaim_within_cohort", "Any"}}}};
  QuotaRun run("quota-tree", trace,
               {{"policy", "kueue"},
                {"cohorts", {{{"name", "root"}}, {{"name", "left"}, {"parent", "root"}}, {{"name", "right"}, {"parent", "root"}}}},
                {"cluster_queues", {queue("cq-a", {{"gpus", 4}}, "left", preemption), queue("cq-b", {{"gpus", 4}}, "left", preemption),
                                    queue("cq-c", {{"gpus", 8}}, "right", preemption)}},
                {"tenants", {{"a", "cq-a"}, {"b", "cq-b"}, {"c", "cq-c"}}}});
  auto rows = run.go();
  EXPECT_EQ(spans(rows), "a1:0-1000 a2:1-1091 a3:2-1102 b1:20-120 c1:10-110 ");
  EXPECT_EQ(rows["a3"]["preemption_reasons"], "InCohortReclamation");
  EXPECT_EQ(rows["a2"]["preemption_reasons"], "InCohortReclamation");
  EXPECT_EQ(rows["a1"]["preemptions"], "0");
  auto q = run.summary()["quota"];
  EXPECT_EQ(q["cohorts"]["left"]["config"]["parent"], "root");
  EXPECT_EQ(q["cohorts"]["root"]["preemptions"], 2);
}

// Priority within one queue (within_cluster_queue LowerPriority): h1 (priority 5) evicts l1 (priority 0,
// reason InClusterQueue) at 10; l1 comes back when h1 ends at 110 with 990 s left. With Never, h1 waits.
TEST(Quota, KueuePriorityWithinAQueue) {
  const char* trace = "job_id,submit_s,duration_s,gpus,tenant,priority\nl1,0,1000,8,t,0\nh1,10,100,4,t,5\n";
  for (std::string policy : {"LowerPriority", "Never"}) {
    QuotaRun run("quota-prio", trace,
                 {{"policy", "kueue"},
                  {"cluster_queues", {queue("q", {{"gpus", 8}}, "", {{"preemption", {{"within_cluster_queue", policy}}}})}},
                  {"tenants", {{"t", "q"}}}});
    auto rows = run.go();
    if (policy == "Never") {
      EXPECT_EQ(spans(rows), "h1:1000-1100 l1:0-1000 ");
      continue;
    }
    EXPECT_EQ(spans(rows), "h1:10-110 l1:0-1100 ");
    EXPECT_EQ(rows["l1"]["preemption_reasons"], "InClusterQueue");
  }
}

// A lending_limit caps what a borrows: b lends at most 2 GPUs, so a holds at most 8 + 2 = 10 GPUs of
// 2-GPU jobs (5 of them); the sixth waits until one ends at 100. A borrowing_limit of 2 on a does the same.
TEST(Quota, KueueLendingAndBorrowingLimits) {
  std::string trace = "job_id,submit_s,duration_s,gpus,tenant\n";
  for (int k = 1; k <= 6; ++k) trace += fmt::format("a{},{},{},2,a\n", k, k - 1, k == 1 ? 100 : 1000);
  for (std::string limit : {"lending", "borrowing"}) {
    nlohmann::json a = {{"gpus", {{"nominal", 8}}}}, b = {{"gpus", {{"nominal", 8}}}};
    if (limit == "lending") b["gpus"]["lending_limit"] = 2;
    else a["gpus"]["borrowing_limit"] = 2;
    QuotaRun run("quota-" + limit, trace,
                 {{"policy", "kueue"},
                  {"cluster_queues", {queue("cq-a", a, "ab"), queue("cq-b", b, "ab")}},
                  {"tenants", {{"a", "cq-a"}}}});
    auto rows = run.go();
    EXPECT_EQ(spans(rows), "a1:0-100 a2:1-1001 a3:2-1002 a4:3-1003 a5:4-1004 a6:100-1100 ") << limit;
    EXPECT_EQ(rows["a6"]["admitted_s"], "100") << limit;
    EXPECT_EQ(run.summary()["quota"]["cluster_queues"]["cq-a"]["peak_pending"], 1) << limit;
  }
}

// The fact sheet's F-A2: one queue of 8 GPUs, w1 (6 GPUs) runs 0..50, w2 (4) at 1, w3 (2) at 2.
// StrictFIFO: w2 heads the queue and blocks w3; both are admitted at 50. BestEffortFIFO: w2 is set
// aside, w3 fits and starts at 2; w2 at 50.
TEST(Quota, KueueStrictVersusBestEffortFifo) {
  const char* trace = "job_id,submit_s,duration_s,gpus,tenant\nw1,0,50,6,t\nw2,1,100,4,t\nw3,2,100,2,t\n";
  for (std::string strategy : {"StrictFIFO", "BestEffortFIFO"}) {
    QuotaRun run("quota-" + strategy, trace,
                 {{"policy", "kueue"},
                  {"cluster_queues", {queue("q", {{"gpus", 8}}, "", {{"queueing_strategy", strategy}})}},
                  {"tenants", {{"t", "q"}}}});
    auto rows = run.go();
    if (strategy == "StrictFIFO") EXPECT_EQ(spans(rows), "w1:0-50 w2:50-150 w3:50-150 ");
    else EXPECT_EQ(spans(rows), "w1:0-50 w2:50-150 w3:2-102 ");
  }
}

// Flavors tried in order: f-va (srv0, 4 GPUs of quota) then f-vb (srv1, 8). j1 takes f-va and runs on
// srv0; j2 no longer fits f-va and takes f-vb (srv1), j3 too; j4 fits no flavor until j1 ends at 100.
TEST(Quota, KueueFlavorsInOrderAndPlacementFollowsTheFlavor) {
  const char* trace = "job_id,submit_s,duration_s,gpus,tenant\nj1,0,100,4,t\nj2,1,100,4,t\nj3,2,100,4,t\nj4,3,100,4,t\n";
  nlohmann::json flavors = {{{"name", "f-va"}, {"match", {{"vc", "va"}}}, {"resources", {{"gpus", 4}}}},
                            {{"name", "f-vb"}, {"match", {{"vc", "vb"}}}, {"resources", {{"gpus", 8}}}}};
  QuotaRun run("quota-flavors", trace,
               {{"policy", "kueue"}, {"cluster_queues", {{{"name", "q"}, {"flavors", flavors}}}}, {"tenants", {{"t", "q"}}}});
  auto rows = run.go();
  EXPECT_EQ(spans(rows), "j1:0-100 j2:1-101 j3:2-102 j4:100-200 ");
  EXPECT_EQ(rows["j1"]["flavor"], "f-va");
  EXPECT_EQ(rows["j2"]["flavor"], "f-vb");
  EXPECT_EQ(rows["j4"]["flavor"], "f-va");
  EXPECT_EQ(rows["j1"]["hosts"].substr(0, 5), "srv0-");
  EXPECT_EQ(rows["j2"]["hosts"].substr(0, 5), "srv1-");
  EXPECT_EQ(rows["j3"]["hosts"].substr(0, 5), "srv1-");
  EXPECT_EQ(rows["j4"]["hosts"].substr(0, 5), "srv0-");
}

// Flavor fungibility: q's first flavor f1 (vc va) has no quota of its own but may borrow p's idle
// f1 GPUs; its second flavor f2 (vc vb) has 8. when_can_borrow Borrow (Kueue's default) stops at f1
// by borrowing; TryNextFlavor goes on and takes f2 without borrowing.
TEST(Quota, KueueFlavorFungibility) {
  const char* trace = "job_id,submit_s,duration_s,gpus,tenant\nj1,0,100,4,t\n";
  for (std::string when : {"Borrow", "TryNextFlavor"}) {
    nlohmann::json flavors = {{{"name", "f1"}, {"match", {{"vc", "va"}}}, {"resources", {{"gpus", 0}}}},
                              {{"name", "f2"}, {"match", {{"vc", "vb"}}}, {"resources", {{"gpus", 8}}}}};
    QuotaRun run("quota-fungibility", trace,
                 {{"policy", "kueue"},
                  {"cluster_queues",
                   {{{"name", "q"}, {"cohort", "c"}, {"flavors", flavors}, {"flavor_fungibility", {{"when_can_borrow", when}}}},
                    {{"name", "p"}, {"cohort", "c"}, {"flavors", {{{"name", "f1"}, {"match", {{"vc", "va"}}}, {"resources", {{"gpus", 8}}}}}}}}},
                  {"tenants", {{"t", "q"}}}});
    auto rows = run.go();
    EXPECT_EQ(rows["j1"]["flavor"], when == "Borrow" ? "f1" : "f2");
    EXPECT_EQ(rows["j1"]["hosts"].substr(0, 5), when == "Borrow" ? "srv0-" : "srv1-");
  }
}

// Fair sharing, weights 2:1: two queues of nominal 0 borrow a cohort's own 12 GPUs; share = borrowed x
// 1000 / 12 / weight. Each cycle admits both heads (a first: its share after is lower) until 6 + 6;
// then a's head preempts b's newest job while a's share after admission stays <= b's without it
// (LessThanOrEqualToFinalShare): 7 -> 291.7 <= 416.7, 8 -> 333.3 <= 333.3, 9 -> 375 > 250 stops. At t = 0
// a holds 8 GPUs and b 4: both shares 333.3, as the weights say.
TEST(Quota, KueueFairSharingWeights) {
  std::string trace = "job_id,submit_s,duration_s,gpus,tenant\n";
  for (int k = 0; k < 10; ++k) trace += fmt::format("a{},0,100,1,a\nb{},0,100,1,b\n", k, k);
  nlohmann::json reclaim = {{"reclaim_within_cohort", "Any"}};
  QuotaRun run("quota-fair", trace,
               {{"policy", "kueue"},
                {"fair_sharing", {{"enable", true}}},
                {"cohorts", {{{"name", "ab"}, {"resources", {{"gpus", 12}}}}}},
                {"cluster_queues", {queue("cq-a", {{"gpus", 0}}, "ab", {{"fair_sharing", {{"weight", 2}}}, {"preemption", reclaim}}),
                                    queue("cq-b", {{"gpus", 0}}, "ab", {{"preemption", reclaim}})}},
                {"tenants", {{"a", "cq-a"}, {"b", "cq-b"}}}});
  auto rows = run.go();
  std::string series = read_text(run.dir / "out/timeseries.csv");
  EXPECT_NE(series.find("\n0,quota_gpus_used,cq-a,8\n"), std::string::npos) << series.substr(0, 600);
  EXPECT_NE(series.find("\n0,quota_gpus_used,cq-b,4\n"), std::string::npos);
  auto q = run.summary()["quota"]["cluster_queues"];
  EXPECT_EQ(q["cq-b"]["preemptions_by_reason"]["InCohortFairSharing"], 2);
  EXPECT_EQ(rows["b5"]["preemption_reasons"], "InCohortFairSharing");
  EXPECT_EQ(rows["b4"]["preemption_reasons"], "InCohortFairSharing");
}

// The fact sheet's F-A3: fair sharing, nominal 8 each, a uses 16 (a1..a4, 4 GPUs each), b1 asks for
// 8 at 10: a has the highest share (500); removing a4 leaves it 250 >= b's 0 after admission
// (LessThanOrEqualToFinalShare), b1 does not fit yet; a (250) gives a3 too. Victims a4 and a3.
TEST(Quota, KueueFairSharingPreemption) {
  const char* trace = "job_id,submit_s,duration_s,gpus,tenant\na1,0,1000,4,a\na2,1,1000,4,a\na3,2,1000,4,a\na4,3,1000,4,a\nb1,10,100,8,b\n";
  nlohmann::json preemption = {{"preemption", {{"reclaim_within_cohort", "Any"}}}};
  QuotaRun run("quota-fair-preempt", trace,
               {{"policy", "kueue"},
                {"fair_sharing", true},
                {"cluster_queues", {queue("cq-a", {{"gpus", 8}}, "ab", preemption), queue("cq-b", {{"gpus", 8}}, "ab", preemption)}},
                {"tenants", {{"a", "cq-a"}, {"b", "cq-b"}}}});
  auto rows = run.go();
  EXPECT_EQ(rows["b1"]["start_s"], "10");
  EXPECT_EQ(rows["a4"]["preemption_reasons"], "InCohortFairSharing");
  EXPECT_EQ(rows["a3"]["preemption_reasons"], "InCohortFairSharing");
  EXPECT_EQ(rows["a2"]["preemptions"], "0");
  // b1 ends at 110: a3 (ran 2..10, 992 s left) and a4 (3..10, 993 left) come back at 110.
  EXPECT_EQ(rows["a3"]["end_s"], "1102");
  EXPECT_EQ(rows["a4"]["end_s"], "1103");
}

// The fact sheet's F-A4: tenant t may hold 8 GPUs. p1 (4, 0..10) and p2 (4) are created at 0 (8 = the
// limit, allowed); p3 (1 GPU) at 1 is refused; the Job controller retries after 1, 2, 4, 8 s: refused at
// 2, 4 and 8, created at 16 (p1 ended at 10). p4 asks for 9 GPUs: more than the limit on its own,
// rejected. Tenant u has no quota.
TEST(Quota, ResourceQuotaRefusesThenBackoffRetry) {
  const char* trace = "job_id,submit_s,duration_s,gpus,tenant\np1,0,10,4,t\np2,0,100,4,t\np3,1,10,1,t\np4,2,10,9,t\nu1,3,10,4,u\n";
  QuotaRun run("quota-rq", trace, {{"policy", "resource-quota"}, {"tenants", {{"t", {{"gpus", 8}}}}}});
  auto rows = run.go();
  EXPECT_EQ(rows["p3"]["start_s"], "16");
  EXPECT_EQ(rows["p3"]["admitted_s"], "16");
  EXPECT_EQ(rows["p3"]["admission_delay_s"], "15");
  EXPECT_EQ(rows["p3"]["queue"], "t");
  EXPECT_EQ(rows["p4"]["state"], "rejected");
  EXPECT_NE(rows["p4"]["reason"].find("exceeded quota: t, requested: gpus=9, used: gpus=0, limited: gpus=8"), std::string::npos)
      << rows["p4"]["reason"];
  EXPECT_EQ(rows["u1"]["start_s"], "3");
  auto q = run.summary()["quota"]["tenants"];
  EXPECT_EQ(q["t"]["rejected"], 1);
  EXPECT_EQ(q["t"]["admitted"], 3);
}

// from_platform "vc": one queue per vc (8 GPUs each). Without a cohort, va's third 4-GPU job waits
// although vb is idle (the strict VC split); with both in one cohort it borrows vb's GPUs.
TEST(Quota, VirtualClusterQuotasFromThePlatform) {
  const char* trace = "job_id,submit_s,duration_s,gpus,tenant\nj1,0,100,4,va\nj2,0,100,4,va\nj3,0,100,4,va\n";
  QuotaRun strict("quota-vc", trace, {{"policy", "kueue"}, {"from_platform", "vc"}});
  auto rows = strict.go();
  EXPECT_EQ(spans(rows), "j1:0-100 j2:0-100 j3:100-200 ");
  QuotaRun shared("quota-vc-cohort", trace, {{"policy", "kueue"}, {"from_platform", "vc"}, {"cohort", "all"}});
  rows = shared.go();
  EXPECT_EQ(spans(rows), "j1:0-100 j2:0-100 j3:0-100 ");
  EXPECT_EQ(rows["j3"]["queue"], "va");
}

// waitForPodsReady: quota (16 GPUs) larger than the flavor's servers (srv0, 8 GPUs). j2 is admitted at
// 0 but cannot be placed while j1 runs (0..100). Without the option it starts at 100; with a 60 s
// timeout it is evicted at 60 (PodsReadyTimeout) and requeued after the 60 s backoff: admitted again
// at 120 and placed then.
TEST(Quota, KueueWaitForPodsReady) {
  const char* trace = "job_id,submit_s,duration_s,gpus,tenant\nj1,0,100,8,t\nj2,0,100,8,t\n";
  nlohmann::json q = {{"policy", "kueue"},
                      {"cluster_queues", {{{"name", "q"}, {"flavors", {{{"name", "f"}, {"match", {{"vc", "va"}}}, {"resources", {{"gpus", 16}}}}}}}}},
                      {"tenants", {{"t", "q"}}}};
  QuotaRun plain("quota-noready", trace, q);
  auto rows = plain.go();
  EXPECT_EQ(spans(rows), "j1:0-100 j2:100-200 ");
  EXPECT_EQ(rows["j2"]["placement_delay_s"], "100");
  q["wait_for_pods_ready"] = {{"timeout_s", 60}};
  QuotaRun ready("quota-ready", trace, q);
  rows = ready.go();
  EXPECT_EQ(spans(rows), "j1:0-100 j2:120-220 ");
  EXPECT_EQ(rows["j2"]["preemption_reasons"], "PodsReadyTimeout");
  EXPECT_EQ(rows["j2"]["admitted_s"], "120");
}

// Every admitted job ends; no quota, same run as before (the golden outputs test covers the scenarios).
TEST(Quota, BadInputIsExitTwoWithThePath) {
  struct Case {
    nlohmann::json quota;
    std::string expected;
  };
  nlohmann::json two = {queue("cq-a", {{"gpus", 8}}, "ab"), queue("cq-b", {{"gpus", 8}}, "ab")};
  std::vector<Case> cases = {
      {{{"policy", "kueue"}, {"cluster_queues", two}, {"tenants", {{"a", "cq-x"}, {"b", "cq-b"}}}}, "/quota/tenants/a: unknown ClusterQueue \"cq-x\""},
      {{{"policy", "kueue"}, {"cluster_queues", two}, {"tenants", {{"a", "cq-a"}}}}, "/quota/tenants: 1 tenant of the workload has no ClusterQueue (\"b\")"},
      {{{"policy", "kueue"}, {"cohorts", {{{"name", "ab"}, {"parent", "cd"}}, {{"name", "cd"}, {"parent", "ab"}}}}, {"cluster_queues", two}, {"tenants", {{"a", "cq-a"}, {"b", "cq-b"}}}},
       "is its own ancestor"},
      {{{"policy", "kueue"}, {"cluster_queues", {{{"name", "q"}, {"flavors", {{{"name", "f"}, {"match", {{"rack", "r9"}}}, {"resources", {{"gpus", 4}}}}}}}}}, {"default_queue", "q"}},
       "/quota/cluster_queues/0/flavors/0/match: flavor \"f\" matches no server"},
      {{{"policy", "kueue"}, {"cluster_queues", {queue("q", {{"gpus", -1}})}}, {"default_queue", "q"}}, "/quota/cluster_queues/0/resources/gpus: found -1"},
      {{{"policy", "kueue"}, {"cluster_queues", {queue("q", {{"gpus", "many"}})}}, {"default_queue", "q"}}, "/quota/cluster_queues/0/resources/gpus"},
      {{{"policy", "kueue"}, {"cluster_queues", {queue("q", {{"gpus", {{"nominal", 4}, {"borrowing_limit", 2}}}})}}, {"default_queue", "q"}},
       "belongs to no cohort"},
      {{{"policy", "resource-quota"}, {"tenants", {{"a", {{"gpus", "x"}}}}}}, "/quota/tenants/a/gpus: found \"x\", expected a number"},
      {{{"policy", "kueue"}, {"cluster_queues", {queue("q", {{"gpus", 4}}, "", {{"queueing_strategy", "LIFO"}})}}, {"default_queue", "q"}},
       "/quota/cluster_queues/0/queueing_strategy"},
  };
  for (const auto& c : cases) {
    QuotaRun run("quota-bad", kBorrowReclaimTrace, c.quota);
    CliResult r = run_cli("run " + run.scenario + " --out " + (run.dir / "out") + " --quiet");
    EXPECT_EQ(r.exit_code, 2) << c.quota.dump();
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << r.err;
    EXPECT_TRUE(no_outputs_in(run.dir / "out")) << c.quota.dump();
  }
}

}  // namespace
