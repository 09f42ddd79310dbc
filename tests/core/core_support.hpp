#pragma once
// A fake executor and a tiny event loop that drive Core without SimGrid: the test owns time. The
// loop mirrors run_simulation() (sim/engine/engine.cpp): at each instant, the core's due events
// (run ends, model events; Core::handle_due_events), then arrivals, then a scheduling pass; wake-ups
// are instants of their own. Activities (run_activities) and live migrations take no simulated time
// here: the test reports their ends by hand (Loop::activities_end_at, Loop::at), in the engine's
// order (ended activities before the due events, migration steps after them).
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <stdexcept>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/metrics/run_metrics.hpp"
#include "sim/core/core.hpp"
#include "sim/core/registry.hpp"
#include "tests/unit/unit_support.hpp"

namespace aidcsim::core_test {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct ActivityRun {
  JobIndex job;
  std::uint32_t epoch;
  ActivityPlan plan;
  double isolated_work_s;
};

struct MigrateCall {
  std::size_t id;
  ServerIndex from, to;
  MigrationTransfer transfer;
};

// Records every call of the core.
class FakeExecutor final : public Executor {
 public:
  void run_activities(JobIndex j, std::uint32_t epoch, const ActivityPlan& plan, const std::vector<ImagePull>&,
                      double isolated_work_s) override {
    activity_runs.push_back({j, epoch, plan, isolated_work_s});
  }
  double stop_activities(JobIndex j) override {
    stopped.push_back(j);
    return stop_fraction;
  }
  void migrate(std::size_t id, ServerIndex from, ServerIndex to, const MigrationTransfer& t) override {
    migrate_calls.push_back({id, from, to, t});
  }
  void transfer(ServerIndex, ServerIndex, double bytes, EventHandler*, std::uint64_t) override { transfer_bytes.push_back(bytes); }
  std::uint64_t execute(const ActivityPlan& plan, EventHandler*, std::uint64_t) override {
    executions.push_back(plan);
    return executions.size() - 1;
  }
  void cancel_execution(std::uint64_t handle) override { cancelled_executions.push_back(handle); }

  std::vector<ActivityRun> activity_runs;
  std::vector<JobIndex> stopped;
  double stop_fraction = 0;  // what stop_activities() reports as done
  std::vector<MigrateCall> migrate_calls;
  std::vector<double> transfer_bytes;
  std::vector<ActivityPlan> executions;
  std::vector<std::uint64_t> cancelled_executions;
};

// The engine's loop without SimGrid. Instants come from arrivals and the core's event queue; the
// test adds instants of its own (an activity's or a migration's end).
class Loop {
 public:
  Loop(Core& core, FakeExecutor& executor) : core_(core) { core_.set_executor(&executor); }

  // Processes every instant up to and including `until_s` (all of them when +inf); stops early,
  // like the engine, when nothing is left that could happen by itself.
  void run_until(double until_s = kInf) {
    while (true) {
      EventQueue& events = core_.event_queue();
      bool work_left = !core_.all_arrived() || events.keeps_alive() ||
                       (core_.queued_count() > 0 && std::isfinite(events.next_wakeup_s(now_)));
      if (!work_left) return;
      double next_s = std::min({core_.next_arrival_s(), events.next_run_end_s(), events.next_model_event_s(),
                                events.next_wakeup_s(now_)});
      if (next_s > until_s || std::isinf(next_s)) return;
      instant(next_s, {}, {});
    }
  }
  // Runs everything before `t_s`, then the instant t_s with `ended` (activities that ended then,
  // e.g. Core::finish) before the due events.
  void activities_end_at(double t_s, const std::function<void()>& ended) {
    run_until(std::nextafter(t_s, -kInf));
    instant(t_s, ended, {});
  }
  // Runs everything before `t_s`, then the instant t_s with `step` (a migration's pause or end)
  // after the due events.
  void at(double t_s, const std::function<void()>& step) {
    run_until(std::nextafter(t_s, -kInf));
    instant(t_s, {}, step);
  }
  double now() const { return now_; }

