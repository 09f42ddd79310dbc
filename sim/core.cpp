#include "sim/core.hpp"

#include "sim/errors.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>

namespace aidcsim {

Core::Core(const Cluster& cluster, std::vector<JobSpec> jobs, Policies policies, CoreOptions options)
    : cluster_(cluster), jobs_(std::move(jobs)), policies_(std::move(policies)), options_(options), ledger_(cluster) {
  std::stable_sort(jobs_.begin(), jobs_.end(), [](const JobSpec& a, const JobSpec& b) { return a.submit_s < b.submit_s; });
  runs_.resize(jobs_.size());
  std::map<std::string, TenantIndex> tenant_index;
  for (const auto& j : jobs_) tenant_index.emplace(j.tenant, 0);
  for (auto& [name, index] : tenant_index) {
    index = static_cast<TenantIndex>(tenant_names_.size());
    tenant_names_.push_back(name);
  }
  tenant_allocated_gpus_.assign(tenant_names_.size(), 0);
  for (std::size_t j = 0; j < jobs_.size(); ++j) {
    runs_[j].tenant = tenant_index[jobs_[j].tenant];
    runs_[j].request = make_request(jobs_[j], runs_[j].reason);
  }
  last_change_s_ = first_submit_s();
}

Request Core::make_request(const JobSpec& job, std::string& reason) const {
  Request r;
  r.gpus = job.gpus;
  r.gpu_milli = options_.exclusive_gpus || job.gpus == 0 ? kWholeGpuMilli : job.gpu_milli;
  r.cpus = job.cpus;
  r.mem_gib = job.mem_gib;
  if (!job.gpu_models.empty()) {
    r.model_allowed.assign(cluster_.gpu_models.size(), 0);
    std::vector<std::string> absent;
    for (const auto& m : job.gpu_models) {
      auto it = cluster_.model_index.find(m);
      if (it == cluster_.model_index.end()) absent.push_back(m);
      else r.model_allowed[it->second] = 1;
    }
    if (job.gpus > 0 && std::none_of(r.model_allowed.begin(), r.model_allowed.end(), [](char c) { return c; }))
      reason = fmt::format("gpu_model {} is not on the platform (models: {})", join_names(absent),
                           join_names(cluster_.gpu_models));
  }
  return r;
}

double Core::next_arrival_s() const {
  return next_arrival_ < jobs_.size() ? jobs_[next_arrival_].submit_s : std::numeric_limits<double>::infinity();
}

void Core::advance_to(double now) {
  if (now > last_change_s_) {
    allocated_gpu_seconds_ += ledger_.allocated_gpus() * (now - last_change_s_);
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
    if (run.reason.empty()) {
      auto [it, inserted] = never_fits_cache_.try_emplace(run.request.shape_key());
      if (inserted) it->second = never_fits_reason(cluster_, run.request);
      run.reason = it->second;
    }
    if (!run.reason.empty()) {
      run.state = JobState::rejected;
      continue;
    }
    queue_.push_back(j);
  }
}

bool Core::try_start(JobIndex j) {
  JobRun& run = runs_[j];
  if (run.state != JobState::pending) return false;
  std::optional<Allocation> proposal = policies_.placement->place(run.request, ClusterView{cluster_, ledger_});
  if (!proposal) return false;
  if (std::string why = ledger_.check(*proposal); !why.empty())
    throw std::logic_error(fmt::format("placement proposed an allocation that does not fit for job {}: {}",
                                       jobs_[j].job_id, why));
  ledger_.apply(*proposal);
  run.allocation = std::move(*proposal);
  run.state = JobState::running;
  if (std::isnan(run.start_s)) run.start_s = now_;
  ++running_;
  for (const auto& g : run.allocation.gpus) tenant_allocated_gpus_[run.tenant] += g.milli / 1000.0;
  started_in_pass_ = true;

  ActivityPlan plan = policies_.workload_model->plan(jobs_[j], run.allocation, cluster_);
  // Nothing is shared when GPUs are exclusive and no step is capped: the end is known exactly.
  bool isolated = options_.exclusive_gpus && !options_.always_activities &&
                  std::all_of(plan.execs.begin(), plan.execs.end(), [](const ExecStep& e) { return e.bound_flops == 0; });
  if (isolated) {
    double duration_s = 0;
    for (const auto& e : plan.execs) {
      double speed = e.on_gpu ? cluster_.gpus[e.index].speed_flops : cluster_.servers[e.index].core_speed_flops;
      duration_s = std::max(duration_s, e.flops / speed);
    }
    // The replay rule: with the trace model this is exactly duration_s.
    executor_->complete_at(j, now_ + (plan.execs.size() ? duration_s : jobs_[j].duration_s));
  } else {
    executor_->run_activities(j, plan);
  }
  return true;
}

void Core::finish(JobIndex j, double now) {
  advance_to(now);
  ++events_;
  JobRun& run = runs_[j];
  if (run.state != JobState::running)
    throw std::logic_error(fmt::format("job {} finished while {}", jobs_[j].job_id, to_string(run.state)));
  ledger_.release(run.allocation);
  for (const auto& g : run.allocation.gpus) tenant_allocated_gpus_[run.tenant] -= g.milli / 1000.0;
  run.state = JobState::completed;
  run.end_s = now;
  --running_;
  last_completion_s_ = now;
}

void Core::schedule(double now) {
  advance_to(now);
  if (queue_.empty()) return;
  started_in_pass_ = false;
  policies_.scheduler->schedule(*this);
  if (!started_in_pass_) return;
  queue_.erase(std::remove_if(queue_.begin(), queue_.end(), [&](JobIndex j) { return runs_[j].state != JobState::pending; }),
               queue_.end());
}

void Core::sample(double now, std::vector<Sample>& out) {
  advance_to(now);
  ++events_;
  MonitorView view{now, cluster_, ledger_, running_, queue_.size(), tenant_names_, tenant_allocated_gpus_};
  policies_.monitor->sample(view, out);
}

void Core::close(double now, const std::string& reason) {
  advance_to(now);
  for (std::size_t j = 0; j < jobs_.size(); ++j) {
    JobRun& run = runs_[j];
    if (run.state == JobState::pending || run.state == JobState::running) {
      run.state = JobState::unfinished;
      run.reason = reason;
    }
  }
  // Jobs that never arrived before the horizon are unfinished as well.
  for (; next_arrival_ < jobs_.size(); ++next_arrival_) {
    runs_[next_arrival_].state = JobState::unfinished;
    runs_[next_arrival_].reason = "submitted after the horizon";
  }
  queue_.clear();
}

}  // namespace aidcsim
