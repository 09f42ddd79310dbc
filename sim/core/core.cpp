#include "sim/core/core.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "sim/core/errors.hpp"
#include "sim/core/job_request.hpp"
#include "sim/core/slots.hpp"

namespace aidcsim {

Core::Core(const Cluster& cluster, std::vector<JobSpec> jobs, Policies policies, CoreOptions options)
    : cluster_(cluster), jobs_(std::move(jobs)), policies_(std::move(policies)), options_(options), ledger_(cluster) {
  auto by_submit = [](const JobSpec& a, const JobSpec& b) { return a.submit_s < b.submit_s; };
  if (!std::is_sorted(jobs_.begin(), jobs_.end(), by_submit)) std::stable_sort(jobs_.begin(), jobs_.end(), by_submit);
  runs_.resize(jobs_.size());
  std::map<std::string, TenantIndex> tenant_index;
  for (const auto& j : jobs_) tenant_index.emplace(j.tenant, 0);
  for (auto& [name, index] : tenant_index) {
    index = static_cast<TenantIndex>(tenant_names_.size());
    tenant_names_.push_back(name);
  }
  tenant_allocated_gpus_.assign(tenant_names_.size(), 0);
  for (std::size_t j = 0; j < jobs_.size(); ++j) runs_[j].tenant = tenant_index[jobs_[j].tenant];
  last_change_s_ = first_submit_s();
  allocated_gpu_seconds_by_model_.assign(cluster_.gpu_models.size(), 0);
  jobs_on_gpu_.assign(cluster_.gpus.size(), 0);
}

void Core::take_live(JobIndex j) {
  const std::uint32_t slot = take_slot(live_, free_live_);
  runs_[j].live = slot;
  std::string reason;
  live_[slot].request = job_request(jobs_[j], cluster_, options_.exclusive_gpus, policies_.gpu_sharing.get(),
                                    policies_.runtime.get(), reason);
  runs_[j].reason = reasons_.intern(reason);
}

void Core::end_live(JobIndex j) {
  const Allocation& a = live(j).allocation;
  if (!a.gpus.empty() || !a.servers.empty()) {
    runs_[j].final_hosts = static_cast<std::uint32_t>(final_hosts_.size());
    const bool servers = a.gpus.empty();
    const auto count = static_cast<std::uint32_t>(servers ? a.servers.size() : a.gpus.size());
    final_hosts_.push_back(count | (servers ? 1u << 31 : 0u));
    final_hosts_.push_back(servers ? 0u : static_cast<std::uint32_t>(a.gpus.front().milli));
    if (servers)
      for (const auto& s : a.servers) final_hosts_.push_back(s.server);
    else
      for (const auto& g : a.gpus) final_hosts_.push_back(g.gpu);
  }
  ended_live_.push_back(j);
}

Core::FinalHosts Core::final_hosts(JobIndex j) const {
  const std::uint32_t at = runs_[j].final_hosts;
  if (at == JobRun::kNoSlot) return {};
  const std::uint32_t head = final_hosts_[at];
  const bool servers = (head >> 31) != 0;
  return {servers, servers ? -1 : static_cast<int>(final_hosts_[at + 1]), &final_hosts_[at + 2], head & ~(1u << 31)};
}

const Request& Core::request(JobIndex j) const {
  if (runs_[j].live == JobRun::kNoSlot)
    throw std::logic_error(fmt::format("the request of job {}, which is {}", jobs_[j].job_id,
                                       next_arrival_ <= j ? "not yet submitted" : "over"));
  return live_[runs_[j].live].request;
}

void Core::handle_due_events(double now) {
  advance_to(now);  // model events (a quota policy's retry) read now()
  event_queue_.pop_due(now, [&](JobIndex j, std::uint32_t epoch, double end_s) { finish(j, epoch, end_s); });
}

double Core::next_arrival_s() const {
  return next_arrival_ < jobs_.size() ? jobs_[next_arrival_].submit_s : std::numeric_limits<double>::infinity();
}

void Core::advance_to(double now) {
  if (now > now_ && !ended_live_.empty()) {  // what ended at an earlier instant lets its slot go
    for (JobIndex j : ended_live_) {
      free_live_.push_back(runs_[j].live);
      runs_[j].live = JobRun::kNoSlot;
    }
    ended_live_.clear();
  }
  if (now > last_change_s_) {
    double dt = now - last_change_s_;
    allocated_gpu_seconds_ += ledger_.allocated_gpus() * dt;
    for (std::size_t m = 0; m < allocated_gpu_seconds_by_model_.size(); ++m)
      allocated_gpu_seconds_by_model_[m] += ledger_.allocated_gpus_of_model(static_cast<int>(m)) * dt;
    last_change_s_ = now;
  }
  now_ = now;
}

void Core::admit_arrivals(double now) {
  advance_to(now);
  while (next_arrival_ < jobs_.size() && jobs_[next_arrival_].submit_s <= now) {
    auto j = static_cast<JobIndex>(next_arrival_++);
    ++events_;
    JobRun& run = runs_[j];
    take_live(j);
    if (run.reason == TextTable::kEmpty) {
      const Request& request = live(j).request;
      auto [it, inserted] = never_fits_cache_.try_emplace(request.shape_key());
      if (inserted) it->second = never_fits_reason(cluster_, request, policies_.placement->multi_gpu());
      run.reason = reasons_.intern(it->second);
    }
    if (run.reason != TextTable::kEmpty) {
      run.state = JobState::rejected;
      end_live(j);
      continue;
    }
    if (jobs_[j].held) {
      run.held = true;  // until its model releases it
      continue;
    }
    enqueue(j);
  }
}

void Core::enqueue(JobIndex j) {
  if (policies_.quota) {
    runs_[j].awaiting_quota = true;
    policies_.quota->submitted(j, *this);
  } else {
    insert_pending(j);
  }
}

void Core::insert_pending(JobIndex j) {
  // The scheduler sees pending jobs in arrival order (job indices follow submission); a job that is
  // not a new arrival at the tail reshuffles what schedulers mirror.
  queue_.insert(std::upper_bound(queue_.begin(), queue_.end(), j), j);
  if (j < next_unseen_in_queue_) ++pending_reshuffles_;
  else next_unseen_in_queue_ = j + 1;
}

void Core::release(JobIndex j, double now) {
  JobRun& run = runs_[j];
  if (in_pass_ || run.state != JobState::pending || !run.held)
    throw std::logic_error(fmt::format("release of job {}, which is not held", jobs_[j].job_id));
  advance_to(now);
  run.held = false;
  ++events_;
  enqueue(j);
}

void Core::park(JobIndex j, double now) {
  JobRun& run = runs_[j];
  if (in_pass_ || run.held || run.awaiting_quota ||
      (run.state != JobState::running && run.state != JobState::pending))
    throw std::logic_error(fmt::format("park of job {} while {}", jobs_[j].job_id, to_string(run.state)));
  advance_to(now);
  if (run.state == JobState::running) {
    stop_run(j, 0);
    remove_from_running(j);
  } else {
    queue_.erase(std::find(queue_.begin(), queue_.end(), j));
    ++pending_reshuffles_;
  }
  run.held = true;
}

void Core::complete_held(JobIndex j, double end_s) {
  JobRun& run = runs_[j];
  if (!run.held || run.state != JobState::pending || std::isnan(run.start_s) || end_s < run.start_s)
    throw std::logic_error(fmt::format("complete_held of job {}, which is not a held job that ran", jobs_[j].job_id));
  run.held = false;
  run.state = JobState::completed;
  run.done_fraction = 1;
  run.end_s = end_s;
  end_live(j);
  last_completion_s_ = std::max(last_completion_s_, end_s);
  ++events_;
}

static double allocated_gpus(const Allocation& a) {
  double gpus = 0;
  for (const auto& g : a.gpus) gpus += g.milli / 1000.0;
  return gpus;
}

JobStatus Core::status(JobIndex j) const {
  const JobRun& r = runs_[j];
  const LiveRun* lv = live_run(j);
  bool running = r.state == JobState::running;
  double current_gpu_s = running ? allocated_gpus(lv->allocation) * (now_ - lv->run_started_s) : 0;
  return {r.state,
          r.start_s,
          running ? lv->run_started_s : kNoTime,
          running ? lv->run_started_s + lv->run_delay_s + lv->run_work_s : kNoTime,
          r.attained_gpu_s + current_gpu_s,
          r.done_fraction,
          r.preemptions,
          lv ? &lv->request : nullptr,
          lv ? &lv->allocation : &no_allocation_};
}

bool Core::would_fit(const Request& r, const Ledger& ledger) { return place(r, ledger).has_value(); }

std::optional<Allocation> Core::propose(const Request& r, const Ledger& ledger) { return place(r, ledger); }

bool Core::try_start(JobIndex j) {
  JobRun& run = runs_[j];
  // Schedulers that keep their own lists may still hold a job the quota policy took back.
  if (run.state != JobState::pending || run.awaiting_quota) return false;
  // A job preempted in this pass waits for the next one (it is already on its way back to the queue).
  if (in_pass_ && !requeued_.empty() && std::find(requeued_.begin(), requeued_.end(), j) != requeued_.end())
    return false;
  Runtime* runtime = policies_.runtime.get();
  // A runtime may already hold resources for the job's tenant (an idle VM): no placement then.
  std::optional<Allocation> proposal;
  if (runtime) proposal = runtime->reuse(j, jobs_[j], now_);
  const bool reused = proposal.has_value();
  LiveRun& lv = live(j);
  if (!reused) proposal = place(lv.request, ledger_);
  if (!proposal) return false;
  GpuSharing* sharing = policies_.gpu_sharing.get();
  if (sharing && !reused) {
    std::optional<Allocation> bound = sharing->bind(j, jobs_[j], *proposal, cluster_);
    if (!bound && !proposal->gpus.empty()) {
      // The mode cannot honour these GPUs (e.g. no free MIG instance of the job's profile): ask the
      // placement again with the GPUs tried so far shown as full.
      Ledger masked = ledger_;
      while (!bound && proposal) {
        Allocation full;
        for (const auto& g : proposal->gpus)
          if (masked.free_milli(g.gpu) > 0) full.gpus.push_back({g.gpu, masked.free_milli(g.gpu)});
        if (full.gpus.empty()) break;
        masked.apply(full);
        proposal = place(lv.request, masked);
        if (proposal) bound = sharing->bind(j, jobs_[j], *proposal, cluster_);
      }
    }
    if (!bound) return false;
    proposal = std::move(bound);
  }
  if (!reused) {
    if (std::string why = ledger_.check(*proposal); !why.empty())
      throw std::logic_error(fmt::format("placement proposed an allocation that does not fit for job {}: {}",
                                         jobs_[j].job_id, why));
    ledger_.apply(*proposal);
  }
  lv.allocation = std::move(*proposal);
  const Allocation& allocation = lv.allocation;
  policies_.placement->on_applied(lv.request, allocation);
  run.state = JobState::running;
  if (std::isnan(run.start_s)) run.start_s = now_;
  lv.run_started_s = now_;
  tenant_allocated_gpus_[run.tenant] += allocated_gpus(allocation);
  if (in_pass_) started_in_pass_list_.push_back(j);
  else {
    run.running_slot = static_cast<std::uint32_t>(running_list_.size());
    running_list_.push_back(j);
  }
  started_in_pass_ = true;

  ActivityPlan plan = rest_plan(j);
  lv.unit_share = plan.work_units >= 1 ? 1 / plan.work_units : 0;
  double left = 1 - run.done_fraction;
  auto work_time_s = [&](const ActivityPlan& p) { return plan_work_time_s(j, p, left); };
  Startup startup;
  if (runtime) {
    startup = runtime->startup(j, jobs_[j], allocation, now_);
    plan.delay_s += startup.delay_s;
  }
  for (StartupContributor* c : options_.startup_contributors) {
    Startup more;
    c->add_startup(j, allocation, more);
    startup.pulls.insert(startup.pulls.end(), more.pulls.begin(), more.pulls.end());
    plan.delay_s += more.delay_s;
  }
  if (sharing) plan.delay_s += sharing->bind_delay_s(j);
  // Powered-off servers of the allocation boot first (docs/energy.md).
  if (options_.availability) plan.delay_s += options_.availability->bring_up(allocation, now_);
  lv.run_alone_work_s = work_time_s(plan);  // with the requested share and nothing else
  adjust_for_co_runners(j, plan, 0);
  for (const auto& g : allocation.gpus) ++jobs_on_gpu_[g.gpu];
  double work_s = work_time_s(plan);
  plan.delay_s += run.restart_penalty_s;
  run.restart_penalty_s = 0;
  lv.run_delay_s = plan.delay_s;
  lv.run_work_s = work_s;
  // Nothing is shared when GPUs are exclusive and no step is capped: the end is known exactly
  // (with the trace model, duration_s after the start: the replay rule).
  const bool isolated = run_isolated(j, plan);
  // Image pulls share the network: their end is SimGrid's to tell, so such a run is never a timer.
  lv.run_on_timer = isolated && startup.pulls.empty();
  lv.run_startup_s = startup.pulls.empty() ? plan.delay_s : kNoTime;
  // The work's load counts from its start (after pulls: work_started() tells).
  publish([&](LifecycleObserver& o) { o.work_planned(j, plan, now_ + lv.run_startup_s, now_); });
  publish([&](LifecycleObserver& o) { o.servers_changed(allocation, ledger_, now_); });
  if (lv.run_on_timer) event_queue_.run_end_at(now_ + plan.delay_s + work_s, j, run.epoch);
  else executor_->run_activities(j, run.epoch, plan, startup.pulls, isolated ? work_s : -1);
  return true;
}

ActivityPlan Core::rest_plan(JobIndex j) const {
  if (jobs_[j].work_by_model) return {};  // the run holds its resources; the model runs the work (run_model_work)
  const JobRun& run = runs_[j];
  // The workload model sizes the work for the job's compute share of each GPU (the ledger may hold
  // another amount: MPS oversubscription, time-slicing memory, a MIG instance).
  Allocation compute = live(j).allocation;
  if (policies_.gpu_sharing)
    for (auto& g : compute.gpus) g.milli = policies_.gpu_sharing->compute_milli(jobs_[j]);
  ActivityPlan plan = policies_.workload_model->plan(jobs_[j], compute, cluster_);
  const double left = 1 - run.done_fraction;
  for (auto& e : plan.execs) e.flops *= left;
  if (plan.sequenced() && left < 1) {
    for (auto& round : plan.comm_rounds)
      for (auto& c : round) c.bytes *= left;
    plan.comm_wait_s *= left;
    plan.comm_alone_s *= left;
    for (auto& read : plan.reads) read.bytes *= left;
    // With checkpoint segments the rest starts at a segment's start (a failure or preemption keeps
    // whole ones): fewer repeats, each reading its share and writing a whole checkpoint as before.
    plan.repeats = std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::llround(plan.repeats * left)));
  }
  // The runtime's overheads (a VM's) come before the sharing baseline: slowdown_sharing shows sharing only.
  if (policies_.runtime) policies_.runtime->adjust(jobs_[j], plan, cluster_);
  return plan;
}

