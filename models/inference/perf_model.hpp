#pragma once
// The latency of one LLM serving iteration from measurements (docs/inference.md): SplitwiseSim's
// `performance_model=db` on its perf_model.csv (shared/traces/llm-perf-splitwise). Per (model,
// hardware, tensor_parallel), two piecewise-linear functions of the batch's tokens x: the prompt
// (prefill) time and the token (decode) time. Repeated measurements of one x reduce to their median
// (CONTRACT.md §7); between measured x the time is interpolated linearly, beyond them extrapolated
// linearly from the two nearest points (scipy interp1d fill_value="extrapolate", as SplitwiseSim
// does), never below zero.
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/core/errors.hpp"

namespace aidcsim {

// y(x) through (x, y) knots sorted by x, linear inside and extrapolated outside.
class PiecewiseLinear {
 public:
  PiecewiseLinear() = default;
  explicit PiecewiseLinear(std::vector<std::pair<double, double>> knots);
  double operator()(double x) const;
  const std::vector<std::pair<double, double>>& knots() const { return knots_; }

 private:
  std::vector<std::pair<double, double>> knots_;
};

// What an iteration processes: prompt tokens of the prefills in it and the number of decodes.
struct IterationShape {
  long long prefill_tokens = 0;
  long long decodes = 0;
};

class LlmPerfModel {
 public:
  // Reads perf_model.csv; problems (missing columns, bad numbers) name the file and line.
  static LlmPerfModel read(const std::string& path, ProblemList& problems);

  struct Key {
    std::string model, hardware;
    int tensor_parallel = 0;
    bool operator<(const Key& o) const {
      return std::tie(model, hardware, tensor_parallel) < std::tie(o.model, o.hardware, o.tensor_parallel);
    }
  };
  // A model of given curves (hand-checked scenarios use linear toy costs): `mixed_factor` scales the
  // prompt curve for iterations mixing prefills and decodes (1.1 in SplitwiseSim).
  static LlmPerfModel from_curves(const Key& k, PiecewiseLinear prompt, PiecewiseLinear token, double mixed_factor = 1.1);
  bool has(const Key& k) const { return curves_.count(k) > 0; }
  std::vector<Key> keys() const;
  // Seconds of one iteration (SplitwiseSim get_iteration_duration): prefill only -> prompt(x = prompt
  // tokens); decodes only -> token(x = decodes); both -> mixed_factor (1.1) x prompt(x = prompt tokens + decodes).
  double iteration_s(const Key& k, const IterationShape& shape) const;
  double prompt_s(const Key& k, double tokens) const { return curves_.at(k).first(tokens); }
  double token_s(const Key& k, double tokens) const { return curves_.at(k).second(tokens); }

 private:
  std::map<Key, std::pair<PiecewiseLinear, PiecewiseLinear>> curves_;  // (prompt, token) per key
  double mixed_factor_ = 1.1;
};

}  // namespace aidcsim
