// The core's side of quota and admission (sim/policy/quota.hpp): admitted jobs join the scheduler's
// queue, evicted ones leave it (their runs preempted), and a flavor narrows where a job is placed.
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "sim/core/core.hpp"

namespace aidcsim {

ClusterView Core::view_for(const Request& r, const Ledger& ledger) {
  if (!r.servers_allowed) return ClusterView{cluster_, ledger};
  masked_ledger_.reset();
  masked_ledger_.emplace(ledger);
  const std::vector<char>& allowed = *r.servers_allowed;
  for (ServerIndex s = 0; s < cluster_.servers.size(); ++s)
    if (!allowed[s]) masked_ledger_->set_server_available(s, false);
  return ClusterView{cluster_, *masked_ledger_};
}

void Core::admit(JobIndex j, const std::vector<char>* servers) {
  JobRun& run = runs_[j];
  if (run.state != JobState::pending || !run.awaiting_quota)
    throw std::logic_error(fmt::format("quota admitted job {} while {}{}", jobs_[j].job_id, to_string(run.state),
                                       run.awaiting_quota ? "" : " (already admitted)"));
  live(j).request.servers_allowed = servers;
  run.awaiting_quota = false;
  insert_pending(j);
}

void Core::evict(JobIndex j, double restart_cost_s) {
  JobRun& run = runs_[j];
  if (in_pass_) throw std::logic_error("quota eviction during a scheduling pass");
  if (run.state == JobState::running) preempt(j, restart_cost_s);
  if (run.state != JobState::pending)
    throw std::logic_error(fmt::format("quota evicted job {} while {}", jobs_[j].job_id, to_string(run.state)));
  auto it = std::lower_bound(queue_.begin(), queue_.end(), j);
  if (it == queue_.end() || *it != j)
    throw std::logic_error(fmt::format("quota evicted job {}, which was not admitted", jobs_[j].job_id));
  queue_.erase(it);
  ++pending_reshuffles_;
  live(j).request.servers_allowed = nullptr;
  run.awaiting_quota = true;
}

void Core::reject(JobIndex j, const std::string& reason) {
  JobRun& run = runs_[j];
  if (run.state != JobState::pending)
    throw std::logic_error(fmt::format("quota rejected job {} while {}", jobs_[j].job_id, to_string(run.state)));
  run.state = JobState::rejected;
  run.reason = reasons_.intern(reason);
  end_live(j);
}

}  // namespace aidcsim
