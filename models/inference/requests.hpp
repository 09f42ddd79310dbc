#pragma once
// LLM request traces (CONTRACT.md §7): `native-requests` (request_id,arrival_s,prompt_tokens,
// output_tokens) and `azure-llm` (the Azure LLM inference trace 2023: TIMESTAMP,ContextTokens,
// GeneratedTokens; arrivals counted from its first row), with the job traces' shaping options.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/errors.hpp"

namespace aidcsim {

struct LlmRequest {
  std::string request_id;
  double arrival_s = 0;
  long long prompt_tokens = 0;
  long long output_tokens = 0;  // >= 1: the prefill yields the first output token
};

struct RequestTraceOptions {
  double time_scale = 1;       // arrival times are multiplied by it (after the window)
  double window_start_s = 0;   // keep arrivals in [start, end) of the trace's own times, shifted to 0
  double window_end_s = -1;    // < 0: no end
  long long limit = -1;        // at most this many (after the window), < 0: all
};

// Every malformed row is a problem naming the file, line and column; rows come back in file order.
std::vector<LlmRequest> read_native_requests(const std::string& path, ProblemList& problems);
std::vector<LlmRequest> read_azure_llm_requests(const std::string& path, ProblemList& problems);
// A generated trace (`format: "poisson"`): Poisson arrivals at `rate_per_s` for `duration_s` (at most
// `count` requests), token counts fixed, uniform in [min, max], or drawn with replacement from the
// columns of a trace, each independently (SplitwiseSim's generate_trace.py). Seeded, portable.
struct TokenCounts {
  long long min = 0, max = 0;           // uniform in [min, max] (min == max: fixed)
  std::vector<long long> sample_from;  // when not empty: drawn from these
};
struct PoissonRequests {
  double rate_per_s = 1, duration_s = 0;
  // A time-varying rate (a non-homogeneous Poisson process): (time_s, requests per second) knots, the rate
  // linear between them and flat beyond; empty: rate_per_s throughout.
  std::vector<std::pair<double, double>> rate_profile;
  double start_s = 0;  // the first arrival comes after it
  long long count = -1;  // < 0: no cap
  TokenCounts prompt, output;
};
std::vector<LlmRequest> generate_poisson_requests(const PoissonRequests& options, std::uint64_t seed);
// Window, time scale and limit, then sorted by arrival (ties in file order).
std::vector<LlmRequest> shape_requests(std::vector<LlmRequest> requests, const RequestTraceOptions& options);

}  // namespace aidcsim
