#include "sim/metrics/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace aidcsim {

std::optional<double> nearest_rank(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return std::nullopt;
  auto n = static_cast<double>(sorted.size());
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * n));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

Stats compute_stats(std::vector<double> values) {
  Stats s;
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  // Kahan-free but order-fixed summation: values are sorted, so the result is deterministic.
  s.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  s.p50 = nearest_rank(values, 50);
  s.p95 = nearest_rank(values, 95);
  s.p99 = nearest_rank(values, 99);
  s.max = values.back();
  return s;
}

double round6(double x) {
  double r = std::round(x * 1e6) / 1e6;
  return r == 0 ? 0 : r;
}

static nlohmann::json number_or_null(const std::optional<double>& v) {
  return v ? nlohmann::json(round6(*v)) : nlohmann::json(nullptr);
}

nlohmann::json to_json(const Stats& s) {
  return {{"mean", number_or_null(s.mean)}, {"p50", number_or_null(s.p50)}, {"p95", number_or_null(s.p95)},
          {"p99", number_or_null(s.p99)},   {"max", number_or_null(s.max)}};
}

double time_weighted_mean(const std::vector<std::pair<double, double>>& steps, double from, double to) {
  if (to <= from) return 0;
  double area = 0;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    double start = std::max(steps[i].first, from);
    double end = std::min(i + 1 < steps.size() ? steps[i + 1].first : to, to);
    if (end > start) area += steps[i].second * (end - start);
  }
  return area / (to - from);
}

}  // namespace aidcsim