void Core::adjust_for_co_runners(JobIndex j, ActivityPlan& plan, int counted_self) {
  GpuSharing* sharing = policies_.gpu_sharing.get();
  if (!sharing) return;
  std::vector<int> co_runners(plan.execs.size(), 0);
  for (std::size_t i = 0; i < plan.execs.size(); ++i)
    if (plan.execs[i].on_gpu) co_runners[i] = jobs_on_gpu_[plan.execs[i].index] - counted_self;
  sharing->adjust(j, jobs_[j], plan, cluster_, co_runners);
}

double Core::plan_work_time_s(JobIndex j, const ActivityPlan& p, double left) const {
  if (p.execs.empty()) return jobs_[j].duration_s * left;
  // A communicating plan (the iterations model): its collectives' time alone follows the compute
  // (each repeat's compute is the same share of every GPU's, so the slowest GPU's total is exact).
  const double comm_s = p.has_comms() ? p.comm_alone_s + p.storage_alone_s() : 0;
  // Several computations follow each other: each lasts its slowest execution's part.
  double t = 0;
  for (std::uint32_t k = 0; k < p.computations(); ++k) {
    double computation_s = 0;
    for (std::size_t i = 0; i < p.execs.size(); ++i) {
      const ExecStep& e = p.execs[i];
      double speed = e.on_gpu ? cluster_.gpus[e.index].speed_flops : cluster_.servers[e.index].core_speed_flops;
      if (e.bound_flops > 0) speed = std::min(speed, e.bound_flops);
      computation_s = std::max(computation_s, e.flops * p.part(k, i) / speed);
    }
    t += computation_s;
  }
  return t + comm_s;
}

