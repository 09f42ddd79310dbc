#pragma once
// The failure rules of a run with failures (failures.csv against jobs.csv): those of
// tests/scenarios/failure_invariants.py, with the same messages (docs/check.md).
#include <functional>
#include <string>

#include "sim/check/run_tables.hpp"

namespace aidcsim::check {

// Does nothing when the run has no failures.csv; else reports each broken rule through `add(rule, message)`.
void check_failures(const std::string& run_dir, const CsvTable& jobs,
                    const std::function<void(const char* rule, std::string message)>& add);

}  // namespace aidcsim::check
