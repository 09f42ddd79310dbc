#include "models/inference/service_model.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "sim/core/csv.hpp"
#include "sim/core/units.hpp"

namespace aidcsim {

ServiceModel::ServiceModel(std::vector<ServiceSpec> services) : services_(std::move(services)) {
  state_.resize(services_.size());
  for (std::size_t s = 0; s < services_.size(); ++s) {
    const ServiceSpec& spec = services_[s];
    outcomes_.emplace_back(spec.requests.size());
    replica_of_request_.emplace_back(spec.requests.size(), -1);
    rejected_.emplace_back(spec.requests.size(), 0);
    state_[s].router = std::make_unique<Router>(spec.router, spec.seed);
    state_[s].token_router = std::make_unique<Router>(spec.router, spec.seed ^ 0x746f6b656e);  // its own stream
    for (int k = 0; k < spec.replicas; ++k) {
      Replica r;
      r.prompt_pool = k < spec.prompt_replicas;
      r.engine = new_engine(s, r.prompt_pool);
      state_[s].replicas.push_back(std::move(r));
    }
    state_[s].desired = spec.replicas;
  }
}

std::unique_ptr<ReplicaEngine> ServiceModel::new_engine(std::size_t s, bool prompt_pool) const {
  const ServiceSpec& spec = services_[s];
  auto engine = std::make_unique<ReplicaEngine>(*spec.perf, spec.key, spec.batching, spec.kv_blocks);
  engine->set_prompt_only(prompt_pool);
  return engine;
}

void ServiceModel::attach(Core& core) {
  core_ = &core;
  std::map<std::string, JobIndex> index;
  for (std::size_t j = 0; j < core.jobs().size(); ++j) index[core.jobs()[j].job_id] = static_cast<JobIndex>(j);
  for (std::size_t s = 0; s < services_.size(); ++s) {
    for (std::size_t k = 0; k < state_[s].replicas.size(); ++k) {
      JobIndex j = index.at(services_[s].replica_job_id(static_cast<int>(k)));
      state_[s].replicas[k].job = j;
      by_job_[j] = {s, k};
    }
    for (std::size_t r = 0; r < services_[s].requests.size(); ++r)
      core.event_queue().at(services_[s].requests[r].arrival_s, this, pack(kArrival, s, r), true);
    finish_service_if_done(s, 0);
  }
}

ServiceModel::Replica* ServiceModel::replica_of(JobIndex j, std::size_t* s, std::size_t* k) {
  auto it = by_job_.find(j);
  if (it == by_job_.end()) return nullptr;
  if (s) *s = it->second.first;
  if (k) *k = it->second.second;
  return &state_[it->second.first].replicas[it->second.second];
}

void ServiceModel::work_planned(JobIndex j, const ActivityPlan&, double work_start_s, double now) {
  std::size_t s = 0, k = 0;
  Replica* r = replica_of(j, &s, &k);
  if (!r || std::isnan(work_start_s)) return;  // NaN: its start-up (an image pull) tells later
  ++r->run;
  if (work_start_s <= now) ready(s, k, now);
  else core_->event_queue().at(work_start_s, this, pack(kReady, s, (static_cast<std::uint64_t>(r->run) << 20) | k), true);
}

void ServiceModel::add_startup(JobIndex j, const Allocation& allocation, Startup& startup) {
  std::size_t s = 0, k = 0;
  if (!replica_of(j, &s, &k) || services_[s].weights_from.empty() || allocation.gpus.empty()) return;
  ServerIndex server = core_->cluster().gpus[allocation.gpus.front().gpu].server;
  startup.pulls.push_back({services_[s].weights_from, server, "weights:" + services_[s].model, services_[s].weights_bytes});
}

void ServiceModel::work_started(JobIndex j, double now) {
  std::size_t s = 0, k = 0;
  if (Replica* r = replica_of(j, &s, &k)) {
    ++r->run;
    ready(s, k, now);
  }
}

void ServiceModel::ready(std::size_t s, std::size_t k, double now) {
  Replica& r = state_[s].replicas[k];
  if (state_[s].over) {
    core_->complete_now(r.job, now);  // the service ended before this replica came up
    return;
  }
  r.serving = true;
  r.serving_since_s = now;
  if (services_[s].prompt_replicas > 0 && !r.prompt_pool) {  // a token replica: what waited for one goes
    while (!state_[s].waiting_for_token.empty()) {
      auto [q, from] = state_[s].waiting_for_token.front();
      state_[s].waiting_for_token.pop_front();
      hand_over(s, from, q, now);
    }
    return;
  }
  // What waited goes out once every replica coming up at this instant is up (an event at `now`, after
  // them), so the router sees them all.
  if (!state_[s].waiting.empty() && !state_[s].flush_pending) {
    state_[s].flush_pending = true;
    core_->event_queue().at(now, this, pack(kReady, s, kFlushWaiting), true);
  }
}

void ServiceModel::flush_waiting(std::size_t s, double now) {
  state_[s].flush_pending = false;
  while (!state_[s].waiting.empty()) {
    std::uint32_t q = state_[s].waiting.front();
    state_[s].waiting.pop_front();
    route(s, q, now);
  }
}

void ServiceModel::run_ended(JobIndex j, RunEnd how, double now) {
  std::size_t s = 0, k = 0;
  Replica* r = replica_of(j, &s, &k);
  if (!r) return;
  ++r->run;
  if (r->serving) r->served_s += now - r->serving_since_s;
  r->serving = false;
  r->in_iteration = false;
  r->last_run_end_s = now;
  if (how == RunEnd::completed) return;
  if (r->draining) {  // removed, then preempted by the scheduler: it must not come back
    r->draining = false;
    core_->event_queue().at(now, this, pack(kReady, s, kParkFlag | k), true);
  }
  // Preempted: what it held goes back to the service and is recomputed on another replica.
  std::vector<ReplicaEngine::RequestIndex> back = r->engine->drain();
  r->engine = new_engine(s, r->prompt_pool);
  for (auto q : back) {
    ++outcomes_[s][q].preemptions;
    route(s, q, now);
  }
}

std::optional<std::size_t> ServiceModel::pick(std::size_t s, bool token_pool) {
  Service& svc = state_[s];
  const bool disaggregated = services_[s].prompt_replicas > 0;
  std::vector<const ReplicaEngine*> views;
  std::vector<std::size_t> slots;
  for (std::size_t k = 0; k < svc.replicas.size(); ++k) {
    const Replica& r = svc.replicas[k];
    bool in_pool = token_pool ? !r.prompt_pool : (!disaggregated || r.prompt_pool);
    if (r.serving && !r.draining && in_pool) views.push_back(r.engine.get()), slots.push_back(k);
  }
  if (views.empty()) return std::nullopt;
  Router& router = token_pool ? *svc.token_router : *svc.router;
  return slots[static_cast<std::size_t>(router.route(views))];
}

void ServiceModel::route(std::size_t s, std::uint32_t q, double now) {
  Service& svc = state_[s];
  auto chosen = pick(s, false);
  if (!chosen) {
    svc.waiting.push_back(q);
    return;
  }
  std::size_t k = *chosen;
  replica_of_request_[s][q] = static_cast<int>(k);
  svc.replicas[k].engine->enqueue(q, services_[s].requests[q]);
  kick(s, k, now);
}

void ServiceModel::kick(std::size_t s, std::size_t k, double now) {
  Replica& r = state_[s].replicas[k];
  if (!r.serving || r.in_iteration) return;
  if (auto d = r.engine->start_iteration(now)) {
    r.in_iteration = true;
    r.iteration_start_s = now;
    // Work on the replica's GPUs: the table's time when nothing else computes there (Core::run_model_work).
    core_->run_model_work(r.job, *d, this, pack(kIterationEnd, s, (static_cast<std::uint64_t>(r.run) << 20) | k));
  }
}

void ServiceModel::on_event(std::uint64_t payload, double now) {
  auto kind = static_cast<Kind>(payload >> 62);
  std::size_t s = (payload >> 40) & 0x3FFFFF;
  std::uint64_t value = payload & ((std::uint64_t(1) << 40) - 1);
  ++state_[s].events;
  if (kind == kKvArrived) {
    kv_arrived(value, now);
    return;
  }
  if (kind == kArrival) {
    auto q = static_cast<std::uint32_t>(value);
    ++state_[s].arrived;
    if (!state_[s].replicas.empty() && !state_[s].replicas.front().engine->can_serve(services_[s].requests[q])) {
      rejected_[s][q] = 1;
      ++state_[s].finished;
      finish_service_if_done(s, now);
      return;
    }
    route(s, q, now);
    return;
  }
  if (kind == kReady && value == kFlushWaiting) {
    flush_waiting(s, now);
    return;
  }
  if (kind == kReady && (value & kParkFlag)) {
    park_unwanted(s, value & 0xFFFFF, now);
    return;
  }
  std::size_t k = value & 0xFFFFF;
  auto run = static_cast<std::uint32_t>(value >> 20);
  Replica& r = state_[s].replicas[k];
  if (run != r.run) return;  // its run ended meanwhile
  if (kind == kReady) {
    ready(s, k, now);
    return;
  }
  r.in_iteration = false;
  r.busy_s += now - r.iteration_start_s;
  state_[s].finished += r.engine->finish_iteration(now, outcomes_[s]).size();
  for (auto q : r.engine->take_handed_over()) hand_over(s, k, q, now);
  finish_service_if_done(s, now);
  if (!state_[s].over) kick(s, k, now);
  if (r.draining) park_if_drained(s, k, now);
}

void ServiceModel::finish_service_if_done(std::size_t s, double now) {
  Service& svc = state_[s];
  if (svc.over || svc.finished < services_[s].requests.size()) return;
  svc.over = true;
  for (auto& r : svc.replicas) {
    if (r.serving) core_->complete_now(r.job, now);
    // A replica a scale-down removed ended when it was parked.
    else if (r.last_run_end_s >= 0 && core_->is_held(r.job)) core_->complete_held(r.job, r.last_run_end_s);
  }
}

ServiceModel::Load ServiceModel::load_of(std::size_t s) const {
  const Service& svc = state_[s];
  Load l;
  l.queued = static_cast<double>(svc.waiting.size());
  for (const auto& r : svc.replicas) {
    if (!r.serving) {
      if (core_ && core_->runs()[r.job].state == JobState::running) ++l.starting;  // placed, its start-up not over
      continue;
    }
    ++l.serving;
    l.queued += static_cast<double>(r.engine->waiting_count());
    l.batch += static_cast<double>(r.engine->running_count());
    l.kv_used += static_cast<double>(r.engine->used_blocks());
    l.kv_capacity += static_cast<double>(r.engine->kv_blocks());
  }
  return l;
}

void ServiceModel::sample(double now, std::vector<Sample>& out) {
  double dt = last_sample_s_ >= 0 ? now - last_sample_s_ : 0;
  for (std::size_t s = 0; s < services_.size(); ++s) {
    Service& svc = state_[s];
    const Load l = load_of(s);
    const std::string& name = services_[s].name;
    double arrivals = static_cast<double>(svc.arrived - svc.arrived_at_last_sample);
    svc.arrived_at_last_sample = svc.arrived;
    out.push_back({"service_arrival_rate_rps", name, dt > 0 ? arrivals / dt : 0});
    out.push_back({"service_requests_queued", name, l.queued});
    out.push_back({"service_batch_size", name, l.batch});
    out.push_back({"service_kv_cache_used", name, l.kv_capacity > 0 ? l.kv_used / l.kv_capacity : 0});
    out.push_back({"service_replicas_serving", name, l.serving});
    out.push_back({"service_replicas_starting", name, l.starting});
    if (svc.autoscaled) out.push_back({"service_replicas_desired", name, static_cast<double>(svc.desired)});
  }
  last_sample_s_ = now;
}

void ServiceModel::collect(double now, const MetricSink& sink) {
  for (std::size_t s = 0; s < services_.size(); ++s) {
    const Service& svc = state_[s];
    const std::string& name = services_[s].name;
    for (std::size_t k = 0; k < svc.replicas.size(); ++k) {
      const Replica& r = svc.replicas[k];
      if (!r.serving) continue;
      const MetricLabels labels = {{"service", name}, {"replica", std::to_string(k)}};
      auto running = static_cast<double>(r.engine->running_count());
      sink("aidcsim_service_requests_in_flight", labels, static_cast<double>(r.engine->waiting_count()) + running);
      sink("aidcsim_service_batch_size", labels, running);
      sink("aidcsim_service_requests_waiting", labels, static_cast<double>(r.engine->waiting_count()));
      double blocks = static_cast<double>(r.engine->kv_blocks());
      sink("aidcsim_service_kv_cache_used", labels, blocks > 0 ? static_cast<double>(r.engine->used_blocks()) / blocks : 0);
      sink("aidcsim_service_busy", labels, r.in_iteration ? 1 : 0);
      sink("aidcsim_service_busy_seconds_total", labels, r.busy_s + (r.in_iteration ? now - r.iteration_start_s : 0));
    }
    const Load l = load_of(s);
    const MetricLabels labels = {{"service", name}};
    sink("aidcsim_service_replicas", labels, l.serving);
    sink("aidcsim_service_replicas_starting", labels, l.starting);
    sink("aidcsim_service_queue_length", labels, l.queued);
    sink("aidcsim_service_requests_total", labels, static_cast<double>(svc.arrived));
    sink("aidcsim_service_requests_completed_total", labels, static_cast<double>(svc.finished));
  }
}

std::string ServiceModel::requests_csv() const {
  std::string out = "service,request_id,arrival_s,first_token_s,end_s,ttft_s,tbt_mean_s,tbt_max_s,e2e_s,prompt_tokens,"
                    "output_tokens,replica,preemptions,state\n";
  for (std::size_t s = 0; s < services_.size(); ++s)
    for (std::size_t q = 0; q < services_[s].requests.size(); ++q) {
      const LlmRequest& r = services_[s].requests[q];
      const RequestOutcome& o = outcomes_[s][q];
      bool done = o.end_s >= 0;
      bool first = o.first_token_s >= 0;
      append_csv_field(out, services_[s].name);
      out += ',';
      append_csv_field(out, r.request_id);
      for (double x : {r.arrival_s, first ? o.first_token_s : NAN, done ? o.end_s : NAN, first ? o.first_token_s - r.arrival_s : NAN,
                       o.tokens_out > 1 ? o.tbt_sum_s / static_cast<double>(o.tokens_out - 1) : NAN,
                       o.tokens_out > 1 ? o.tbt_max_s : NAN, done ? o.end_s - r.arrival_s : NAN}) {
        out += ',';
        append_number(out, x);
      }
      out += fmt::format(",{},{},", r.prompt_tokens, r.output_tokens);
      if (replica_of_request_[s][q] >= 0) out += std::to_string(replica_of_request_[s][q]);
      out += fmt::format(",{},{}\n", o.preemptions, done ? "completed" : rejected_[s][q] ? "rejected" : "unfinished");
    }
  return out;
}

std::vector<std::pair<std::string, ServiceFigures>> ServiceModel::figures(double end_s) const {
  std::vector<std::pair<std::string, ServiceFigures>> out;
  for (std::size_t s = 0; s < services_.size(); ++s) {
    const ServiceSpec& spec = services_[s];
    ServiceFigures f;
    f.submitted = static_cast<long long>(spec.requests.size());
    f.events = state_[s].events;
    f.kv_transfer_s = state_[s].kv_transfer_s;
    for (std::size_t q = 0; q < spec.requests.size(); ++q) {
      const RequestOutcome& o = outcomes_[s][q];
      if (rejected_[s][q]) {
        ++f.rejected;
        continue;
      }
      if (o.end_s < 0) {
        ++f.unfinished;
        continue;
      }
      ++f.completed;
      double ttft = o.first_token_s - spec.requests[q].arrival_s;
      double tbt = o.tokens_out > 1 ? o.tbt_sum_s / static_cast<double>(o.tokens_out - 1) : 0;
      f.ttft_s.push_back(ttft);
      if (o.tokens_out > 1) f.tbt_s.push_back(tbt);
      f.e2e_s.push_back(o.end_s - spec.requests[q].arrival_s);
      f.output_tokens += o.tokens_out;
      bool met = (spec.slo_ttft_s < 0 || ttft <= spec.slo_ttft_s) && (spec.slo_tbt_s < 0 || tbt <= spec.slo_tbt_s);
      f.slo_met += met ? 1 : 0;
    }
    if (!spec.requests.empty()) f.span_s = end_s - spec.requests.front().arrival_s;
    for (const auto& r : state_[s].replicas) {
      f.replica_s += r.served_s + (r.serving ? end_s - r.serving_since_s : 0);
      f.busy_s += r.busy_s + (r.serving && r.in_iteration ? end_s - r.iteration_start_s : 0);
    }
    // Its GPUs' energy: full power in iterations, idle power otherwise while serving (docs/inference.md).
    for (const auto& g : core_->cluster().gpus)
      if (g.model == spec.gpu_model && g.power.known) {
        f.energy_j = spec.tensor_parallel * (g.power.idle_w * (f.replica_s - f.busy_s) + g.power.full_w * f.busy_s);
        break;
      }
    out.emplace_back(spec.name, std::move(f));
  }
  return out;
}

std::unique_ptr<ServiceWorkload> make_llm_services(PolicyArgs& args) {
  ProblemList problems;
  auto services = read_services(args.options, args.scenario_dir, args.cluster, args.seed, problems, args.record);
  for (const auto& p : problems.items()) args.options.add_problem(p);
  // With a problem (reported above, the run stops before it starts) no engine can be built.
  if (!problems.empty()) return nullptr;
  for (const auto& spec : services)
    if (!spec.perf->has(spec.key) || spec.kv_blocks <= 0) return nullptr;  // reported by read_services
  return std::make_unique<ServiceModel>(std::move(services));
}

}  // namespace aidcsim
