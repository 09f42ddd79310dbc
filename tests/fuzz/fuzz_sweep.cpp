// Fuzz target: the sweep file parser and its expansion into points (parse_sweep), and the plan as
// written to OUT/sweep.json.
#include <string>

#include "sim/core/errors.hpp"
#include "sim/experiments/sweep.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace aidcsim;
  std::string_view text = fuzz::as_text(data, size);
  if (fuzz::skip_known_defects() &&
      (fuzz::deeply_nested(text) || fuzz::has_nul(text) || fuzz::invalid_utf8(text) || fuzz::huge_exponent(text)))
    return 0;
  AIDCSIM_FUZZ_GUARD({
    SweepPlan plan = parse_sweep(std::string(text), "sweep.json");
    (void)plan.to_json().dump();
    (void)plan.default_out_dir();
  })
  return 0;
}
