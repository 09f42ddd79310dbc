#include "models/inference/requests.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <unordered_set>

#include "models/traces/readers.hpp"
#include "sim/core/csv.hpp"
#include "sim/core/rng.hpp"

namespace aidcsim {

namespace {
constexpr long long kMaxTokens = 10'000'000;  // far beyond any model's context
}

std::vector<LlmRequest> read_native_requests(const std::string& path, ProblemList& problems) {
  std::vector<LlmRequest> out;
  LineInput in(path);
  auto header = read_trace_header(in, path, "native-requests", {"request_id", "arrival_s", "prompt_tokens", "output_tokens"},
                                  problems);
  if (!header) return out;
  const int c_id = header->index("request_id"), c_arrival = header->index("arrival_s"),
            c_prompt = header->index("prompt_tokens"), c_output = header->index("output_tokens");
  std::unordered_set<std::string> seen;
  for_each_row(in, path, *header, problems, FieldCount::at_least_header, [&](RowReader& row) {
    LlmRequest r;
    r.request_id = row.text(c_id);
    if (r.request_id.empty()) row.fail(c_id, "empty request_id; expected a unique string");
    else if (!seen.insert(r.request_id).second)
      row.fail(c_id, fmt::format("duplicate request_id \"{}\"; expected unique ids", r.request_id));
    r.arrival_s = row.seconds(c_arrival, 0, false, true);
    r.prompt_tokens = row.integer(c_prompt, 0, 1, kMaxTokens, "an integer >= 1", true);
    r.output_tokens = row.integer(c_output, 0, 1, kMaxTokens, "an integer >= 1", true);
    if (row.ok) out.push_back(std::move(r));
  });
  return out;
}

std::vector<LlmRequest> read_azure_llm_requests(const std::string& path, ProblemList& problems) {
  std::vector<LlmRequest> out;
  LineInput in(path);
  auto header = read_trace_header(in, path, "azure-llm", {"TIMESTAMP", "ContextTokens", "GeneratedTokens"}, problems);
  if (!header) return out;
  const int c_time = header->index("TIMESTAMP"), c_prompt = header->index("ContextTokens"),
            c_output = header->index("GeneratedTokens");
  double first_s = 0;
  for_each_row(in, path, *header, problems, FieldCount::at_least_header, [&](RowReader& row) {
    LlmRequest r;
    r.request_id = std::to_string(out.size());  // the row's position among the requests, from 0
    auto t = parse_civil_time(row.text(c_time));
    if (!t) row.fail(c_time, "expected a time \"YYYY-MM-DD HH:MM:SS[.fraction]\"");
    r.prompt_tokens = row.integer(c_prompt, 0, 1, kMaxTokens, "an integer >= 1", true);
    r.output_tokens = row.integer(c_output, 0, 1, kMaxTokens, "an integer >= 1", true);
    if (!row.ok) return;
    if (out.empty()) first_s = *t;
    r.arrival_s = *t - first_s;
    if (r.arrival_s < 0) {
      row.fail(c_time, "earlier than the first row; expected rows in time order");
      return;
    }
    out.push_back(std::move(r));
  });
  return out;
}

namespace {
// The rate of a profile at t: linear between its knots, flat before the first and after the last.
class PiecewiseLinearRate {
 public:
  explicit PiecewiseLinearRate(const std::vector<std::pair<double, double>>& knots) : knots_(knots) {}
  double operator()(double t) const {
    if (knots_.empty()) return 0;
    if (t <= knots_.front().first) return knots_.front().second;
    if (t >= knots_.back().first) return knots_.back().second;
    auto hi = std::upper_bound(knots_.begin(), knots_.end(), t, [](double v, const auto& k) { return v < k.first; });
    auto lo = hi - 1;
    return lo->second + (hi->second - lo->second) * (t - lo->first) / (hi->first - lo->first);
  }

 private:
  const std::vector<std::pair<double, double>>& knots_;
};
}  // namespace

std::vector<LlmRequest> generate_poisson_requests(const PoissonRequests& o, std::uint64_t seed) {
  std::vector<LlmRequest> out;
  std::mt19937_64 rng(seed);
  auto unit = [&] { return static_cast<double>(rng() >> 11) * 0x1.0p-53; };  // [0, 1), 53 bits
  auto tokens = [&](const TokenCounts& c) {
    if (!c.sample_from.empty()) return c.sample_from[uniform_below(rng, c.sample_from.size())];
    return c.min + static_cast<long long>(uniform_below(rng, static_cast<std::uint64_t>(c.max - c.min + 1)));
  };
  // With a profile: thinning (Lewis and Shedler 1979): candidates at the largest rate, each kept with
  // probability rate(t) / largest rate.
  double peak = o.rate_per_s;
  for (const auto& [_, rate] : o.rate_profile) peak = std::max(peak, rate);
  const PiecewiseLinearRate profile(o.rate_profile);
  double t = o.start_s;
  while (o.count < 0 || static_cast<long long>(out.size()) < o.count) {
    t += -std::log1p(-unit()) / (o.rate_profile.empty() ? o.rate_per_s : peak);  // exponential gaps: inverse transform, portable
    if (t >= o.start_s + o.duration_s) break;
    if (!o.rate_profile.empty() && unit() * peak >= profile(t)) continue;
    LlmRequest r;
    r.request_id = std::to_string(out.size());
    r.arrival_s = t;
    r.prompt_tokens = tokens(o.prompt);
    r.output_tokens = tokens(o.output);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<LlmRequest> shape_requests(std::vector<LlmRequest> requests, const RequestTraceOptions& o) {
  std::vector<LlmRequest> out;
  out.reserve(requests.size());
  for (auto& r : requests) {
    if (r.arrival_s < o.window_start_s || (o.window_end_s >= 0 && r.arrival_s >= o.window_end_s)) continue;
    r.arrival_s = (r.arrival_s - o.window_start_s) * o.time_scale;
    out.push_back(std::move(r));
  }
  std::stable_sort(out.begin(), out.end(), [](const LlmRequest& a, const LlmRequest& b) { return a.arrival_s < b.arrival_s; });
  if (o.limit >= 0 && static_cast<long long>(out.size()) > o.limit) out.resize(static_cast<std::size_t>(o.limit));
  return out;
}

}  // namespace aidcsim