 private:
  void instant(double t_s, const std::function<void()>& ended, const std::function<void()>& step) {
    now_ = t_s;
    if (ended) ended();
    core_.handle_due_events(now_);
    if (step) step();
    core_.admit_arrivals(now_);
    core_.schedule(now_);
  }
  Core& core_;
  double now_ = -kInf;
};

// A job of `gpus` whole GPUs, `duration_s` long, submitted at `submit_s`.
inline JobSpec job(const std::string& id, double submit_s, double duration_s, int gpus = 1) {
  JobSpec j;
  j.job_id = id;
  j.submit_s = submit_s;
  j.duration_s = duration_s;
  j.gpus = gpus;
  j.cpus = 1;
  return j;
}

// A scheduler the test steers: starts pending jobs in arrival order, skipping those that do not
// fit; before that, preempts what the test asked for and asks for the wake-ups it was given. It
// records the instant of every pass.
class ScriptedScheduler final : public Scheduler {
 public:
  void schedule(SchedulingContext& ctx) override {
    passes.push_back(ctx.now());
    for (auto [j, restart_cost_s] : preempt_next) ctx.preempt(j, restart_cost_s);
    preempt_next.clear();
    for (double t : wake_next) ctx.wake_at(t);
    wake_next.clear();
    for (JobIndex j : ctx.pending())
      if (ctx.is_pending(j)) ctx.try_start(j);
  }
  void on_run_end(JobIndex j) override { run_ends.push_back(j); }

  std::vector<std::pair<JobIndex, double>> preempt_next;  // (job, restart cost) at the next pass
  std::vector<double> wake_next;                          // wake-ups asked for at the next pass
  std::vector<double> passes;
  std::vector<JobIndex> run_ends;
};

// A core on `cluster` with first-fit placement, the trace workload model and `scheduler` (FIFO when
// null), exclusive GPUs, bare metal or the `vm` runtime with `vm_options`. The core keeps a
// reference to `cluster`: a Harness never moves.
struct Harness {
  Cluster cluster;
  FakeExecutor executor;
  ScriptedScheduler* scripted = nullptr;  // set when the scheduler is a ScriptedScheduler
  MigrationMetric migrations;  // observes the core: live-migration statistics and log
  std::unique_ptr<Core> core;
  std::unique_ptr<Loop> loop;

  Harness(Cluster c, std::vector<JobSpec> jobs, std::unique_ptr<Scheduler> scheduler = nullptr,
          CoreOptions options = {}, const nlohmann::json* vm_options = nullptr)
      : cluster(std::move(c)) {
    scripted = dynamic_cast<ScriptedScheduler*>(scheduler.get());
    const Registries& r = builtin_registries();
    Policies p;
    p.scheduler = scheduler ? std::move(scheduler) : unit::make_policy(r.schedulers, "fifo", cluster, jobs);
    p.placement = unit::make_policy(r.placements, "first-fit", cluster, jobs);
    p.workload_model = unit::make_policy(r.workload_models, "trace", cluster, jobs);
    if (vm_options) p.runtime = unit::make_policy_from(r.runtimes, "vm", *vm_options, "/virtualization/vm", cluster, jobs);
    options.observers.push_back(&migrations);
    core = std::make_unique<Core>(cluster, std::move(jobs), std::move(p), options);
    loop = std::make_unique<Loop>(*core, executor);
  }
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;
  const JobRun& run(JobIndex j) const { return core->runs()[j]; }
  // Its request and current run while it is in the system (a test of a running job asserts it is).
  const LiveRun& live(JobIndex j) const {
    const LiveRun* l = core->live_run(j);
    if (!l) throw std::logic_error("job " + std::to_string(j) + " is not in the system");
    return *l;
  }
};

}  // namespace aidcsim::core_test
