#include "models/inference/perf_model.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "models/traces/readers.hpp"
#include "sim/core/csv.hpp"

namespace aidcsim {

PiecewiseLinear::PiecewiseLinear(std::vector<std::pair<double, double>> knots) : knots_(std::move(knots)) {
  std::sort(knots_.begin(), knots_.end());
}

double PiecewiseLinear::operator()(double x) const {
  if (knots_.empty()) return 0;
  if (knots_.size() == 1) return std::max(0.0, knots_.front().second);
  // The segment holding x, or the first / last one to extrapolate from.
  auto hi = std::upper_bound(knots_.begin(), knots_.end(), x, [](double v, const auto& k) { return v < k.first; });
  if (hi == knots_.begin()) ++hi;
  if (hi == knots_.end()) --hi;
  auto lo = hi - 1;
  double slope = (hi->second - lo->second) / (hi->first - lo->first);
  return std::max(0.0, lo->second + slope * (x - lo->first));
}

static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

LlmPerfModel LlmPerfModel::read(const std::string& path, ProblemList& problems) {
  LlmPerfModel m;
  LineInput in(path);
  auto header = read_trace_header(in, path, "perf_model",
                                  {"model", "hardware", "prompt_size", "batch_size", "prompt_time", "token_time",
                                   "tensor_parallel"},
                                  problems);
  if (!header) return m;
  const int c_model = header->index("model"), c_hw = header->index("hardware"), c_prompt = header->index("prompt_size"),
            c_batch = header->index("batch_size"), c_pt = header->index("prompt_time"), c_tt = header->index("token_time"),
            c_tp = header->index("tensor_parallel");
  // x = prompt_size x batch_size -> measured prompt and token times (s), per key.
  std::map<Key, std::map<double, std::pair<std::vector<double>, std::vector<double>>>> samples;
  for_each_row(in, path, *header, problems, FieldCount::at_least_header, [&](RowReader& row) {
    Key k{row.text(c_model), row.text(c_hw), static_cast<int>(row.integer(c_tp, 0, 1, 1024, "an integer >= 1", true))};
    double prompt = row.number(c_prompt, 0, 0, true, "a number > 0", true);
    double batch = row.number(c_batch, 0, 0, true, "a number > 0", true);
    double prompt_ms = row.number(c_pt, 0, 0, false, "a number >= 0 (ms)", true);
    double token_ms = row.number(c_tt, 0, 0, false, "a number >= 0 (ms)", true);
    if (k.model.empty()) row.fail(c_model, "empty model");
    if (!row.ok) return;
    auto& s = samples[k][prompt * batch];
    s.first.push_back(prompt_ms / 1000);
    s.second.push_back(token_ms / 1000);
  });
  for (auto& [k, by_x] : samples) {
    std::vector<std::pair<double, double>> prompt, token;
    for (auto& [x, s] : by_x) {
      prompt.emplace_back(x, median(s.first));
      token.emplace_back(x, median(s.second));
    }
    m.curves_[k] = {PiecewiseLinear(std::move(prompt)), PiecewiseLinear(std::move(token))};
  }
  if (m.curves_.empty() && problems.empty()) problems.add(path, 0, "", "no measurement rows; expected SplitwiseSim's perf_model.csv");
  return m;
}

std::vector<LlmPerfModel::Key> LlmPerfModel::keys() const {
  std::vector<Key> out;
  for (const auto& [k, _] : curves_) out.push_back(k);
  return out;
}

double LlmPerfModel::iteration_s(const Key& k, const IterationShape& shape) const {
  const auto& [prompt, token] = curves_.at(k);
  if (shape.prefill_tokens > 0 && shape.decodes == 0) return prompt(static_cast<double>(shape.prefill_tokens));
  if (shape.prefill_tokens == 0) return token(static_cast<double>(shape.decodes));
  return mixed_factor_ * prompt(static_cast<double>(shape.prefill_tokens + shape.decodes));
}

LlmPerfModel LlmPerfModel::from_curves(const Key& k, PiecewiseLinear prompt, PiecewiseLinear token, double mixed_factor) {
  LlmPerfModel m;
  m.curves_[k] = {std::move(prompt), std::move(token)};
  m.mixed_factor_ = mixed_factor;
  return m;
}

}  // namespace aidcsim
