// Work that a job's model runs within the job's run (JobSpec::work_by_model): an inference replica
// holds its GPUs for as long as it serves, and each of its iterations is work on those GPUs. It is
// sized and adjusted like a run's work, so GPU sharing and runtimes apply to it, and it runs as
// SimGrid executions whenever something may be shared there (docs/inference.md). A step may have
// phases of its own (computations on some of the job's GPUs, transfers between its hosts): the model
// gives their shape, the core the executions, and SimGrid runs them phase by phase.
#include <fmt/format.h>

#include <stdexcept>

#include "sim/core/core.hpp"
#include "sim/core/slots.hpp"

namespace aidcsim {

void Core::run_model_work(JobIndex j, double alone_s, EventHandler* handler, std::uint64_t payload, ActivityPlan phases) {
  const JobRun& run = runs_[j];
  if (!jobs_[j].work_by_model || run.state != JobState::running)
    throw std::logic_error(fmt::format("run_model_work for job {}, which is not a running job of a model", jobs_[j].job_id));
  if (phases.delay_s != 0 || !phases.execs.empty())
    throw std::logic_error("run_model_work: the core makes the executions of a model's step, and it has no delay");
  // As the trace model sizes a run: alone_s at the job's compute share of each of its GPUs.
  ActivityPlan plan = std::move(phases);
  for (const auto& share : live(j).allocation.gpus) {
    int milli = policies_.gpu_sharing ? policies_.gpu_sharing->compute_milli(jobs_[j]) : share.milli;
    double speed = cluster_.gpus[share.gpu].speed_flops;
    plan.execs.push_back({true, share.gpu, alone_s * speed * milli / kWholeGpuMilli,
                          milli < kWholeGpuMilli ? speed * milli / kWholeGpuMilli : 0});
  }
  if (plan.sequenced()) (void)plan.sequence();  // parts that do not fit the job's GPUs are the model's mistake
  const double base_s = plan_work_time_s(j, plan, 1);
  if (policies_.runtime) policies_.runtime->adjust(jobs_[j], plan, cluster_);
  adjust_for_co_runners(j, plan, 1);  // the job is counted on its GPUs already
  const std::uint32_t slot = take_slot(model_work_, free_model_work_);
  model_work_[slot] = {j, run.epoch, handler, payload, std::nullopt};
  publish([&](LifecycleObserver& o) { o.model_work(j, plan, now_); });
  // A step of several phases runs in SimGrid, which prices its transfers (the model gives no time alone
  // for them).
  if (!plan.sequenced() && plan_is_isolated(plan)) {
    // Exactly alone_s unless an adjustment changed it (flops / speed would round).
    double work_s = plan_work_time_s(j, plan, 1);
    event_queue_.at(now_ + (work_s == base_s ? alone_s : work_s), this, slot, true);
  } else {
    model_work_[slot].execution = executor_->execute(plan, this, slot);
  }
}

void Core::on_event(std::uint64_t slot, double now) {
  ModelWork work = model_work_[slot];
  model_work_[slot] = ModelWork{};
  free_model_work_.push_back(static_cast<std::uint32_t>(slot));
  const JobRun& run = runs_[work.job];
  if (run.epoch == work.epoch && run.state == JobState::running)
    publish([&](LifecycleObserver& o) { o.model_work(work.job, ActivityPlan{}, now); });
  // Also when the run ended meanwhile (a timer's end): the model knows its runs and ignores it.
  work.handler->on_event(work.payload, now);
}

void Core::cancel_model_work(JobIndex j) {
  for (std::size_t slot = 0; slot < model_work_.size(); ++slot) {
    ModelWork& w = model_work_[slot];
    if (w.handler == nullptr || w.job != j || !w.execution) continue;
    executor_->cancel_execution(*w.execution);
    w = ModelWork{};
    free_model_work_.push_back(static_cast<std::uint32_t>(slot));
  }
}

}  // namespace aidcsim
