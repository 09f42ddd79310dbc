#pragma once
// The test bench of the scheduler unit tests (test_schedulers*.cpp): a Cluster and a real Ledger, a
// placement policy from the registry (first-fit unless told), and a fake SchedulingContext that
// plays the core (starts, preemptions, attained service, expected ends). No SimGrid, no core.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/ledger.hpp"
#include "sim/config/options.hpp"
#include "sim/policy/placement.hpp"
#include "sim/policy/scheduler.hpp"
#include "sim/core/request.hpp"
#include "tests/unit/unit_support.hpp"

namespace aidcsim::unit::sched {


// One job of a hand-made workload.
inline JobSpec job(const std::string& id, double submit_s, double duration_s, int gpus, const std::string& tenant = "default",
            int priority = 0, double estimate_s = -1, double cpus = 0, double mem_gib = 0) {
  JobSpec j;
  j.job_id = id;
  j.submit_s = submit_s;
  j.duration_s = duration_s;
  j.gpus = gpus;
  j.tenant = tenant;
  j.priority = priority;
  j.estimate_s = estimate_s;
  j.cpus = cpus;
  j.mem_gib = mem_gib;
  return j;
}

// A fake core: jobs (index = arrival order), a real ledger, a placement policy (first-fit unless
// told). Jobs are put in
// place with run() (running since some time, with some service already attained) and queue()
// (pending); pass() runs one scheduling pass the way the core does (pending() and running() stay
// fixed during the pass and are rebuilt after it) and records what the scheduler did.
class Bench final : public SchedulingContext {
 public:
  Bench(Cluster c, std::vector<JobSpec> jobs, const std::string& placement = "first-fit")
      : cluster_(std::move(c)), ledger_(cluster_), jobs_(std::move(jobs)), runs_(jobs_.size()),
        placement_(unit::make_policy(builtin_registries().placements, placement, cluster_)) {
    for (std::size_t j = 0; j < jobs_.size(); ++j) {
      runs_[j].request.gpus = jobs_[j].gpus;
      runs_[j].request.cpus = jobs_[j].cpus;
      runs_[j].request.mem_gib = jobs_[j].mem_gib;
    }
  }

  JobIndex id(const std::string& name) const {
    for (JobIndex j = 0; j < jobs_.size(); ++j)
      if (jobs_[j].job_id == name) return j;
    ADD_FAILURE() << "no job " << name;
    return 0;
  }
  std::vector<std::string> names(const std::vector<JobIndex>& js) const {
    std::vector<std::string> out;
    for (JobIndex j : js) out.push_back(jobs_[j].job_id);
    return out;
  }

  void set_now(double t) { now_ = t; }
  // Job `name` has been running since start_s (placed now by the placement policy), with `earlier_gpu_s` of
  // service from earlier runs and `done` of its work done before this run.
  void run(const std::string& name, double start_s, double earlier_gpu_s = 0, double done = 0) {
    JobIndex j = id(name);
    auto a = placement_->place(runs_[j].request, ClusterView{cluster_, ledger_});
    ASSERT_TRUE(a) << name << " does not fit";
    ledger_.apply(*a);
    Run& r = runs_[j];
    r.state = JobState::running;
    r.allocation = *a;
    r.start_s = r.run_started_s = start_s;
    r.attained_before_gpu_s = earlier_gpu_s;
    r.done_fraction = done;
    rebuild();
  }
  // Job `name` completes now.
  void finish(const std::string& name) {
    Run& r = runs_[id(name)];
    ASSERT_EQ(r.state, JobState::running);
    ledger_.release(r.allocation);
    r.allocation = {};
    r.state = JobState::completed;
    rebuild();
  }
  // Service (GPU-seconds) a pending job attained in earlier runs.
  void set_service(const std::string& name, double gpu_s) { runs_[id(name)].attained_before_gpu_s = gpu_s; }
  void queue(const std::vector<std::string>& names_) {
    for (const auto& n : names_) runs_[id(n)].state = JobState::pending, runs_[id(n)].queued = true;
    rebuild();
  }

  void pass(Scheduler& s) {
    started.clear();
    preempted.clear();
    restart_costs.clear();
    in_pass_ = true;
    s.schedule(*this);
    in_pass_ = false;
    rebuild();
  }

