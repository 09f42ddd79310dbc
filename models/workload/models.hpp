#pragma once
#include <memory>

#include "sim/policy/workload_model.hpp"
#include "sim/core/registry.hpp"

namespace aidcsim {
std::unique_ptr<WorkloadModel> make_trace_model(PolicyArgs& args);
std::unique_ptr<WorkloadModel> make_iterations_model(PolicyArgs& args);
std::unique_ptr<WorkloadModel> make_pipeline_model(PolicyArgs& args);
}  // namespace aidcsim
