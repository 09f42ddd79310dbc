// `bare-metal`: jobs run directly on the servers; no start-up cost and no overhead.
#include "models/runtime/runtimes.hpp"

namespace aidcsim {
namespace {
class BareMetal final : public Runtime {
 public:
  Startup startup(JobIndex, const JobSpec&, const Allocation&, double) override { return {}; }
};
}  // namespace

std::unique_ptr<Runtime> make_bare_metal_runtime(PolicyArgs&) { return std::make_unique<BareMetal>(); }

}  // namespace aidcsim
