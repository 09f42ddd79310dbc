#include "sim/engine.hpp"

#include <simgrid/s4u.hpp>

#include <cmath>
#include <limits>
#include <mutex>
#include <queue>

namespace aidcsim {

namespace sg4 = simgrid::s4u;

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Timers for jobs whose end is known, ordered by (time, sequence) so that ties are deterministic.
struct Timer {
  double time_s;
  std::uint64_t sequence;
  JobIndex job;
  bool operator>(const Timer& o) const { return time_s != o.time_s ? time_s > o.time_s : sequence > o.sequence; }
};

class SimGridExecutor final : public Executor {
 public:
  SimGridExecutor(sg4::Engine& engine, const Cluster& cluster)
      : engine_(engine), cluster_(cluster), mutex_(sg4::Mutex::create()), wakeup_(sg4::ConditionVariable::create()) {}

  void complete_at(JobIndex j, double end_s) override { timers_.push({end_s, sequence_++, j}); }

  void run_activities(JobIndex j, const ActivityPlan& plan) override {
    std::vector<std::pair<sg4::Host*, ExecStep>> steps;
    for (const auto& e : plan.execs) {
      const std::string& name = e.on_gpu ? cluster_.gpus[e.index].name : cluster_.servers[e.index].name;
      steps.emplace_back(engine_.host_by_name(name), e);
    }
    sg4::Host* home = steps.empty() ? engine_.get_all_hosts().front() : steps.front().first;
    ++in_flight_;
    // One short-lived actor per job; it only waits for SimGrid to finish the job's activities.
    sg4::Actor::create("job", home, [this, j, steps = std::move(steps)]() {
      std::vector<sg4::ExecPtr> execs;
      for (const auto& [host, step] : steps) {
        sg4::ExecPtr exec = sg4::Exec::init()->set_host(host)->set_flops_amount(step.flops);
        if (step.bound_flops > 0) exec->set_bound(step.bound_flops);
        exec->start();
        execs.push_back(exec);
      }
      for (auto& exec : execs) exec->wait();
      std::unique_lock lock(*mutex_);
      finished_.push_back(j);
      wakeup_->notify_one();
    })->set_stacksize(64 * 1024);
  }

  // Waits until `until_s` or until an activity ends; returns the new time.
  double wait(double until_s) {
    if (in_flight_ == 0) {
      if (std::isinf(until_s)) return sg4::Engine::get_clock();
      sg4::this_actor::sleep_until(until_s);
      return until_s;  // exact, whatever rounding the sleep went through
    }
    std::unique_lock lock(*mutex_);
    if (!finished_.empty()) return sg4::Engine::get_clock();
    if (std::isinf(until_s)) {
      wakeup_->wait(lock);
      return sg4::Engine::get_clock();
    }
    if (wakeup_->wait_until(lock, until_s) == std::cv_status::timeout) return until_s;
    return sg4::Engine::get_clock();
  }

  double next_timer_s() const { return timers_.empty() ? kInfinity : timers_.top().time_s; }
  bool idle() const { return timers_.empty() && in_flight_ == 0; }

  // Finishes everything due at `now`: activities that ended, then timers in (time, sequence) order.
  void finish_due(Core& core, double now) {
    std::vector<JobIndex> done;
    {
      std::unique_lock lock(*mutex_);
      done.swap(finished_);
    }
    for (JobIndex j : done) {
      --in_flight_;
      core.finish(j, now);
    }
    while (!timers_.empty() && timers_.top().time_s <= now) {
      Timer t = timers_.top();
      timers_.pop();
      core.finish(t.job, t.time_s);
    }
  }

 private:
  sg4::Engine& engine_;
  const Cluster& cluster_;
  sg4::MutexPtr mutex_;
  sg4::ConditionVariablePtr wakeup_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::uint64_t sequence_ = 0;
  std::vector<JobIndex> finished_;
  std::size_t in_flight_ = 0;
};

}  // namespace

EngineResult run_simulation(sg4::Engine& engine, Core& core, const EngineOptions& options) {
  EngineResult result;
  if (core.jobs().empty()) return result;
  SimGridExecutor executor(engine, core.cluster());
  core.set_executor(&executor);
  sg4::Host* controller_host = engine.get_all_hosts().front();

  sg4::Actor::create("aidcsim-core", controller_host, [&]() {
    const double horizon_s = options.horizon_s.value_or(kInfinity);
    double next_sample_s = core.next_arrival_s();
    long long iterations = 0;
    double now = next_sample_s;
    while (true) {
      bool work_left = !core.all_arrived() || !executor.idle();
      double next_s = std::min({core.next_arrival_s(), executor.next_timer_s(), work_left ? next_sample_s : kInfinity});
      if (!work_left) break;
      if (next_s > horizon_s) next_s = horizon_s;
      now = executor.wait(next_s);
      if (now >= horizon_s && (core.running_count() > 0 || core.queued_count() > 0 || !core.all_arrived())) {
        executor.finish_due(core, horizon_s);
        if (horizon_s >= next_sample_s) {
          std::vector<Sample> samples;
          core.sample(horizon_s, samples);
          options.on_samples(horizon_s, samples);
        }
        result.hit_horizon = true;
        now = horizon_s;
        break;
      }
      executor.finish_due(core, now);
      core.admit_arrivals(now);
      core.schedule(now);
      if (now >= next_sample_s) {
        std::vector<Sample> samples;
        core.sample(now, samples);
        if (options.on_samples) options.on_samples(now, samples);
        next_sample_s += options.monitoring_interval_s * std::max(1.0, std::floor((now - next_sample_s) / options.monitoring_interval_s) + 1);
      }
      if (options.on_progress && (++iterations & 0xFFF) == 0) options.on_progress(now);
    }
    result.end_s = now;
    core.close(now, result.hit_horizon ? "still queued or running at the horizon" : "never started");
    sg4::Actor::kill_all();
  });
  engine.run();
  return result;
}

}  // namespace aidcsim
