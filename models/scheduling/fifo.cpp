// FIFO: strict arrival order; the head job blocks every job behind it.
#include "models/scheduling/schedulers.hpp"

namespace aidcsim {
namespace {
class Fifo final : public Scheduler {
 public:
  void schedule(SchedulingContext& ctx) override {
    for (JobIndex j : ctx.pending())
      if (!ctx.try_start(j)) return;
  }
};
}  // namespace

std::unique_ptr<Scheduler> make_fifo(PolicyArgs&) { return std::make_unique<Fifo>(); }

}  // namespace aidcsim
