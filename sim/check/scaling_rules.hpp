#pragma once
// The autoscaling rules of a run with autoscaling (scaling.csv against run.json's autoscaling.services):
// those of tests/scenarios/scaling_invariants.py, with the same messages (docs/check.md).
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace aidcsim::check {

// Does nothing when the run has no scaling.csv; else reports each broken rule through `add(rule, message)`.
void check_scaling(const std::string& run_dir, const nlohmann::json& run_json,
                   const std::function<void(const char* rule, std::string message)>& add);

}  // namespace aidcsim::check