bool Core::plan_is_isolated(const ActivityPlan& plan) const {
  // Several computations run phase by phase, each at its slowest part (plan_runner.cpp).
  if (options_.always_activities || plan.compute_parts.size() > 1) return false;
  // A straggler's speed changes during the run: SimGrid's speed profile prices that.
  if (!cluster_.slowdowns.empty())
    for (const auto& e : plan.execs)
      if (cluster_.slowed({e.on_gpu, e.index})) return false;
  // Collectives share nothing only among exclusive GPUs of one server (their own NVLink or PCIe
  // links), priced exactly (CM02 without cross-traffic), and aggregated (per-iteration execution is
  // the reference for aggregation: SimGrid's).
  if (plan.has_comms()) {
    if (!options_.exclusive_gpus || plan.repeats > 1 || !cluster_.routes || !cluster_.routes->exact() ||
        !plan.reads.empty() || !plan.checkpoint_writes.empty())  // the storage host is everyone's
      return false;
    for (const auto& round : plan.comm_rounds)
      for (const auto& c : round)
        if (!c.from.on_gpu || !c.to.on_gpu || cluster_.gpus[c.from.index].server != cluster_.gpus[c.to.index].server)
          return false;
  }
  if (policies_.gpu_sharing) return policies_.gpu_sharing->isolated(plan);
  return options_.exclusive_gpus &&
         std::all_of(plan.execs.begin(), plan.execs.end(), [](const ExecStep& e) { return e.bound_flops == 0; });
}

