#pragma once
// Runtimes (sim/policy/runtime.hpp), one file each; formulas and defaults in docs/runtimes.md.
#include <memory>

#include "sim/policy/runtime.hpp"
#include "sim/core/registry.hpp"

namespace aidcsim {

std::unique_ptr<Runtime> make_bare_metal_runtime(PolicyArgs& args);
std::unique_ptr<Runtime> make_container_runtime(PolicyArgs& args);
std::unique_ptr<Runtime> make_vm_runtime(PolicyArgs& args);

}  // namespace aidcsim
