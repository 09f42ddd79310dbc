// Disaggregated serving (docs/inference.md), after Splitwise: a prompt replica computes a request's
// prefill and first token; its KV cache (KV bytes per token x prompt tokens) then travels from the
// prompt replica's server to a token replica's as a SimGrid communication over the platform's links,
// and the token replica decodes the rest. A token replica that stopped meanwhile has lost it: the
// request goes to another one, which recomputes its prompt.
#include <stdexcept>

#include "models/inference/service_model.hpp"

namespace aidcsim {

ServerIndex ServiceModel::server_of(const Replica& r) const {
  const Allocation& a = core_->allocation(r.job);
  if (a.gpus.empty()) throw std::logic_error("a serving replica without GPUs");
  return core_->cluster().gpus[a.gpus.front().gpu].server;
}

void ServiceModel::hand_over(std::size_t s, std::size_t from, std::uint32_t q, double now) {
  Service& svc = state_[s];
  auto chosen = pick(s, true);
  if (!chosen) {
    svc.waiting_for_token.emplace_back(q, from);
    return;
  }
  std::size_t to = *chosen;
  replica_of_request_[s][q] = static_cast<int>(to);
  if (core_->runs()[svc.replicas[from].job].state != JobState::running) {  // its prompt replica, and the KV, are gone
    ++outcomes_[s][q].preemptions;
    svc.replicas[to].engine->enqueue_prefilled(q, services_[s].requests[q], false);
    kick(s, to, now);
    return;
  }
  const double bytes = services_[s].kv_bytes_per_token * static_cast<double>(services_[s].requests[q].prompt_tokens);
  std::uint64_t id = next_handover_++;
  handovers_[id] = {s, q, to, svc.replicas[to].run, now};
  core_->transfer(server_of(svc.replicas[from]), server_of(svc.replicas[to]), bytes, this, pack(kKvArrived, s, id));
}

void ServiceModel::kv_arrived(std::uint64_t id, double now) {
  Handover h = handovers_.at(id);
  handovers_.erase(id);
  Service& svc = state_[h.service];
  svc.kv_transfer_s.push_back(now - h.start_s);
  Replica& to = svc.replicas[h.to];
  const LlmRequest& request = services_[h.service].requests[h.request];
  if (to.serving && to.run == h.to_run) {
    to.engine->enqueue_prefilled(h.request, request, true);
    kick(h.service, h.to, now);
    return;
  }
  // Lost with the replica that stopped: another token replica recomputes the prompt.
  for (std::size_t k = 0; k < svc.replicas.size(); ++k)
    if (svc.replicas[k].serving && !svc.replicas[k].prompt_pool) {
      ++outcomes_[h.service][h.request].preemptions;
      replica_of_request_[h.service][h.request] = static_cast<int>(k);
      svc.replicas[k].engine->enqueue_prefilled(h.request, request, false);
      kick(h.service, k, now);
      return;
    }
  route(h.service, h.request, now);  // no token replica serves: it starts over from the prompt pool
}

}  // namespace aidcsim
