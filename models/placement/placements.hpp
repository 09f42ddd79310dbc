#pragma once
#include <memory>

#include "sim/policy/placement.hpp"
#include "sim/registry.hpp"

namespace aidcsim {
std::unique_ptr<PlacementPolicy> make_first_fit(PolicyArgs& args);
}  // namespace aidcsim
