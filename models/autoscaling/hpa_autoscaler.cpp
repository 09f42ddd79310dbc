#include "models/autoscaling/hpa_autoscaler.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "sim/core/units.hpp"

namespace aidcsim {
namespace {

// A scale rule of `behavior` (HPAScalingRules), Kubernetes' default for the keys it leaves out.
HpaRule read_rule(OptionReader& behavior, const std::string& key, const HpaRule& fallback) {
  if (!behavior.raw(key)) return fallback;
  OptionReader r = behavior.nested(key);
  HpaRule rule;
  rule.stabilization_s = r.number("stabilization_window_s", fallback.stabilization_s, 0, 3600);  // the API's limit
  rule.select = r.text("select_policy", "Max", {"Max", "Min", "Disabled"});
  if (!r.raw("policies")) rule.policies = fallback.policies;
  for (OptionReader& p : r.items("policies")) {
    HpaPolicy policy;
    policy.percent = p.text("type", "Pods", {"Pods", "Percent"}) == "Percent";
    if (!p.has("type")) p.problem("type", "missing; expected \"Pods\" or \"Percent\"");
    policy.value = p.number("value", 1, 1e-9, 1e9);
    if (!p.has("value")) p.problem("value", "missing; expected a positive number of pods or percent");
    policy.period_s = p.number("period_s", 15, 1e-9, 1800);  // the API's limit: 1 to 1800 s
    p.reject_unknown();
    rule.policies.push_back(policy);
  }
  if (rule.policies.empty() && rule.select != "Disabled") r.problem("policies", "empty; expected at least one policy (or select_policy \"Disabled\")");
  r.reject_unknown();
  return rule;
}

std::string metric_name(const std::string& given) { return given.rfind("aidcsim_", 0) == 0 ? given : "aidcsim_service_" + given; }

bool per_replica(const MetricDecl& d) { return d.labels == std::vector<std::string>{"service", "replica"}; }

}  // namespace

std::vector<HpaTarget> read_hpa_targets(OptionReader& autoscaling) {
  std::vector<HpaTarget> targets;
  const nlohmann::json* services = autoscaling.raw("services");
  if (!services) return targets;
  if (!services->is_object()) {
    autoscaling.problem("services", fmt::format("found {}, expected an object of service name -> HPA settings", services->type_name()));
    return targets;
  }
  OptionReader all = autoscaling.nested("services");
  for (const auto& [name, value] : services->items()) {
    OptionReader r = all.nested(name);
    HpaTarget t;
    t.service = name;
    t.pointer = all.path(name);
    t.spec.min_replicas = r.integer("min_replicas", 1, 1, 100000);  // minReplicas >= 1 (HPAScaleToZero is alpha)
    t.spec.max_replicas = r.integer("max_replicas", 1, 1, 100000);
    if (!r.has("max_replicas")) r.problem("max_replicas", "missing; expected the largest replica count (>= min_replicas)");
    else if (t.spec.max_replicas < t.spec.min_replicas)
      r.problem("max_replicas", fmt::format("{} is below min_replicas ({})", t.spec.max_replicas, t.spec.min_replicas));
    t.metric = metric_name(r.text("metric", "requests_in_flight"));
    const MetricDecl* d = find_metric(t.metric);
    if (!d || !per_replica(*d)) {
      std::string known;
      for (const auto& m : metric_table())
        if (per_replica(m)) known += (known.empty() ? "" : ", ") + m.name.substr(std::string("aidcsim_service_").size());
      r.problem("metric", fmt::format("\"{}\" is not {} metric of the registry; expected one of: {} (aidcsim list metrics)",
                                      t.metric, d ? "a per-replica" : "a", known));
    }
    t.counter = d && d->type == "counter";
    t.spec.target = r.number("target", 1, 1e-9, 1e12);
    if (!r.has("target")) r.problem("target", "missing; expected the target average of the metric per replica");
    t.spec.tolerance = r.number("tolerance", 0.1, 0, 1e3);
    t.sync_period_s = r.number("sync_period_s", 15, 1e-3, kMaxTime_s);
    t.spec.downscale_stabilization_s = r.number("downscale_stabilization_s", 300, 0, kMaxTime_s);
    if (r.raw("behavior")) {
      OptionReader b = r.nested("behavior");
      t.spec.behavior = true;
      t.spec.up = read_rule(b, "scale_up", default_scale_up_rule());
      t.spec.down = read_rule(b, "scale_down", default_scale_down_rule());
      b.reject_unknown();
    } else {
      r.raw("behavior");
    }
    r.reject_unknown();
    targets.push_back(std::move(t));
  }
  return targets;
}

std::unique_ptr<ServiceAutoscaler> make_hpa(PolicyArgs& args) {
  return std::make_unique<HpaAutoscaler>(read_hpa_targets(args.options), args.options);
}

void HpaAutoscaler::configure(ScalableServices& services) {
  services_ = &services;
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    const HpaTarget& t = targets_[i];
    auto s = services.service_index(t.service);
    if (!s) {
      reader_->problem_at(t.pointer, fmt::format("no service named \"{}\" in workload.services", t.service));
      continue;
    }
    if (std::string why = services.not_scalable(*s); !why.empty()) {
      reader_->problem_at(t.pointer, why);
      continue;
    }
    if (t.spec.max_replicas < t.spec.min_replicas) continue;  // reported
    services.set_replica_range(*s, t.spec.min_replicas, t.spec.max_replicas);
    Scaled sc;
    sc.target = i;
    sc.service = *s;
    sc.controller = std::make_unique<HpaController>(t.spec);
    sc.lowest = sc.highest = services.replica_status(*s).desired;
    scaled_.push_back(std::move(sc));
  }
  reader_ = nullptr;
}

