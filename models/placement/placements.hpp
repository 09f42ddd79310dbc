#pragma once
#include <memory>

#include "sim/policy/placement.hpp"
#include "sim/core/registry.hpp"

namespace aidcsim {
std::unique_ptr<PlacementPolicy> make_first_fit(PolicyArgs& args);
std::unique_ptr<PlacementPolicy> make_random_placement(PolicyArgs& args);
std::unique_ptr<PlacementPolicy> make_best_fit(PolicyArgs& args);
std::unique_ptr<PlacementPolicy> make_spread(PolicyArgs& args);
std::unique_ptr<PlacementPolicy> make_packing(PolicyArgs& args);
std::unique_ptr<PlacementPolicy> make_clustering(PolicyArgs& args);
std::unique_ptr<PlacementPolicy> make_dot_product(PolicyArgs& args);
std::unique_ptr<PlacementPolicy> make_topology(PolicyArgs& args);
std::unique_ptr<PlacementPolicy> make_fgd(PolicyArgs& args);

// Registers a placement so that it honours the option "multi_gpu" (models/placement/multi_gpu.hpp):
// reads the option, then makes the policy with `make` and wraps it for "spread" and "whole-servers".
Registry<PlacementPolicy>::Factory multi_gpu_option(std::unique_ptr<PlacementPolicy> (*make)(PolicyArgs&));
}  // namespace aidcsim