void Core::remove_from_running(JobIndex j) {
  std::uint32_t slot = runs_[j].running_slot;
  JobIndex last = running_list_.back();
  running_list_[slot] = last;
  runs_[last].running_slot = slot;
  running_list_.pop_back();
}

void Core::work_started(JobIndex j, std::uint32_t epoch, double now) {
  JobRun& run = runs_[j];
  if (epoch != run.epoch || run.state != JobState::running) return;
  publish([&](LifecycleObserver& o) { o.work_started(j, now); });
  LiveRun& lv = live(j);
  lv.run_startup_s = now - lv.run_started_s;
  lv.run_delay_s = lv.run_startup_s;  // the expected end (status()) counts from here
}

void Core::work_started_isolated(JobIndex j, std::uint32_t epoch, double now, double work_s) {
  JobRun& run = runs_[j];
  if (epoch != run.epoch || run.state != JobState::running) return;
  work_started(j, epoch, now);
  live(j).run_on_timer = true;  // nothing is shared any more: the end is known
  event_queue_.run_end_at(now + work_s, j, epoch);
}

// Start-up time of the current run up to `now`; a start-up still under way (a pull) when the run
// stops makes all of the run so far start-up.
static double current_startup_s(const LiveRun& run, double now) {
  double so_far = now - run.run_started_s;
  return std::isnan(run.run_startup_s) ? so_far : std::min(run.run_startup_s, so_far);
}

