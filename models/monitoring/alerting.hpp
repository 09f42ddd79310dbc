#pragma once
// Scraping and alert rules (monitoring.scrape_interval_s, scrape_delay_s, evaluation_interval_s,
// alerts; docs/monitoring.md). Every scrape_interval_s from the first submission the scraper reads
// every metric source into its series store; every evaluation_interval_s (after
// evaluation_offset_s) each alert rule is evaluated on what was scraped and visible then, with
// Prometheus' pending -> firing -> resolved states (rules/alerting.go). Both are events of the core's
// queue that do not keep the run alive.
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/monitoring/promql.hpp"
#include "models/monitoring/series_store.hpp"
#include "sim/config/options.hpp"
#include "sim/core/registry.hpp"
#include "sim/core/events.hpp"
#include "sim/policy/metrics.hpp"

namespace aidcsim {

struct AlertRule {
  std::string name, expr_text, severity;
  double for_s = 0, keep_firing_for_s = 0;
  PromExpr expr;
};

struct MonitoringConfig {
  double scrape_interval_s = 60, scrape_delay_s = 0, evaluation_interval_s = 60, evaluation_offset_s = 0;
  std::vector<AlertRule> alerts;
  bool write_scrapes = false;  // scrapes.om: every scraped sample, in OpenMetrics text
  bool enabled() const { return !alerts.empty() || write_scrapes; }
};

// Reads the scraping keys and monitoring.alerts from `monitoring` (problems go to its reader).
MonitoringConfig read_monitoring_config(OptionReader& monitoring);
// The registry's factory (models/builtin.cpp): the options are the monitoring section.
std::unique_ptr<Scraper> make_prometheus_scraper(PolicyArgs& args);

class Alerting final : public Scraper, private EventHandler {
 public:
  explicit Alerting(MonitoringConfig config);
  bool enabled() const override { return config_.enabled() || required_; }
  void require() override { required_ = true; }
  bool reports() const override { return config_.enabled(); }
  // Schedules the first scrape and evaluation at `start_s` (the first submission) on `queue`.
  void start(EventQueue& queue, double start_s, std::vector<MetricSource*> sources) override;
  // alerts.csv, and scrapes.om when monitoring.write_scrapes.
  std::vector<std::pair<std::string, std::string>> files() const override;
  // alerts.csv (header included) and summary.json's "alerts", as of `end_s`.
  std::string alerts_csv() const;
  nlohmann::json summary(double end_s) const override;
  std::optional<double> latest(const std::string& name, const MetricLabels& labels, double now,
                               double not_before_s = -1e300) override;
  std::optional<double> latest_rate(const std::string& name, const MetricLabels& labels, double now,
                                    double not_before_s = -1e300) override;
  // scrapes.om: every scraped sample in OpenMetrics text (timestamps in seconds, `# EOF`), which
  // `promtool tsdb create-blocks-from openmetrics` loads into a Prometheus TSDB.
  std::string openmetrics() const;
  const SeriesStore& store() const { return store_; }

 private:
  struct Alert {
    std::size_t rule = 0;
    std::map<std::string, std::string> labels;
    double active_s = 0, fired_s = -1, resolved_s = -1, keep_firing_since_s = -1;
    double value = 0, value_at_firing = 0;
  };
  void on_event(std::uint64_t payload, double now) override;
  void scrape(double now);
  void scrape_if_due(double now);
  void evaluate(double now);

  MonitoringConfig config_;
  bool required_ = false;  // a controller reads the scrapes (Scraper::require)
  std::vector<MetricSource*> sources_;
  SeriesStore store_;
  EventQueue* queue_ = nullptr;
  double start_s_ = 0;
  std::uint64_t scrapes_ = 0, evaluations_ = 0;
  std::vector<Alert> log_;                  // every alert instance, in the order they went pending
  std::vector<std::vector<std::size_t>> active_;  // per rule: indices into log_ of pending/firing ones
};

}  // namespace aidcsim
