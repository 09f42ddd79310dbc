#pragma once
// The quota rules of a run with a quota policy (summary.json's "quota", admissions.csv, and jobs.csv's
// admission columns): those of tests/scenarios/quota_invariants.py, with the same messages
// (docs/check.md).
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/check/run_tables.hpp"

namespace aidcsim::check {

// Does nothing unless run.json's scenario has a quota policy; else reports each broken rule through
// `add(rule, message)`. `exclusive`: GPUs are whole (gpu_milli counts as 1000).
void check_quota(const std::string& run_dir, const nlohmann::json& run_json, const nlohmann::json& summary,
                 const CsvTable& jobs, bool exclusive, const std::function<void(const char* rule, std::string message)>& add);

}  // namespace aidcsim::check
