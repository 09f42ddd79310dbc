// The services as an autoscaler sees and resizes them (ScalableServices; docs/autoscaling.md).
// A scaled service has max_replicas replica jobs ("slots"); those not wanted wait held by the core.
// Scale-up releases the lowest idle slots to the scheduler; scale-down removes replicas in the order
// of Kubernetes' ReplicaSet controller (controller_utils.go ActivePodsWithRanks): unplaced first,
// then placed but not ready, then the most recently ready; a removed ready replica takes no new
// request and is parked once the requests it holds are done.
#include <fmt/format.h>

#include <algorithm>

#include "models/inference/service_model.hpp"

namespace aidcsim {

std::optional<std::size_t> ServiceModel::service_index(const std::string& name) const {
  for (std::size_t s = 0; s < services_.size(); ++s)
    if (services_[s].name == name) return s;
  return std::nullopt;
}

std::string ServiceModel::not_scalable(std::size_t s) const {
  if (services_[s].prompt_replicas > 0) return "a disaggregated service (prompt and token pools) cannot be autoscaled yet";
  return "";
}

void ServiceModel::set_replica_range(std::size_t s, int min_replicas, int max_replicas) {
  ServiceSpec& spec = services_[s];
  Service& svc = state_[s];
  const int initial = std::clamp(spec.replicas, min_replicas, max_replicas);
  spec.initial_replicas = initial;
  spec.replicas = max_replicas;
  svc.replicas.clear();
  for (int k = 0; k < max_replicas; ++k) {
    Replica r;
    r.engine = new_engine(s, false);
    r.wanted = k < initial;
    svc.replicas.push_back(std::move(r));
  }
  svc.desired = initial;
  svc.autoscaled = true;
}

ReplicaStatus ServiceModel::replica_status(std::size_t s) const {
  const Service& svc = state_[s];
  ReplicaStatus st;
  st.desired = svc.desired;
  st.over = svc.over;
  for (std::size_t k = 0; k < svc.replicas.size(); ++k) {
    const Replica& r = svc.replicas[k];
    if (!r.wanted) continue;
    if (r.serving) {
      st.ready.push_back(std::to_string(k));
      st.ready_since_s.push_back(r.serving_since_s);
    } else {
      ++st.unready;
    }
  }
  return st;
}

void ServiceModel::scale(std::size_t s, int replicas, double now) {
  Service& svc = state_[s];
  auto& slots = svc.replicas;
  for (; svc.desired < replicas; ++svc.desired) {
    // An idle slot (held by the core) first; else take back a replica being removed (it still serves).
    auto idle = std::find_if(slots.begin(), slots.end(), [&](const Replica& r) { return !r.wanted && !r.draining && core_->is_held(r.job); });
    auto draining = std::find_if(slots.begin(), slots.end(), [](const Replica& r) { return !r.wanted && r.draining; });
    if (idle != slots.end()) {
      idle->wanted = true;
      core_->release(idle->job, now);
    } else if (draining != slots.end()) {
      draining->wanted = true;
      draining->draining = false;
    } else {
      break;  // every slot is in use (cannot happen below max_replicas)
    }
  }
  for (; svc.desired > replicas; --svc.desired) {
    // Rank: not placed < placed, not ready < ready, then the most recently ready; the highest slot on ties.
    std::size_t victim = slots.size();
    auto rank = [&](const Replica& r) {
      const bool placed = core_->runs()[r.job].state == JobState::running;
      return std::make_tuple(placed ? 1 : 0, r.serving ? 1 : 0, r.serving ? -r.serving_since_s : 0.0);
    };
    for (std::size_t k = slots.size(); k-- > 0;) {
      if (!slots[k].wanted) continue;
      if (victim == slots.size() || rank(slots[k]) < rank(slots[victim])) victim = k;
    }
    if (victim == slots.size()) break;
    Replica& r = slots[victim];
    r.wanted = false;
    if (r.serving) {
      r.draining = true;
      park_if_drained(s, victim, now);
    } else {
      park_unwanted(s, victim, now);
    }
  }
}

void ServiceModel::park_if_drained(std::size_t s, std::size_t k, double now) {
  Replica& r = state_[s].replicas[k];
  if (!r.draining || r.in_iteration || r.engine->waiting_count() > 0 || r.engine->running_count() > 0) return;
  r.draining = false;
  park_unwanted(s, k, now);
}

void ServiceModel::park_unwanted(std::size_t s, std::size_t k, double now) {
  Replica& r = state_[s].replicas[k];
  if (r.wanted || state_[s].over) return;
  const JobRun& run = core_->runs()[r.job];
  if ((run.state == JobState::pending || run.state == JobState::running) && !run.held && !run.awaiting_quota)
    core_->park(r.job, now);
}

double ServiceModel::replica_seconds(std::size_t s) const {
  double total = 0;
  for (const auto& r : state_[s].replicas) total += core_->runs()[r.job].run_s;
  return total;
}

}  // namespace aidcsim