  // SchedulingContext
  double now() const override { return now_; }
  const std::vector<JobIndex>& pending() const override { return pending_; }
  bool is_pending(JobIndex j) const override { return runs_[j].state == JobState::pending && runs_[j].queued; }
  const std::vector<JobIndex>& running() const override { return running_; }
  const JobSpec& spec(JobIndex j) const override { return jobs_[j]; }
  JobStatus status(JobIndex j) const override {
    const Run& r = runs_[j];
    bool on = r.state == JobState::running;
    double gpus = 0;
    for (const auto& g : r.allocation.gpus) gpus += g.milli / 1000.0;
    return {r.state,
            r.start_s,
            on ? r.run_started_s : kNoTime,
            on ? r.run_started_s + jobs_[j].duration_s * (1 - r.done_fraction) : kNoTime,
            r.attained_before_gpu_s + (on ? gpus * (now_ - r.run_started_s) : 0),
            r.done_fraction,
            r.preemptions,
            &r.request,
            &r.allocation};
  }
  const Cluster& cluster() const override { return cluster_; }
  const Ledger& ledger() const override { return ledger_; }
  bool try_start(JobIndex j) override {
    Run& r = runs_[j];
    if (r.state != JobState::pending || !r.queued || r.preempted_in_pass) return false;
    auto a = placement_->place(r.request, ClusterView{cluster_, ledger_});
    if (!a) return false;
    EXPECT_EQ(ledger_.check(*a), "");
    ledger_.apply(*a);
    r.allocation = *a;
    r.state = JobState::running;
    if (std::isnan(r.start_s)) r.start_s = now_;
    r.run_started_s = now_;
    started.push_back(j);
    return true;
  }
  bool would_fit(const Request& r, const Ledger& l) override {
    return placement_->place(r, ClusterView{cluster_, l}).has_value();
  }
  std::optional<Allocation> propose(const Request& r, const Ledger& l) override {
    return placement_->place(r, ClusterView{cluster_, l});
  }
  void preempt(JobIndex j, double restart_cost_s) override {
    Run& r = runs_[j];
    ASSERT_EQ(r.state, JobState::running) << "preempted a job that is not running";
    EXPECT_TRUE(in_pass_);
    double gpus = 0;
    for (const auto& g : r.allocation.gpus) gpus += g.milli / 1000.0;
    ledger_.release(r.allocation);
    r.attained_before_gpu_s += gpus * (now_ - r.run_started_s);
    r.done_fraction = std::min(1.0, r.done_fraction + (now_ - r.run_started_s) / jobs_[j].duration_s);
    r.allocation = {};
    r.state = JobState::pending;
    r.queued = true;
    r.preempted_in_pass = true;
    ++r.preemptions;
    preempted.push_back(j);
    restart_costs.push_back(restart_cost_s);
  }

  std::vector<JobIndex> started, preempted;
  std::vector<double> restart_costs;

 private:
  struct Run {
    JobState state = JobState::pending;
    bool queued = false;  // arrived
    bool preempted_in_pass = false;
    Request request;
    Allocation allocation;
    double start_s = kNoTime, run_started_s = kNoTime;
    double attained_before_gpu_s = 0, done_fraction = 0;
    int preemptions = 0;
  };
  void rebuild() {
    pending_.clear();
    running_.clear();
    for (JobIndex j = 0; j < jobs_.size(); ++j) {
      runs_[j].preempted_in_pass = false;
      if (runs_[j].state == JobState::running) running_.push_back(j);
      else if (runs_[j].state == JobState::pending && runs_[j].queued) pending_.push_back(j);
    }
  }

  Cluster cluster_;
  Ledger ledger_;
  std::vector<JobSpec> jobs_;
  std::vector<Run> runs_;
  std::unique_ptr<PlacementPolicy> placement_;
  std::vector<JobIndex> pending_, running_;
  double now_ = 0;
  bool in_pass_ = false;
};

// A scheduler from the registry, with options given as JSON; problems in them are returned.
inline std::unique_ptr<Scheduler> make(const std::string& name, const nlohmann::json& options = nlohmann::json::object(),
                                std::vector<std::string>* problems_out = nullptr) {
  const auto* entry = builtin_registries().schedulers.find(name);
  EXPECT_NE(entry, nullptr) << name << " is not registered";
  if (!entry) return nullptr;
  ProblemList problems;
  OptionReader reader(options, "/scheduler", "scenario.json", nullptr, problems);
  Cluster none;
  std::vector<JobSpec> no_jobs;
  PolicyArgs args{reader, 1, none, no_jobs};
  auto made = entry->make(args);
  reader.reject_unknown({"policy"});
  if (problems_out)
    for (const auto& p : problems.items()) problems_out->push_back(p.where + ": " + p.what);
  else
    EXPECT_TRUE(problems.empty()) << problems.items().front().format();
  return made;
}

using Names = std::vector<std::string>;


}  // namespace aidcsim::unit::sched