void Core::end_run(JobIndex j, RunEnd how) {
  JobRun& run = runs_[j];
  if (jobs_[j].work_by_model) cancel_model_work(j);
  // A runtime may keep holding the resources (an idle VM waiting for its tenant's next job).
  LiveRun& lv = live(j);
  const Allocation& allocation = lv.allocation;
  bool kept = policies_.runtime && policies_.runtime->on_run_end(j, jobs_[j], allocation, now_);
  if (!kept) ledger_.release(allocation);
  run.startup_s += current_startup_s(lv, now_);
  lv.run_startup_s = kNoTime;
  policies_.placement->on_released(lv.request, allocation);
  if (policies_.gpu_sharing) policies_.gpu_sharing->unbind(j);
  for (const auto& g : allocation.gpus) --jobs_on_gpu_[g.gpu];
  double gpus = allocated_gpus(allocation);
  tenant_allocated_gpus_[run.tenant] -= gpus;
  run.run_s += now_ - lv.run_started_s;
  run.attained_gpu_s += gpus * (now_ - lv.run_started_s);
  lv.run_started_s = kNoTime;
  policies_.scheduler->on_run_end(j);
  publish([&](LifecycleObserver& o) { o.run_ended(j, how, now_); });
  publish([&](LifecycleObserver& o) { o.servers_changed(allocation, ledger_, now_); });
}

