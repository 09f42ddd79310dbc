// FIFO: arrival order.
//
// Blocking or not: by default (`blocking: true`) FIFO is strict: the head job, when it does not
// fit, blocks every job behind it. `blocking: false` skips a job that does not fit and tries the
// next one in arrival order, as the FIFO of Alibaba's PAI 2020 simulator does
// (alibaba/clusterdata, cluster-trace-gpu-v2020/simulator/scheduler.py: `alloc_policy` 8 keeps
// submit order, and a job that cannot be placed is passed over, "try next").
#include <algorithm>

#include "models/scheduling/common.hpp"
#include "models/scheduling/schedulers.hpp"
#include "sim/config/options.hpp"

namespace aidcsim {
namespace {

class StrictFifo final : public Scheduler {
 public:
  void schedule(SchedulingContext& ctx) override {
    for (JobIndex j : ctx.pending())
      if (!ctx.try_start(j)) return;
  }
};

class SkippingFifo final : public Scheduler {
 public:
  void schedule(SchedulingContext& ctx) override {
    const bool full = watch_.begin(ctx);
    memo_.new_pass(ctx);
    const std::vector<JobIndex>& pending = ctx.pending();
    // Without a release since the last pass (a completion, a VM shut down), a job that did not fit
    // then does not fit now: only the new arrivals (at the tail of pending()) need a look.
    auto it = full ? pending.begin() : std::lower_bound(pending.begin(), pending.end(), watch_.first_new());
    for (; it != pending.end(); ++it) {
      const JobIndex j = *it;
      if (memo_.nothing_fits(ctx)) break;
      if (memo_.known_unfit(ctx, j)) continue;
      if (ctx.try_start(j)) watch_.started();
      else memo_.mark_unfit(ctx, j);
    }
    watch_.end(ctx);
  }

 private:
  scheduling::PassWatch watch_;
  scheduling::FitMemo memo_;
};

}  // namespace

std::unique_ptr<Scheduler> make_fifo(PolicyArgs& args) {
  if (args.options.boolean("blocking", true)) return std::make_unique<StrictFifo>();
  return std::make_unique<SkippingFifo>();
}

}  // namespace aidcsim
