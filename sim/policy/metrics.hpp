#pragma once
// The metrics registry (docs/monitoring.md#metrics): every quantity a scrape can read, named and
// labelled the Prometheus way. Concerns expose their current values through a MetricSource; the
// scraper (models/monitoring/) stores what it reads, and the policies that read metrics (alert rules,
// autoscalers) see only those scraped values, never the simulator's state.
#include <functional>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/events.hpp"

namespace aidcsim {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;  // (name, value), in declaration order

struct MetricDecl {
  std::string name;                 // "aidcsim_jobs_pending"
  std::string type;                 // "gauge" or "counter"
  std::vector<std::string> labels;  // label names
  std::string help;                 // one line, for `aidcsim list metrics`
};
// Every metric aidcsim can expose, in a stable order.
const std::vector<MetricDecl>& metric_table();
const MetricDecl* find_metric(const std::string& name);

// Receives one value of a metric: (name from metric_table(), its labels, value).
using MetricSink = std::function<void(const std::string& name, const MetricLabels& labels, double value)>;

class MetricSource {
 public:
  virtual ~MetricSource() = default;
  // Reports the current value of each of its metrics at `now`.
  virtual void collect(double now, const MetricSink& sink) = 0;
};

// Scrapes the metric sources on the core's event queue and evaluates rules on what it scraped
// (monitoring.alerts; models/monitoring/alerting.cpp). Made for every run; enabled() says whether the
// scenario asks for anything (otherwise nothing is scheduled and nothing is written).
class Scraper {
 public:
  virtual ~Scraper() = default;
  virtual bool enabled() const = 0;
  // Schedules the scrapes and evaluations from `start_s` (the first submission) on `queue`.
  virtual void start(EventQueue& queue, double start_s, std::vector<MetricSource*> sources) = 0;
  // Its output files (name, content) and its summary.json section, as of `end_s`.
  virtual std::vector<std::pair<std::string, std::string>> files() const = 0;
  virtual nlohmann::json summary(double end_s) const = 0;
  // What a controller reading metrics sees at `now` (an autoscaler): the newest scraped sample of the
  // series `name{labels}` visible then and within Prometheus' 5 min lookback, or none. A scrape due at
  // `now` is taken first. Only once start() ran. Samples scraped before `not_before_s` do not count (a
  // replica that came back is a new pod: its old series is another's).
  virtual std::optional<double> latest(const std::string& name, const MetricLabels& labels, double now,
                                       double not_before_s = -1e300) = 0;
  // The per-second rate of the counter `name{labels}` between its two newest samples visible at `now`
  // within the lookback and scraped from `not_before_s` on (PromQL's irate; a counter reset gives the
  // newer value over the gap, as irate does), or none when fewer than two such samples exist.
  virtual std::optional<double> latest_rate(const std::string& name, const MetricLabels& labels, double now,
                                            double not_before_s = -1e300) = 0;
  // A controller reads metrics: the scrapes run even when no rule or output asks for them.
  virtual void require() = 0;
  // Whether the scenario asks monitoring for outputs (alert rules, write_scrapes): files() and summary()
  // are written only then.
  virtual bool reports() const = 0;
};

}  // namespace aidcsim
