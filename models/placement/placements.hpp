#pragma once
#include <memory>

#include "sim/policy/placement.hpp"
#include "sim/registry.hpp"

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
}  // namespace aidcsim