void Core::finish(JobIndex j, std::uint32_t epoch, double now) {
  JobRun& run = runs_[j];
  if (epoch != run.epoch) return;  // the run this completion belongs to was preempted
  advance_to(now);
  ++events_;
  if (run.state != JobState::running)
    throw std::logic_error(fmt::format("job {} finished while {}", jobs_[j].job_id, to_string(run.state)));
  run.alone_s += live(j).run_delay_s + live(j).run_alone_work_s;
  mark_completed(j, now);
}

void Core::mark_completed(JobIndex j, double now) {
  JobRun& run = runs_[j];
  end_run(j, RunEnd::completed);
  remove_from_running(j);
  run.done_fraction = 1;
  run.state = JobState::completed;
  run.end_s = now;
  last_completion_s_ = now;
  end_live(j);
  if (policies_.quota) policies_.quota->completed(j, *this);
}

void Core::complete_now(JobIndex j, double now) {
  JobRun& run = runs_[j];
  if (run.state != JobState::running) throw std::logic_error(fmt::format("complete_now of job {} while {}", jobs_[j].job_id, to_string(run.state)));
  advance_to(now);
  LiveRun& lv = live(j);
  if (lv.paused) lv.paused = false;
  else if (lv.run_on_timer) event_queue_.cancel_run_end(j, run.epoch);
  else executor_->stop_activities(j);
  run.alone_s += now - lv.run_started_s;
  ++run.epoch;
  ++events_;
  mark_completed(j, now);
}

void Core::preempt(JobIndex j, double restart_cost_s) {
  if (runs_[j].state != JobState::running)
    throw std::logic_error(fmt::format("preempt of job {} while {}", jobs_[j].job_id, to_string(runs_[j].state)));
  stop_run(j, restart_cost_s);
  if (in_pass_) {
    preempted_in_pass_ = true;
    requeued_.push_back(j);
  } else {
    remove_from_running(j);
    insert_pending(j);
  }
}

