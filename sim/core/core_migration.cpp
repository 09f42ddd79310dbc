// Live migration of VMs (consolidation, docs/runtimes.md): the core reserves the destination,
// slows the VM's job during pre-copy, pauses it for the stop-and-copy, and resumes it on the new
// server. The run goes on throughout: its work is cut into segments, each a timer or SimGrid
// activities like any run.
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "sim/core/core.hpp"

namespace aidcsim {

void Core::start_migrations() {
  Runtime* runtime = policies_.runtime.get();
  if (!runtime || !executor_) return;
  for (VmMigration& m : runtime->consolidate(now_, ledger_)) {
    if (std::string why = ledger_.check(m.to); !why.empty())
      throw std::logic_error(fmt::format("consolidation chose a destination that does not fit: {}", why));
    ledger_.apply(m.to);
    publish([&](LifecycleObserver& o) { o.servers_changed(m.to, ledger_, now_); });
    std::size_t id = next_migration_id_++;
    auto j = runtime->job_in_vm(m.vm);
    if (j && runs_[*j].state == JobState::running && m.slowdown > 0 && !std::isnan(live(*j).run_startup_s)) {
      double delay_s = stop_segment(*j);
      relaunch(*j, delay_s, 1 / (1 - m.slowdown));
    }
    executor_->migrate(id, m.from_server, m.to_server, m.transfer);
    publish([&](LifecycleObserver& o) { o.migration_started(m.vm, now_); });
    migrations_.emplace(id, MigrationRecord{std::move(m), now_, kNoTime, j});
  }
  if (double t = runtime->next_consolidation_s(); t > now_) event_queue_.wake_at(t);
}

double Core::stop_segment(JobIndex j) {
  JobRun& run = runs_[j];
  LiveRun& lv = live(j);
  double fraction = 0, delay_left_s = 0;
  if (lv.paused) {
    delay_left_s = lv.paused_delay_s;
    lv.paused = false;
  } else {
    double work_start_s = lv.run_started_s + lv.run_delay_s;
    delay_left_s = std::max(0.0, work_start_s - now_);
    if (lv.run_on_timer) {
      event_queue_.cancel_run_end(j, run.epoch);
      double worked_s = std::max(0.0, now_ - work_start_s);
      fraction = lv.run_work_s > 0 ? std::min(1.0, worked_s / lv.run_work_s) : 1;
    } else {
      fraction = executor_->stop_activities(j);
    }
  }
  run.done_fraction = std::clamp(run.done_fraction + (1 - run.done_fraction) * fraction, 0.0, 1.0);
  ++run.epoch;  // the stopped segment's timer or completion is stale
  return delay_left_s;
}

void Core::relaunch(JobIndex j, double delay_s, double stretch) {
  JobRun& run = runs_[j];
  LiveRun& lv = live(j);
  const double left = 1 - run.done_fraction;
  ActivityPlan plan = rest_plan(j);
  plan.delay_s = delay_s;
  // Time before this segment counts as it was in slowdown_sharing's baseline: a migration's cost
  // is not sharing's.
  lv.run_alone_work_s = plan_work_time_s(j, plan, left);
  adjust_for_co_runners(j, plan, 1);  // the job itself is counted on its GPUs already
  for (auto& e : plan.execs) e.flops *= stretch;
  const double work_s = plan_work_time_s(j, plan, left * stretch);
  lv.run_delay_s = now_ - lv.run_started_s + delay_s;
  lv.run_work_s = work_s;
  lv.run_on_timer = run_isolated(j, plan);
  publish([&](LifecycleObserver& o) { o.work_planned(j, plan, now_ + delay_s, now_); });
  if (lv.run_on_timer) event_queue_.run_end_at(now_ + delay_s + work_s, j, run.epoch);
  else executor_->run_activities(j, run.epoch, plan);
}

void Core::pause(JobIndex j) {
  JobRun& run = runs_[j];
  LiveRun& lv = live(j);
  const double delay_left_s = stop_segment(j);
  lv.paused = true;
  lv.paused_delay_s = delay_left_s;
  lv.run_on_timer = false;
  // status() shows the rest at full speed from now; the pause's length is the network's to tell.
  ActivityPlan plan = rest_plan(j);
  lv.run_alone_work_s = lv.run_work_s = plan_work_time_s(j, plan, 1 - run.done_fraction);
  lv.run_delay_s = now_ - lv.run_started_s + delay_left_s;
  publish([&](LifecycleObserver& o) { o.work_planned(j, ActivityPlan{}, now_, now_); });  // no load while paused
}

bool Core::migration_paused(std::size_t id, double now) {
  advance_to(now);
  ++events_;
  auto it = migrations_.find(id);
  if (it == migrations_.end()) return false;
  it->second.paused_s = now;
  auto j = policies_.runtime->job_in_vm(it->second.order.vm);
  if (!j || runs_[*j].state != JobState::running) return false;
  if (!live(*j).paused && !std::isnan(live(*j).run_startup_s)) pause(*j);
  return true;
}

void Core::migration_done(std::size_t id, double now, double bytes) {
  advance_to(now);
  ++events_;
  auto it = migrations_.find(id);
  if (it == migrations_.end()) return;
  MigrationRecord record = std::move(it->second);
  migrations_.erase(it);
  const VmMigration& m = record.order;
  ledger_.release(m.from);
  policies_.runtime->migrated(m, now);
  publish([&](LifecycleObserver& o) { o.servers_changed(m.from, ledger_, now); });
  MigrationLogEntry entry{m.vm, record.job, false, m.from, m.to, record.started_s, record.paused_s, now, bytes};
  if (auto j = policies_.runtime->job_in_vm(m.vm); j && runs_[*j].state == JobState::running) {
    entry.job_moved = true;
    JobRun& run = runs_[*j];
    LiveRun& lv = live(*j);
    policies_.placement->on_released(lv.request, lv.allocation);
    for (const auto& g : lv.allocation.gpus) --jobs_on_gpu_[g.gpu];
    lv.allocation = m.to;
    for (const auto& g : lv.allocation.gpus) ++jobs_on_gpu_[g.gpu];
    policies_.placement->on_applied(lv.request, lv.allocation);
    ++run.migrations;
    if (!std::isnan(lv.run_startup_s)) {
      double delay_s = stop_segment(*j);
      relaunch(*j, delay_s, 1);
    }
  }
  publish([&](LifecycleObserver& o) { o.migration_ended(entry); });
}

}  // namespace aidcsim
