// SJF: shortest job first. The run time a scheduler may know is the trace's estimate_s when the
// job has one (a user's estimate, as in the Parallel Workloads Archive's SWF), else duration_s (a
// perfect estimate); ties go in arrival order. Non-preemptive.
//
// Blocking or not: by default a job that does not fit is skipped and the next shorter one is tried,
// as SJF is implemented in the GPU-cluster simulators it is compared in (e.g. Tiresias'
// simulator). `blocking: true` gives the strict form: the shortest pending job blocks every longer
// one until it fits (as FIFO's head does), which never lets small jobs overtake a large short one.
#include "models/scheduling/common.hpp"
#include "models/scheduling/schedulers.hpp"
#include "sim/config/options.hpp"

namespace aidcsim {
namespace {

class Sjf final : public Scheduler {
 public:
  explicit Sjf(bool blocking) : blocking_(blocking) {}

  void schedule(SchedulingContext& ctx) override {
    order_.sync(ctx);
    bool full = watch_.begin(ctx);
    memo_.new_pass(ctx);
    // Without a release since the last pass (a completion, a VM shut down), only new arrivals can start.
    const auto& jobs = blocking_ || full ? order_.all() : order_.arrivals();
    for (const auto& [estimate_s, j] : jobs) {
      if (blocking_) {
        if (!start(ctx, j)) break;
        continue;
      }
      if (memo_.nothing_fits(ctx)) break;
      if (memo_.known_unfit(ctx, j)) continue;
      if (!start(ctx, j)) memo_.mark_unfit(ctx, j);
    }
    watch_.end(ctx);
  }

 private:
  bool start(SchedulingContext& ctx, JobIndex j) {
    if (!ctx.try_start(j)) return false;
    order_.started_some();
    watch_.started();
    return true;
  }

  bool blocking_;
  scheduling::PendingOrder order_{[](const JobSpec& j) { return scheduling::estimated_run_s(j); }};
  scheduling::PassWatch watch_;
  scheduling::FitMemo memo_;
};

}  // namespace

std::unique_ptr<Scheduler> make_sjf(PolicyArgs& args) {
  return std::make_unique<Sjf>(args.options.boolean("blocking", false));
}

}  // namespace aidcsim