void Core::stop_run(JobIndex j, double restart_cost_s, bool crash) {
  JobRun& run = runs_[j];
  LiveRun& lv = live(j);
  double fraction_of_run;
  if (lv.paused) {
    fraction_of_run = 0;  // its VM is in a migration's stop-and-copy: nothing runs
    lv.paused = false;
  } else if (lv.run_on_timer) {
    event_queue_.cancel_run_end(j, run.epoch);
    double worked_s = std::max(0.0, now_ - lv.run_started_s - lv.run_delay_s);
    fraction_of_run = lv.run_work_s > 0 ? std::min(1.0, worked_s / lv.run_work_s) : 1;
  } else {
    fraction_of_run = executor_->stop_activities(j);
  }
  run.alone_s += std::min(lv.run_delay_s, now_ - lv.run_started_s) + fraction_of_run * lv.run_alone_work_s;
  const double done_before = run.done_fraction;
  const double run_alone_work_s = lv.run_alone_work_s;
  double done = run.done_fraction + (1 - run.done_fraction) * fraction_of_run;
  const double reached = done;
  // Work since the last checkpoint is lost (the state saved when the run started counts as one); a
  // crash without checkpoints loses the whole run, a graceful preemption without them only the unit
  // of work under way (an iteration; nothing for a model that counts no units).
  if (double step = policies_.workload_model->checkpoint_step(jobs_[j]); step > 0)
    done = std::max(done_before, std::floor(done / step + 1e-9) * step);
  else if (crash)
    done = done_before;
  else if (lv.unit_share > 0)
    done = std::max(done_before, std::floor(done / lv.unit_share + 1e-9) * lv.unit_share);
  run.done_fraction = std::clamp(done, 0.0, 1.0);
  // The lost work in seconds alone on its resources: this run's alone work covered 1 - done_before of the plan.
  last_lost_work_s_ = done_before < 1 ? std::max(0.0, reached - run.done_fraction) * run_alone_work_s / (1 - done_before) : 0;
  end_run(j, RunEnd::preempted);
  lv.allocation = {};
  run.state = JobState::pending;
  ++run.preemptions;
  ++run.epoch;
  run.restart_penalty_s = restart_cost_s;
  ++events_;
}

void Core::schedule(double now) {
  advance_to(now);
  if (Runtime* runtime = policies_.runtime.get()) {
    for (const Allocation& a : runtime->expire(now)) {
      ledger_.release(a);
      publish([&](LifecycleObserver& o) { o.servers_changed(a, ledger_, now); });
    }
    if (double t = runtime->next_expiry_s(); t > now) event_queue_.wake_at(t);
  }
  if (policies_.quota) policies_.quota->admit(*this);
  if (queue_.empty()) {
    start_migrations();
    return;
  }
  started_in_pass_ = false;
  preempted_in_pass_ = false;
  in_pass_ = true;
  policies_.scheduler->schedule(*this);
  in_pass_ = false;
  if (preempted_in_pass_) {
    // Rebuild the running list: preempted jobs leave it, and slots are renumbered.
    running_list_.erase(std::remove_if(running_list_.begin(), running_list_.end(),
                                       [&](JobIndex j) { return runs_[j].state != JobState::running; }),
                        running_list_.end());
    for (std::size_t i = 0; i < running_list_.size(); ++i) runs_[running_list_[i]].running_slot = static_cast<std::uint32_t>(i);
  }
  for (JobIndex j : started_in_pass_list_) {
    runs_[j].running_slot = static_cast<std::uint32_t>(running_list_.size());
    running_list_.push_back(j);
  }
  started_in_pass_list_.clear();
  if (started_in_pass_)
    queue_.erase(std::remove_if(queue_.begin(), queue_.end(), [&](JobIndex j) { return runs_[j].state != JobState::pending; }),
                 queue_.end());
  if (!requeued_.empty()) {
    // Back in arrival order: job indices follow submission order.
    std::sort(requeued_.begin(), requeued_.end());
    std::vector<JobIndex> merged;
    merged.reserve(queue_.size() + requeued_.size());
    std::merge(queue_.begin(), queue_.end(), requeued_.begin(), requeued_.end(), std::back_inserter(merged));
    queue_.swap(merged);
    requeued_.clear();
  }
  start_migrations();  // on what the pass left free
}

