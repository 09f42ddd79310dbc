#pragma once
#include <memory>

#include "sim/policy/monitor.hpp"
#include "sim/core/registry.hpp"

namespace aidcsim {
std::unique_ptr<Monitor> make_periodic_monitor(PolicyArgs& args);
}  // namespace aidcsim
