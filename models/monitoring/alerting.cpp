#include "models/monitoring/alerting.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "sim/core/csv.hpp"
#include "sim/core/types.hpp"
#include "sim/core/units.hpp"

namespace aidcsim {
namespace {

enum Kind : std::uint64_t { kScrape = 0, kEvaluate = 1 };
std::uint64_t pack(Kind kind, std::uint64_t k) { return (k << 1) | kind; }

std::string labels_text(const std::map<std::string, std::string>& labels) {
  std::string out = "{";
  for (const auto& [k, v] : labels) out += fmt::format("{}{}=\"{}\"", out.size() > 1 ? "," : "", k, v);
  return out + "}";
}

}  // namespace

MonitoringConfig read_monitoring_config(OptionReader& r) {
  MonitoringConfig c;
  c.scrape_interval_s = r.number("scrape_interval_s", 60, 1e-3, kMaxTime_s);
  c.scrape_delay_s = r.number("scrape_delay_s", 0, 0, kMaxTime_s);
  c.evaluation_interval_s = r.number("evaluation_interval_s", 60, 1e-3, kMaxTime_s);
  c.evaluation_offset_s = r.number("evaluation_offset_s", 0, 0, kMaxTime_s);
  c.write_scrapes = r.boolean("write_scrapes", false);
  if (c.evaluation_offset_s >= c.evaluation_interval_s && r.has("evaluation_offset_s"))
    r.problem("evaluation_offset_s", fmt::format("{} s is not below evaluation_interval_s ({} s)", format_number(c.evaluation_offset_s),
                                                 format_number(c.evaluation_interval_s)));
  std::set<std::string> names;
  for (OptionReader& a : r.items("alerts")) {
    AlertRule rule;
    rule.name = a.text("name", "");
    if (rule.name.empty()) a.problem("name", "missing; expected the alert's name");
    else if (!names.insert(rule.name).second) a.problem("name", fmt::format("alert \"{}\" is declared twice", rule.name));
    rule.expr_text = a.text("expr", "");
    rule.for_s = a.number("for_s", 0, 0, kMaxTime_s);
    rule.keep_firing_for_s = a.number("keep_firing_for_s", 0, 0, kMaxTime_s);
    rule.severity = a.text("severity", "warning");
    a.reject_unknown();
    std::string error;
    if (rule.expr_text.empty()) {
      a.problem("expr", "missing; expected a PromQL expression such as \"aidcsim_jobs_pending > 10\"");
      continue;
    }
    auto expr = PromExpr::parse(rule.expr_text, error);
    if (!expr) {
      a.problem("expr", fmt::format("\"{}\": {}", rule.expr_text, error));
      continue;
    }
    if (!find_metric(expr->metric())) {
      std::string known;
      for (const auto& d : metric_table()) known += (known.empty() ? "" : ", ") + d.name;
      a.problem("expr", fmt::format("metric \"{}\" is not in the registry; expected one of: {} (aidcsim list metrics)",
                                    expr->metric(), known));
      continue;
    }
    rule.expr = std::move(*expr);
    c.alerts.push_back(std::move(rule));
  }
  return c;
}

std::unique_ptr<Scraper> make_prometheus_scraper(PolicyArgs& args) {
  return std::make_unique<Alerting>(read_monitoring_config(args.options));
}

Alerting::Alerting(MonitoringConfig config)
    : config_(std::move(config)), store_(config_.scrape_delay_s), active_(config_.alerts.size()) {}

std::vector<std::pair<std::string, std::string>> Alerting::files() const {
  std::vector<std::pair<std::string, std::string>> out = {{"alerts.csv", alerts_csv()}};
  if (config_.write_scrapes) out.emplace_back("scrapes.om", openmetrics());
  return out;
}

void Alerting::start(EventQueue& queue, double start_s, std::vector<MetricSource*> sources) {
  sources_ = std::move(sources);
  queue_ = &queue;
  start_s_ = start_s;
  queue.at(start_s, this, pack(kScrape, 0), false);
  queue.at(start_s + config_.evaluation_offset_s, this, pack(kEvaluate, 0), false);
}

void Alerting::on_event(std::uint64_t payload, double now) {
  auto kind = static_cast<Kind>(payload & 1);
  std::uint64_t k = payload >> 1;
  if (kind == kScrape) {
    if (k != scrapes_) return;  // done already, by an evaluation at the same instant
    scrape(now);
    return;
  }
  scrape_if_due(now);
  evaluate(now);
  ++evaluations_;
  queue_->at(start_s_ + config_.evaluation_offset_s + static_cast<double>(evaluations_) * config_.evaluation_interval_s, this,
             pack(kEvaluate, evaluations_), false);
}

std::optional<double> Alerting::latest(const std::string& name, const MetricLabels& labels, double now, double not_before_s) {
  if (queue_) scrape_if_due(now);
  const Series* s = store_.find(name, labels);
  return s ? store_.newest_visible(*s, now, PromExpr::kLookback_s, not_before_s) : std::nullopt;
}

std::optional<double> Alerting::latest_rate(const std::string& name, const MetricLabels& labels, double now,
                                           double not_before_s) {
  if (queue_) scrape_if_due(now);
  const Series* s = store_.find(name, labels);
  if (!s) return std::nullopt;
  std::vector<SeriesPoint> newest;  // newest first
  store_.visible_points(*s, now - PromExpr::kLookback_s, now, now, [&](const SeriesPoint& p) {
    if (newest.size() < 2 && p.t_s >= not_before_s) newest.push_back(p);
  });
  if (newest.size() < 2 || newest[0].t_s <= newest[1].t_s) return std::nullopt;
  double increase = newest[0].value >= newest[1].value ? newest[0].value - newest[1].value : newest[0].value;
  return increase / (newest[0].t_s - newest[1].t_s);
}

void Alerting::scrape_if_due(double now) {
  // A scrape due at this very instant comes first, whatever order the events were queued in.
  if (start_s_ + static_cast<double>(scrapes_) * config_.scrape_interval_s <= now) scrape(now);
}

void Alerting::scrape(double now) {
  for (MetricSource* source : sources_)
    source->collect(now, [&](const std::string& name, const MetricLabels& labels, double value) { store_.add(name, labels, now, value); });
  ++scrapes_;
  // Unless every sample is written out, keep only what a rule can still see (memory stays bounded on
  // long runs): every 1,000 scrapes, drop what is older than the widest window plus the delay.
  if (!config_.write_scrapes && scrapes_ % 1000 == 0) {
    double window_s = PromExpr::kLookback_s;
    for (const auto& rule : config_.alerts) window_s = std::max(window_s, rule.expr.window_s());
    store_.drop_until(now - window_s - config_.scrape_delay_s - config_.evaluation_interval_s);
  }
  queue_->at(start_s_ + static_cast<double>(scrapes_) * config_.scrape_interval_s, this, pack(kScrape, scrapes_), false);
}

void Alerting::evaluate(double now) {
  for (std::size_t r = 0; r < config_.alerts.size(); ++r) {
    const AlertRule& rule = config_.alerts[r];
    std::vector<PromElement> elements = rule.expr.eval(store_, now);
    std::vector<std::size_t> still;
    std::set<std::size_t> seen;
    for (const auto& e : elements) {
      auto it = std::find_if(active_[r].begin(), active_[r].end(), [&](std::size_t a) { return log_[a].labels == e.labels; });
      std::size_t a;
      if (it == active_[r].end()) {
        a = log_.size();
        log_.push_back({r, e.labels, now, -1, -1, -1, e.value, 0});
        active_[r].push_back(a);
      } else {
        a = *it;
      }
      Alert& alert = log_[a];
      alert.value = e.value;
      alert.keep_firing_since_s = -1;
      if (alert.fired_s < 0 && now - alert.active_s >= rule.for_s) {
        alert.fired_s = now;
        alert.value_at_firing = e.value;
      }
      seen.insert(a);
    }
    for (std::size_t a : active_[r]) {
      Alert& alert = log_[a];
      if (!seen.count(a)) {
        if (alert.fired_s >= 0 && rule.keep_firing_for_s > 0) {
          if (alert.keep_firing_since_s < 0) alert.keep_firing_since_s = now;
          if (now - alert.keep_firing_since_s < rule.keep_firing_for_s) {
            still.push_back(a);
            continue;
          }
        }
        alert.resolved_s = now;  // a pending alert is dropped, a firing one resolved
        continue;
      }
      still.push_back(a);
    }
    active_[r] = std::move(still);
  }
}

std::string Alerting::alerts_csv() const {
  std::string out = "rule,labels,pending_s,firing_s,resolved_s,value,severity\n";
  for (const Alert& a : log_) {
    const AlertRule& rule = config_.alerts[a.rule];
    append_csv_field(out, rule.name);
    out += ',';
    append_csv_field(out, labels_text(a.labels));
    for (double x : {a.active_s, a.fired_s >= 0 ? a.fired_s : NAN, a.resolved_s >= 0 ? a.resolved_s : NAN,
                     a.fired_s >= 0 ? a.value_at_firing : a.value}) {
      out += ',';
      append_number(out, x);
    }
    out += ',';
    append_csv_field(out, rule.severity);
    out += '\n';
  }
  return out;
}

std::string Alerting::openmetrics() const {
  std::string out;
  for (const MetricDecl& d : metric_table()) {
    const auto& series = store_.series(d.name);
    if (series.empty()) continue;
    // A counter's family is its name without _total (OpenMetrics).
    bool counter = d.type == "counter";
    std::string family = counter ? d.name.substr(0, d.name.size() - 6) : d.name;
    out += fmt::format("# TYPE {} {}\n# HELP {} {}\n", family, d.type, family, d.help);
    for (const auto& [key, s] : series) {
      std::string name = d.name + (s.labels.empty() ? "" : labels_text(s.labels));
      for (const auto& p : s.points) out += fmt::format("{} {} {}\n", name, format_number(p.value), format_number(p.t_s));
    }
  }
  return out + "# EOF\n";
}

nlohmann::json Alerting::summary(double end_s) const {
  nlohmann::json rules = nlohmann::json::object();
  for (const auto& rule : config_.alerts) rules[rule.name] = {{"severity", rule.severity}, {"activations", 0}, {"firings", 0}, {"firing_s", 0.0}};
  for (const Alert& a : log_) {
    nlohmann::json& r = rules[config_.alerts[a.rule].name];
    r["activations"] = r["activations"].get<long long>() + 1;
    if (a.fired_s < 0) continue;
    r["firings"] = r["firings"].get<long long>() + 1;
    r["firing_s"] = r["firing_s"].get<double>() + ((a.resolved_s >= 0 ? a.resolved_s : end_s) - a.fired_s);
  }
  for (auto& [name, r] : rules.items()) r["firing_s"] = std::round(r["firing_s"].get<double>() * 1e6) / 1e6;
  return {{"scrapes", scrapes_}, {"evaluations", evaluations_}, {"rules", rules}};
}

}  // namespace aidcsim
