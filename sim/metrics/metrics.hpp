#pragma once
// Statistics over completed jobs (CONTRACT.md §5). Pure functions, unit-tested without SimGrid.
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

namespace aidcsim {

// Nearest-rank percentile: the smallest value with at least p% of the values <= it. `sorted` ascending.
std::optional<double> nearest_rank(const std::vector<double>& sorted, double p);

struct Stats {
  std::optional<double> mean, p50, p95, p99, max;
};
Stats compute_stats(std::vector<double> values);
nlohmann::json to_json(const Stats& s);

// Time-weighted mean of a step function given as (time, value) change points over [from, to]:
// each value holds from its time until the next change point.
double time_weighted_mean(const std::vector<std::pair<double, double>>& steps, double from, double to);

// Rounds to 6 decimals for output, so tiny floating-point noise cannot differ between runs or paths.
double round6(double x);

}  // namespace aidcsim
