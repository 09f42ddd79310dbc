// How a scenario asks for the FGD packing experiment instead of a simulation in time.
#include "sim/config/options.hpp"
#include "sim/experiments/packing_experiment.hpp"

namespace aidcsim {

namespace {
constexpr const char* kArrivalKey = "arrival";
constexpr const char* kInflation = "inflation";  // the FGD paper's name for the experiment
}  // namespace

void read_packing_experiment_options(OptionReader& jobs_options) {
  jobs_options.text(kArrivalKey, "trace", {"trace", kInflation});
  jobs_options.number("target_percent", 130, 1, 1000);
}

bool is_packing_experiment(const nlohmann::json& jobs_section) {
  return jobs_section.is_object() && jobs_section.value(kArrivalKey, "trace") == kInflation;
}

}  // namespace aidcsim
