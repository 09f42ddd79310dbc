#pragma once
#include <memory>

#include "sim/policy/scheduler.hpp"
#include "sim/registry.hpp"

namespace aidcsim {
std::unique_ptr<Scheduler> make_fifo(PolicyArgs& args);
}  // namespace aidcsim
