#pragma once
// What the scraper stored: one time series per (metric, label set), each a list of (scrape time,
// value). A sample scraped at s is visible to a query at t only once s + scrape_delay_s <= t: what
// monitoring had received by then (docs/monitoring.md#scraping).
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/policy/metrics.hpp"

namespace aidcsim {

struct SeriesPoint {
  double t_s;
  double value;
};

struct Series {
  std::map<std::string, std::string> labels;  // sorted by name
  std::vector<SeriesPoint> points;            // in time order
};

class SeriesStore {
 public:
  explicit SeriesStore(double delay_s = 0) : delay_s_(delay_s) {}
  void add(const std::string& name, const MetricLabels& labels, double t_s, double value) {
    std::map<std::string, std::string> sorted(labels.begin(), labels.end());
    Series& s = by_name_[name][key_of(sorted)];
    if (s.points.empty()) s.labels = std::move(sorted);
    s.points.push_back({t_s, value});
  }
  // The series of a metric (none: empty), by label key.
  const std::map<std::string, Series>& series(const std::string& name) const {
    static const std::map<std::string, Series> none;
    auto it = by_name_.find(name);
    return it == by_name_.end() ? none : it->second;
  }
  double delay_s() const { return delay_s_; }
  // Forgets the points scraped at or before `t_s` (no rule can see them any more).
  void drop_until(double t_s) {
    for (auto& [name, by_key] : by_name_)
      for (auto& [key, s] : by_key) {
        auto keep = std::find_if(s.points.begin(), s.points.end(), [&](const SeriesPoint& p) { return p.t_s > t_s; });
        s.points.erase(s.points.begin(), keep);
      }
  }
  const std::map<std::string, std::map<std::string, Series>>& all() const { return by_name_; }
  // The series `name{labels}`, or null.
  const Series* find(const std::string& name, const MetricLabels& labels) const {
    const auto& by_key = series(name);
    auto it = by_key.find(key_of({labels.begin(), labels.end()}));
    return it == by_key.end() ? nullptr : &it->second;
  }
  // The newest point of `s` visible at `t_s` within `window_s` before it (an instant selector's lookback).
  // Points scraped before `not_before_s` do not count.
  std::optional<double> newest_visible(const Series& s, double t_s, double window_s, double not_before_s = -1e300) const {
    std::optional<double> value;
    visible_points(s, t_s - window_s, t_s, t_s, [&](const SeriesPoint& p) {
      if (!value && p.t_s >= not_before_s) value = p.value;
    });
    return value;
  }
  // Points of `s` scraped in (from_s, to_s] and visible at `query_s`.
  template <class F>
  void visible_points(const Series& s, double from_s, double to_s, double query_s, F&& f) const {
    for (auto it = s.points.rbegin(); it != s.points.rend(); ++it) {
      if (it->t_s <= from_s) break;
      if (it->t_s <= to_s && it->t_s + delay_s_ <= query_s) f(*it);
    }
  }

 private:
  static std::string key_of(const std::map<std::string, std::string>& sorted) {
    std::string key;
    for (const auto& [k, v] : sorted) key += k + '\x1f' + v + '\x1e';
    return key;
  }
  double delay_s_;
  std::map<std::string, std::map<std::string, Series>> by_name_;
};

}  // namespace aidcsim
