#pragma once
// The PromQL subset of alert rules (CONTRACT.md §7; docs/monitoring.md#alert-rules):
//   [sum|avg|max|min|count [by (l, ...)]] ( selector | range_fn(selector[duration]) ) [by (l, ...)]  OP  number
// selector = metric{label="v", label!="v", label=~"re", label!~"re"}; range_fn = avg_over_time,
// max_over_time, min_over_time, sum_over_time, count_over_time, last_over_time, rate, increase;
// OP = > < >= <= == !=. Evaluated as Prometheus evaluates it (instant lookback 5 m, range (t - d, t]).
#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "models/monitoring/series_store.hpp"

namespace aidcsim {

struct PromElement {
  std::map<std::string, std::string> labels;
  double value = 0;
};

class PromExpr {
 public:
  // Parses `text`; on failure returns nullopt with `error` saying what was expected where.
  static std::optional<PromExpr> parse(const std::string& text, std::string& error);
  // The elements for which the comparison holds at query time t_s (their value: the left side's).
  std::vector<PromElement> eval(const SeriesStore& store, double t_s) const;
  const std::string& metric() const { return metric_; }
  // How far back it looks from its query time (the lookback, or its range).
  double window_s() const { return std::max(kLookback_s, range_s_); }

  static constexpr double kLookback_s = 300;  // --query.lookback-delta

 private:
  struct Matcher {
    std::string label, op, value;
    std::shared_ptr<std::regex> re;  // =~ and !~: fully anchored, as Prometheus' RE2 matchers
    bool matches(const std::map<std::string, std::string>& labels) const;
  };
  std::string metric_;
  std::vector<Matcher> matchers_;
  std::string range_fn_;  // "" = instant selector
  double range_s_ = 0;
  std::string aggregation_;  // "" = none
  std::vector<std::string> by_;
  std::string op_;
  double threshold_ = 0;
  std::vector<PromElement> select(const SeriesStore& store, double t_s) const;
};

// Prometheus' duration ("90s", "5m", "1h30m", "2d"), in seconds; nullopt when malformed.
std::optional<double> parse_prom_duration(const std::string& text);

}  // namespace aidcsim
