#pragma once
// The alert rules of a run with alert rules (alerts.csv against run.json's monitoring.alerts): those of
// tests/scenarios/alert_invariants.py, with the same messages (docs/check.md).
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace aidcsim::check {

// Does nothing when the run has no alerts.csv; else reports each broken rule through `add(rule, message)`.
void check_alerts(const std::string& run_dir, const nlohmann::json& run_json,
                  const std::function<void(const char* rule, std::string message)>& add);

}  // namespace aidcsim::check