// The running jobs with a GPU or a share of server s, in index order.
static std::vector<JobIndex> running_on(ServerIndex s, const std::vector<JobIndex>& running, const Core& core,
                                        const Cluster& cluster) {
  std::vector<JobIndex> on_s;
  for (JobIndex j : running) {
    const Allocation& a = core.allocation(j);
    if (std::any_of(a.gpus.begin(), a.gpus.end(), [&](const GpuShare& g) { return cluster.gpus[g.gpu].server == s; }) ||
        std::any_of(a.servers.begin(), a.servers.end(), [&](const ServerShare& v) { return v.server == s; }))
      on_s.push_back(j);
  }
  std::sort(on_s.begin(), on_s.end());
  return on_s;
}

void Core::set_server_available(ServerIndex s, bool available, double now) {
  advance_to(now);
  if (withdrawn_.empty()) withdrawn_.assign(cluster_.servers.size(), 0);
  withdrawn_[s] = !available;
  apply_availability(s, now);
}

void Core::repair_server(ServerIndex s, double now) {
  advance_to(now);
  if (failed_.empty()) return;
  failed_[s] = 0;
  apply_availability(s, now);
}

void Core::apply_availability(ServerIndex s, double now) {
  const bool available = (withdrawn_.empty() || !withdrawn_[s]) && (failed_.empty() || !failed_[s]);
  if (available == ledger_.server_available(s)) return;
  if (!available) {
    for (JobIndex j : running_on(s, running_list_, *this, cluster_)) preempt(j, 0);
  }
  ledger_.set_server_available(s, available);
  publish([&](LifecycleObserver& o) { o.server_availability_changed(s, available, now); });
}

std::vector<std::pair<JobIndex, double>> Core::fail_server(ServerIndex s, double now, double restart_cost_s) {
  advance_to(now);
  if (in_pass_) throw std::logic_error("a server failed during a scheduling pass");
  if (failed_.empty()) failed_.assign(cluster_.servers.size(), 0);
  failed_[s] = 1;
  std::vector<std::pair<JobIndex, double>> hit;
  if (!ledger_.server_available(s)) return hit;
  for (JobIndex j : running_on(s, running_list_, *this, cluster_)) hit.emplace_back(j, 0);
  for (auto& [j, lost_s] : hit) {
    stop_run(j, restart_cost_s, true);
    lost_s = last_lost_work_s_;
    remove_from_running(j);
    insert_pending(j);
  }
  ledger_.set_server_available(s, false);
  publish([&](LifecycleObserver& o) { o.server_availability_changed(s, false, now); });
  return hit;
}

void Core::sample(double now, std::vector<Sample>& out) {
  advance_to(now);
  ++events_;
  MonitorView view{now, cluster_, ledger_, running_list_.size(), queue_.size(), tenant_names_, tenant_allocated_gpus_};
  policies_.monitor->sample(view, out);
  if (policies_.quota) policies_.quota->sample(now, out);
}

void Core::close(double now, const std::string& reason) {
  advance_to(now);
  for (std::size_t j = 0; j < jobs_.size(); ++j) {
    JobRun& run = runs_[j];
    if (run.state == JobState::running) {
      const LiveRun& lv = live(static_cast<JobIndex>(j));
      run.startup_s += current_startup_s(lv, now);
      run.run_s += now - lv.run_started_s;
      run.attained_gpu_s += allocated_gpus(lv.allocation) * (now - lv.run_started_s);
    }
    if (run.state == JobState::pending || run.state == JobState::running) {
      if (run.live != JobRun::kNoSlot) end_live(static_cast<JobIndex>(j));
      run.state = JobState::unfinished;
      run.reason = reasons_.intern(run.held ? "held by its model (not released) at the end" : reason);
    }
  }
  // Jobs that never arrived before the horizon are unfinished as well.
  for (; next_arrival_ < jobs_.size(); ++next_arrival_) {
    runs_[next_arrival_].state = JobState::unfinished;
    runs_[next_arrival_].reason = reasons_.intern("submitted after the horizon");
  }
  queue_.clear();
  running_list_.clear();
}

}  // namespace aidcsim
