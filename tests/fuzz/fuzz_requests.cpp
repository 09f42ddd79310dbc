// Fuzz target of the inference inputs (docs/inference.md): every request-trace reader (native-requests,
// azure-llm) and the latency table's reader (SplitwiseSim's perf_model.csv) on the same input, then the
// shaping of what was read (window, time scale, limit) and a few iteration times from the table.
#include <string>

#include "models/inference/perf_model.hpp"
#include "models/inference/requests.hpp"
#include "sim/core/errors.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace aidcsim;
  std::string_view text = fuzz::as_text(data, size);
  if (fuzz::skip_known_defects() && (fuzz::has_nul(text) || fuzz::invalid_utf8(text))) return 0;
  std::string path = fuzz::write_input("requests.csv", text);
  AIDCSIM_FUZZ_GUARD({
    ProblemList problems;
    RequestTraceOptions shape;
    shape.window_start_s = 1;
    shape.window_end_s = 1e6;
    shape.time_scale = 0.5;
    shape.limit = 50;
    (void)shape_requests(read_native_requests(path, problems), shape);
    (void)shape_requests(read_azure_llm_requests(path, problems), RequestTraceOptions{});
    LlmPerfModel perf = LlmPerfModel::read(path, problems);
    for (const auto& key : perf.keys())
      for (long long tokens : {0LL, 1LL, 513LL, 100000LL}) {
        double t = perf.iteration_s(key, {tokens, 0}) + perf.iteration_s(key, {0, tokens}) + perf.iteration_s(key, {tokens, 3});
        if (!(t >= 0)) fuzz::finding("a negative or NaN iteration time");
      }
  })
  return 0;
}
