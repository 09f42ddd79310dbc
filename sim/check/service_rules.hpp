#pragma once
// The inference-service rules of a run (requests.csv, and the replica jobs of jobs.csv): those of
// tests/scenarios/service_invariants.py, with the same messages (docs/check.md).
#include <functional>
#include <string>

#include "sim/check/run_tables.hpp"

namespace aidcsim::check {

// Does nothing when the run has no requests.csv; else reports each broken rule through `add(rule, message)`.
void check_services(const std::string& run_dir, const CsvTable& jobs,
                    const std::function<void(const char* rule, std::string message)>& add);

}  // namespace aidcsim::check