void HpaAutoscaler::start(EventQueue& queue, double start_s, Scraper& scraper) {
  queue_ = &queue;
  scraper_ = &scraper;
  start_s_ = start_s;
  for (std::size_t t = 0; t < scaled_.size(); ++t) queue.at(start_s, this, t, false);
}

void HpaAutoscaler::on_event(std::uint64_t payload, double now) {
  auto i = static_cast<std::size_t>(payload);
  Scaled& sc = scaled_[i];
  if (services_->replica_status(sc.service).over) return;  // no more requests: the syncs stop
  sync(i, now);
  ++sc.syncs;
  queue_->at(start_s_ + static_cast<double>(sc.syncs) * targets_[sc.target].sync_period_s, this, i, false);
}

void HpaAutoscaler::sync(std::size_t i, double now) {
  Scaled& sc = scaled_[i];
  const HpaTarget& target = targets_[sc.target];
  const ReplicaStatus st = services_->replica_status(sc.service);
  HpaObservation seen;
  seen.unready = st.unready;
  for (std::size_t i = 0; i < st.ready.size(); ++i) {
    const MetricLabels labels = {{"service", target.service}, {"replica", st.ready[i]}};
    seen.ready_values.push_back(target.counter ? scraper_->latest_rate(target.metric, labels, now, st.ready_since_s[i])
                                               : scraper_->latest(target.metric, labels, now, st.ready_since_s[i]));
  }
  HpaDecision d = sc.controller->sync(now, st.desired, seen);
  if (d.desired == st.desired) return;
  services_->scale(sc.service, d.desired, now);
  (d.desired > st.desired ? sc.ups : sc.downs) += 1;
  sc.lowest = std::min(sc.lowest, d.desired);
  sc.highest = std::max(sc.highest, d.desired);
  int with_samples = 0;
  for (const auto& v : seen.ready_values) with_samples += v ? 1 : 0;
  rows_.push_back({now, target.service, "service", st.desired, d.desired,
                   fmt::format("{} {} per replica / target {} over {} ready replicas ({} with samples, {} not ready): proposal {}; {}",
                               target.counter ? "rate(" + target.metric + ")" : target.metric, format_number(d.ratio * target.spec.target), format_number(target.spec.target),
                               st.ready.size(), with_samples, st.unready, d.proposal, d.reason)});
}

nlohmann::json HpaAutoscaler::summary(double) const {
  nlohmann::json out = nlohmann::json::object();
  for (const Scaled& sc : scaled_) {
    const HpaTarget& t = targets_[sc.target];
    out[t.service] = {{"policy", "hpa"},
                                {"metric", t.metric},
                                {"target", t.spec.target},
                                {"syncs", sc.syncs},
                                {"scale_events", sc.ups + sc.downs},
                                {"scale_ups", sc.ups},
                                {"scale_downs", sc.downs},
                                {"min_replicas_seen", sc.lowest},
                                {"max_replicas_seen", sc.highest},
                                {"replica_hours", services_->replica_seconds(sc.service) / 3600}};
  }
  return out;
}

}  // namespace aidcsim
