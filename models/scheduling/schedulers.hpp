#pragma once
#include <memory>

#include "sim/policy/scheduler.hpp"
#include "sim/core/registry.hpp"

namespace aidcsim {
std::unique_ptr<Scheduler> make_fifo(PolicyArgs& args);
std::unique_ptr<Scheduler> make_sjf(PolicyArgs& args);       // sjf.cpp
std::unique_ptr<Scheduler> make_backfill(PolicyArgs& args);  // backfill.cpp (EASY)
std::unique_ptr<Scheduler> make_las(PolicyArgs& args);       // las.cpp (Tiresias 2D-LAS)
std::unique_ptr<Scheduler> make_drf(PolicyArgs& args);       // drf.cpp
std::unique_ptr<Scheduler> make_priority(PolicyArgs& args);  // priority.cpp
}  // namespace aidcsim
