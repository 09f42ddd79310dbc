#include "sim/engine/engine.hpp"

#include <fmt/format.h>
#include <simgrid/s4u.hpp>

#include <cmath>
#include <limits>
#include <mutex>
#include <map>
#include <memory>
#include <queue>
#include <stdexcept>
#include <set>

#include "sim/core/errors.hpp"
#include "sim/engine/plan_runner.hpp"
#include "sim/engine/speed_profiles.hpp"

namespace aidcsim {

namespace sg4 = simgrid::s4u;

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Something that happens once, which actors wait for (an image pull's end, the core's answer to a
// migration).
struct Event {
  bool done = false;
  sg4::MutexPtr mutex = sg4::Mutex::create();
  sg4::ConditionVariablePtr cv = sg4::ConditionVariable::create();
  void wait() {
    std::unique_lock lock(*mutex);
    while (!done) cv->wait(lock);
  }
  void set() {
    std::unique_lock lock(*mutex);
    done = true;
    cv->notify_all();
  }
};
// One image transfer from a registry to a server. Its own actor runs it, so that it completes (and
// the image lands in the cache) even when the job that asked for it is preempted; every job that
// needs it meanwhile waits for its end.
using Pull = Event;

// A migration's actor waits here at the end of pre-copy until the core has paused the VM's job.
struct MigrationGate {
  Event decided;
  bool job_paused = false;
};

class SimGridExecutor final : public Executor {
 public:
  explicit SimGridExecutor(const PlatformHosts& hosts)
      : gpu_hosts_(hosts.gpus), server_hosts_(hosts.servers), storage_hosts_(hosts.storage), mutex_(sg4::Mutex::create()),
        wakeup_(sg4::ConditionVariable::create()) {
    any_host_ = !hosts.servers.empty() ? hosts.servers.front() : hosts.gpus.front();
  }

  void run_activities(JobIndex j, std::uint32_t epoch, const ActivityPlan& plan, const std::vector<ImagePull>& pulls,
                      double isolated_work_s) override {
    std::vector<std::pair<sg4::Host*, ExecStep>> steps;
    for (const auto& e : plan.execs) steps.emplace_back(e.on_gpu ? gpu_hosts_[e.index] : server_hosts_[e.index], e);
    sg4::Host* home = steps.empty() ? any_host_ : steps.front().first;
    std::vector<std::shared_ptr<Pull>> waits;
    for (const auto& p : pulls)
      if (auto pull = start_pull(p)) waits.push_back(std::move(pull));
    ++in_flight_;
    ActiveJob& active = active_[j];
    active.isolated_work_s = isolated_work_s;
    // One short-lived actor per job run; it only waits for SimGrid to finish the job's activities.
    // Stored before it starts: it may run to its end inside start() (a cached image, no delay) and
    // let go of active_[j], which `active` must then no longer be written through.
    sg4::ActorPtr actor = sg4::Actor::init("job", home);
    active.actor = actor;
    CommSchedule schedule;
    if (!prepare_plan(active, plan, steps, schedule, "a training job's collective",
                      "a training job's dataset reads and checkpoint writes"))
      return;
    actor->start([this, j, epoch, delay_s = plan.delay_s, steps = std::move(steps), schedule = std::move(schedule),
                                                    waits = std::move(waits), reports_start = !pulls.empty()]() {
      for (const auto& pull : waits) {
        pull->wait();
      }
      if (delay_s > 0) sg4::this_actor::sleep_for(delay_s);
      ActiveJob& me = active_[j];
      me.work_start_s = sg4::Engine::get_clock();
      if (reports_start && me.isolated_work_s >= 0) {
        // Only the start-up was SimGrid's: the rest is a timer of the core, and the controller can
        // sleep to its next event instead of waiting on this actor.
        double work_s = me.isolated_work_s;
        active_.erase(j);
        --in_flight_;
        core_->work_started_isolated(j, epoch, sg4::Engine::get_clock(), work_s);
        wake_sooner();
        return;
      }
      if (reports_start) {
        core_->work_started(j, epoch, me.work_start_s);
        wake_sooner();  // work_started may have scheduled an event the controller is not waiting for
      }
      if (me.isolated_work_s >= 0) {
        sg4::this_actor::sleep_for(me.isolated_work_s);
        finished_.emplace_back(j, epoch);
        wakeup_->notify_one();
        return;
      }
      if (!me.sequenced) {
        for (const auto& [host, step] : steps) {
          sg4::ExecPtr exec = sg4::Exec::init()->set_host(host)->set_flops_amount(step.flops);
          if (step.bound_flops > 0) exec->set_bound(step.bound_flops);
          exec->start();
          me.execs.push_back(exec);
          me.flops.push_back(step.flops);
        }
        for (auto& exec : me.execs) exec->wait();
      } else {
        run_iterations(me, steps, schedule, comms_started_);
      }
      // No lock: actors run cooperatively, and the controller checks finished_ and starts waiting
      // without a simcall in between, so no wakeup is lost. Taking the mutex here would let a
      // preemption kill this actor while it holds the mutex, and the controller would wait forever.
      finished_.emplace_back(j, epoch);
      wakeup_->notify_one();
    });
  }

  // The plan's phases and their times alone (for the progress of a stopped plan), and its network and
  // storage work resolved to SimGrid hosts and disks. False when a host cannot reach another (recorded
  // as the run's failure; `comms` and `storage` name the work in that message).
  bool prepare_plan(ActiveJob& active, const ActivityPlan& plan, const std::vector<std::pair<sg4::Host*, ExecStep>>& steps,
                    CommSchedule& schedule, const char* comms, const char* storage) {
    active.repeats = std::max<std::uint32_t>(1, plan.repeats);
    active.rounds = static_cast<std::uint32_t>(plan.comm_rounds.size());
    active.read_s = plan.read_alone_s;
    active.compute_parts = plan.compute_parts;
    active.compute_s.clear();
    for (std::uint32_t k = 0; k < plan.computations(); ++k)
      active.compute_s.push_back(exec_alone_s(steps, plan.compute_parts.empty() ? std::vector<double>{} : plan.compute_parts[k]) /
                                 active.repeats);
    active.comm_s = std::max(0.0, plan.comm_alone_s - plan.comm_wait_s) / active.repeats;
    active.wait_s = plan.comm_wait_s / active.repeats;
    active.write_s = plan.checkpoint_writes.empty() ? 0 : plan.write_alone_s;
    for (const auto& round : plan.comm_rounds) {
      auto& out = schedule.rounds.emplace_back();
      for (const auto& c : round)
        if (c.bytes > 0 && !(c.from == c.to)) {
          sg4::Host* from = host_of(c.from);
          sg4::Host* to = host_of(c.to);
          if (!reachable(from, to, comms)) return false;
          out.emplace_back(from, to, c.bytes);
        }
    }
    for (auto [in, out] : {std::pair{&plan.reads, &schedule.reads}, {&plan.checkpoint_writes, &schedule.writes}})
      for (const StorageStep& io : *in) {
        sg4::Host* storage_host = storage_hosts_[io.storage];
        sg4::Host* server = server_hosts_[io.server];
        if (!reachable(storage_host, server, storage)) return false;
        out->push_back({storage_host->get_disks().front(), io.write ? server : storage_host, io.write ? storage_host : server,
                        io.bytes, io.write});
      }
    active.sequenced = !schedule.empty() || plan.compute_parts.size() > 1;
    if (active.sequenced) active.phases = plan.sequence();  // a plain plan is its executions alone
    return true;
  }

  double stop_activities(JobIndex j) override {
    auto it = active_.find(j);
    if (it == active_.end()) return 1;
    ActiveJob& active = it->second;
    double done = active.execs.empty() ? 0 : 1;
    if (active.isolated_work_s >= 0 && active.work_start_s >= 0)
      done = active.isolated_work_s > 0 ? (sg4::Engine::get_clock() - active.work_start_s) / active.isolated_work_s : 1;
    if (active.sequenced && active.work_start_s >= 0 && active.isolated_work_s < 0) done = comm_plan_progress(active);
    else
      for (std::size_t i = 0; i < active.execs.size(); ++i)
        if (active.flops[i] > 0) done = std::min(done, 1 - active.execs[i]->get_remaining() / active.flops[i]);
    cancel(active);
    active_.erase(it);
    --in_flight_;
    return std::clamp(done, 0.0, 1.0);
  }

  // Stops a plan under way. The waiting actor goes before its activities are cancelled: a cancelled
  // activity would wake it with a CancelException, which nothing catches.
  static void cancel(ActiveJob& active) {
    active.actor->kill();
    for (auto& exec : active.execs)
      if (!exec->test()) exec->cancel();
    for (auto& comm : active.comms)
      if (!comm->test()) comm->cancel();
    for (auto& io : active.ios)
      if (!io->test()) io->cancel();
  }

  void migrate(std::size_t id, ServerIndex from, ServerIndex to, const MigrationTransfer& t) override {
    sg4::Host* source = server_hosts_[from];
    sg4::Host* destination = server_hosts_[to];
    if (!reachable(source, destination, "a live migration of a VM")) return;
    ++in_flight_;
    // Pre-copy rounds, each a SimGrid communication: a round resends what the VM dirtied during
    // the previous one, until little is left (or max_rounds); then the stop-and-copy.
    auto gate = std::make_shared<MigrationGate>();
    gates_[id] = gate;
    sg4::Actor::create("vm-migration", source, [this, id, source, destination, t, gate]() {
      auto send = [&](double bytes) {
        if (bytes >= 0.5) send_counted(source, destination, bytes);
        return bytes >= 0.5 ? std::round(bytes) : 0.0;
      };
      double sent = 0, round_bytes = t.memory_bytes;
      for (int round = 1;; ++round) {
        double start_s = sg4::Engine::get_clock();
        sent += send(round_bytes);
        round_bytes = std::min(t.memory_bytes, t.dirty_bytes_per_s * (sg4::Engine::get_clock() - start_s));
        if (round_bytes <= t.stop_bytes || round >= t.max_rounds) break;
      }
      migration_events_.push_back({id, false, 0});
      wakeup_->notify_one();
      // The core says whether a job is paused in the VM: its GPU memory is then copied too.
      gate->decided.wait();
      sent += send(round_bytes + (gate->job_paused ? t.job_state_bytes : 0));
      migration_events_.push_back({id, true, sent});
      wakeup_->notify_one();
    })->set_stacksize(64 * 1024);
  }

  sg4::Host* host_of(HostRef h) const { return h.on_gpu ? gpu_hosts_[h.index] : server_hosts_[h.index]; }

  // A blocking communication of `bytes` (rounded), counted for --engine-stats.
  void send_counted(sg4::Host* from, sg4::Host* to, double bytes) {
    ++comms_started_;
    sg4::Comm::sendto(from, to, static_cast<std::uint64_t>(std::llround(bytes)));
  }

  // Waits until `until_s` or until an activity ends; returns the new time.
  double wait(double until_s) {
    if (in_flight_ == 0) {
      if (std::isinf(until_s)) return sg4::Engine::get_clock();
      sg4::this_actor::sleep_until(until_s);
      return until_s;  // exact, whatever rounding the sleep went through
    }
    std::unique_lock lock(*mutex_);
    sooner_s_ = kInfinity;  // the caller's until_s already counts every event known now
    while (true) {
      if (!finished_.empty() || !migration_events_.empty()) return sg4::Engine::get_clock();
      waiting_until_s_ = until_s;
      if (std::isinf(until_s)) wakeup_->wait(lock);
      else if (wakeup_->wait_until(lock, until_s) == std::cv_status::timeout) return until_s;
      waiting_until_s_ = kInfinity;
      if (sooner_s_ >= until_s) return sg4::Engine::get_clock();
      until_s = sooner_s_;  // an actor scheduled an earlier event: wait for it instead
      sooner_s_ = kInfinity;
    }
  }

  // The core's next event may now be earlier than the time the controller waits for: tell it.
  void wake_sooner() {
    double next_s = std::min(core_->event_queue().next_model_event_s(), core_->event_queue().next_run_end_s());
    if (next_s < waiting_until_s_ && next_s < sooner_s_) {
      sooner_s_ = next_s;
      wakeup_->notify_one();
    }
  }

  void set_core(Core* core) { core_ = core; }

  void transfer(ServerIndex from_server, ServerIndex to_server, double bytes, EventHandler* handler,
                std::uint64_t payload) override {
    sg4::Host* from = server_hosts_[from_server];
    sg4::Host* to = server_hosts_[to_server];
    if (from != to && bytes > 0 && !reachable(from, to, "a transfer between servers")) return;
    ++in_flight_;
    sg4::Actor::create("transfer", to, [this, from, to, bytes, handler, payload]() {
      if (from != to && bytes > 0) send_counted(from, to, bytes);
      --in_flight_;
      core_->event_queue().at(sg4::Engine::get_clock(), handler, payload, true);
      wake_sooner();
    })->set_stacksize(64 * 1024);
  }

  std::uint64_t execute(const ActivityPlan& plan, EventHandler* handler, std::uint64_t payload) override {
    std::uint64_t id = next_execution_++;
    std::vector<std::pair<sg4::Host*, ExecStep>> steps;
    for (const auto& e : plan.execs) steps.emplace_back(e.on_gpu ? gpu_hosts_[e.index] : server_hosts_[e.index], e);
    ++in_flight_;
    ActiveJob& x = executions_[id];
    // Stored before it starts (it may end inside start() when there is nothing to compute).
    sg4::ActorPtr actor = sg4::Actor::init("model-work", steps.empty() ? any_host_ : steps.front().first);
    x.actor = actor;
    CommSchedule schedule;
    if (!prepare_plan(x, plan, steps, schedule, "a model's transfer within a job's run",
                      "a model's storage reads and writes within a job's run"))
      return id;
    actor->start([this, id, steps = std::move(steps), schedule = std::move(schedule), handler, payload]() {
      ActiveJob& me = executions_[id];
      if (me.sequenced) {
        run_iterations(me, steps, schedule, comms_started_);
      } else {
        for (const auto& [host, step] : steps) {
          sg4::ExecPtr exec = sg4::Exec::init()->set_host(host)->set_flops_amount(step.flops);
          if (step.bound_flops > 0) exec->set_bound(step.bound_flops);
          exec->start();
          me.execs.push_back(exec);
        }
        for (auto& exec : me.execs) exec->wait();
      }
      executions_.erase(id);
      --in_flight_;
      core_->event_queue().at(sg4::Engine::get_clock(), handler, payload, true);
      wake_sooner();
    });
    return id;
  }

  void cancel_execution(std::uint64_t id) override {
    auto it = executions_.find(id);
    if (it == executions_.end()) return;
    cancel(it->second);
    executions_.erase(it);
    --in_flight_;
  }

  // The transfer of `p` to its server, shared with any other job waiting for the same image there.
  std::shared_ptr<Pull> start_pull(const ImagePull& p) {
    auto key = std::make_pair(p.server, p.image);
    auto it = pulls_.find(key);
    if (it != pulls_.end()) return it->second;
    if (p.bytes <= 0) return nullptr;  // cached, and no transfer of it under way
    sg4::Host* from = registry_host(p.registry);
    sg4::Host* to = server_hosts_[p.server];
    if (from != to && !reachable(from, to, "an image pull from the registry")) return nullptr;
    auto pull = std::make_shared<Pull>();
    pulls_.emplace(key, pull);
    sg4::Actor::create("image-pull", to, [this, pull, key, from, to, bytes = p.bytes]() {
      if (from != to) send_counted(from, to, bytes);
      pull->set();
      pulls_.erase(key);
    })->set_stacksize(64 * 1024);
    return pull;
  }
  sg4::Host* registry_host(const std::string& name) {
    auto [it, inserted] = registries_.try_emplace(name, nullptr);
    if (inserted) it->second = sg4::Host::by_name(name);
    return it->second;
  }

  // Whether SimGrid can send from a to b (it aborts the process when it cannot). A platform without
  // the path is an input error: recorded here, reported by run_simulation() once the engine stops.
  bool reachable(sg4::Host* a, sg4::Host* b, const char* what) {
    auto [it, inserted] = reachable_.try_emplace({a, b}, true);
    if (inserted) {
      std::vector<sg4::Link*> links;
      double latency = 0;
      a->route_to(b, links, &latency);
      it->second = !links.empty() || latency > 0;  // SimGrid's own test (network_cm02.cpp)
    }
    if (!it->second && failure_.empty())
      failure_ = fmt::format("no network path from host '{}' to host '{}', which {} needs; add a route between them",
                             a->get_name(), b->get_name(), what);
    return it->second;
  }
  const std::string& failure() const { return failure_; }

  bool in_flight() const { return in_flight_ > 0; }
  long long comms_started() const { return comms_started_; }

  // Everything due at `now`: activities that ended, then the core's own events (run ends on
  // timers, model events; sim/core/events.hpp), then migrations' steps.
  void finish_due(Core& core, double now) {
    // Actors are scheduled cooperatively: nothing else runs while the controller does, so the
    // list needs no lock (a SimGrid mutex costs a simcall, on every event).
    std::vector<std::pair<JobIndex, std::uint32_t>> done;
    done.swap(finished_);
    for (auto [j, epoch] : done) {
      auto it = active_.find(j);
      if (it != active_.end()) {
        active_.erase(it);
        --in_flight_;
      }
      core.finish(j, epoch, now);
    }
    core.handle_due_events(now);
    std::vector<MigrationEvent> migrations;
    migrations.swap(migration_events_);
    for (const auto& e : migrations) {
      if (!e.done) {
        bool job_paused = core.migration_paused(e.id, now);
        MigrationGate& gate = *gates_[e.id];
        gate.job_paused = job_paused;
        gate.decided.set();
        continue;
      }
      gates_.erase(e.id);
      --in_flight_;
      core.migration_done(e.id, now, e.bytes);
    }
  }

 private:
  std::vector<sg4::Host*> gpu_hosts_;
  std::vector<sg4::Host*> server_hosts_;
  std::vector<sg4::Host*> storage_hosts_;
  sg4::Host* any_host_ = nullptr;
  sg4::MutexPtr mutex_;
  sg4::ConditionVariablePtr wakeup_;
  double waiting_until_s_ = kInfinity;  // the controller's wait, while it waits
  double sooner_s_ = kInfinity;         // an earlier time an actor asked it to wake at
  Core* core_ = nullptr;
  std::map<std::pair<ServerIndex, std::string>, std::shared_ptr<Pull>> pulls_;  // under way
  std::map<std::string, sg4::Host*> registries_;  // registry hosts by id, resolved once
  std::map<std::pair<sg4::Host*, sg4::Host*>, bool> reachable_;
  std::string failure_;  // an input error found during the run (no network path)
  std::vector<std::pair<JobIndex, std::uint32_t>> finished_;
  struct MigrationEvent {
    std::size_t id;
    bool done;     // else: pre-copy over, the VM pauses
    double bytes;  // sent in all, when done
  };
  std::vector<MigrationEvent> migration_events_;  // filled by migration actors, like finished_
  std::map<std::size_t, std::shared_ptr<MigrationGate>> gates_;  // of migrations under way
  std::map<JobIndex, ActiveJob> active_;
  std::map<std::uint64_t, ActiveJob> executions_;  // models' work under way (execute), by handle
  std::uint64_t next_execution_ = 0;
  std::size_t in_flight_ = 0;
  long long comms_started_ = 0;  // SimGrid communications (this libsimgrid exports no Comm::on_start)
};

}  // namespace

EngineResult run_simulation(sg4::Engine& engine, const PlatformHosts& hosts, Core& core,
                            const EngineOptions& options) {
  EngineResult result;
  if (core.jobs().empty() || (hosts.servers.empty() && hosts.gpus.empty())) return result;
  SimGridExecutor executor(hosts);
  core.set_executor(&executor);
  apply_speed_profiles(hosts, core.cluster().slowdowns);
  // Counted through SimGrid's own signals (connected for the process's one engine and run).
  auto counts = std::make_shared<std::pair<long long, long long>>(0, 0);
  sg4::Exec::on_start_cb([counts](const sg4::Exec&) { ++counts->first; });
  sg4::Engine::on_time_advance_cb([counts](double) { ++counts->second; });
  executor.set_core(&core);
  sg4::Host* controller_host = !hosts.servers.empty() ? hosts.servers.front() : hosts.gpus.front();

  bool closed = false;
  sg4::Actor::create("aidcsim-core", controller_host, [&]() {
    const double horizon_s = options.horizon_s.value_or(kInfinity);
    double next_sample_s = core.next_arrival_s();
    long long iterations = 0;
    double now = next_sample_s;
    while (true) {
      if (options.stop_requested && options.stop_requested()) {
        result.interrupted = true;
        break;
      }
      // Queued jobs with nothing running still have a future when a wake-up is due (an idle VM
      // that will free its resources, a scheduler's timer).
      EventQueue& events = core.event_queue();
      bool work_left = !core.all_arrived() || events.keeps_alive() || executor.in_flight() ||
                       (core.queued_count() > 0 && std::isfinite(events.next_wakeup_s(now)));
      double next_s = std::min({core.next_arrival_s(), events.next_run_end_s(), events.next_model_event_s(),
                                events.next_wakeup_s(now), work_left ? next_sample_s : kInfinity});
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
      if (!executor.failure().empty()) break;
      if (now >= next_sample_s) {
        std::vector<Sample> samples;
        core.sample(now, samples);
        if (options.on_samples) options.on_samples(now, samples);
        next_sample_s += options.monitoring_interval_s * std::max(1.0, std::floor((now - next_sample_s) / options.monitoring_interval_s) + 1);
        if (++result.samples >= options.max_samples) {
          result.sampling_stopped_s = now;
          next_sample_s = kInfinity;
        }
      }
      if (options.on_progress && (++iterations & 0xFFF) == 0) options.on_progress(now);
    }
    result.end_s = now;
    core.close(now, result.hit_horizon ? "still queued or running at the horizon" : "never started");
    closed = true;
    sg4::Actor::kill_all();
  });
  engine.run();
  // SimGrid returns from run() when it detects a deadlock, with the controller still blocked: that
  // is a failure of the run, never a result.
  if (!executor.failure().empty())
    throw InputErrors({{core.cluster().platform_file, 0, "", executor.failure()}});
  if (!closed) throw std::runtime_error("SimGrid stopped before the simulation ended (deadlock among actors)");
  result.simgrid_activities = counts->first + executor.comms_started();
  result.simgrid_steps = counts->second;
  return result;
}

}  // namespace aidcsim
