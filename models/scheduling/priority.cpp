// Priority: pending jobs by their `priority` (larger first), then arrival, as Kubernetes'
// scheduling queue orders pods by PriorityClass value then timestamp. A job that does not fit is
// skipped and the next one tried (Kubernetes moves an unschedulable pod aside); `blocking: true`
// stops at the first job that cannot start instead.
//
// `preemptive: true` adds Kubernetes-like preemption: a pending job that does not fit may preempt
// running jobs of strictly lower priority, lowest priority first and, among equals, latest-arrived
// first, until it fits; then every victim it can do without is spared, most important first (the
// "reprieve" step of Kubernetes' default preemption). Equal priorities never preempt each other.
// Victims keep their progress and pay `restart_cost_s` when they next start. Unlike Kubernetes
// there is no graceful-termination delay: the preemptor starts at once.
#include <algorithm>

#include "models/scheduling/common.hpp"
#include "models/scheduling/schedulers.hpp"
#include "sim/options.hpp"

namespace aidcsim {
namespace {

class PriorityScheduler final : public Scheduler {
 public:
  PriorityScheduler(bool preemptive, double restart_cost_s, bool blocking)
      : preemptive_(preemptive), restart_cost_s_(restart_cost_s), blocking_(blocking) {}

  void schedule(SchedulingContext& ctx) override {
    memo_.new_pass(ctx);
    victims_order_.clear();
    if (preemptive_) {
      for (JobIndex j : ctx.running())
        if (ctx.status(j).state == JobState::running) victims_order_.push_back({ctx.spec(j).priority, j});
      // Lowest priority first; among equals the latest arrival first.
      std::sort(victims_order_.begin(), victims_order_.end(),
                [](const auto& a, const auto& b) { return a.first != b.first ? a.first < b.first : a.second > b.second; });
    }
    hopeless_.clear();
    for (const auto& [key, j] : order_.sync(ctx)) {
      bool started = !memo_.known_unfit(ctx, j) && ctx.try_start(j);
      if (!started) {
        memo_.mark_unfit(ctx, j);
        started = preemptive_ && start_by_preempting(ctx, j);
      }
      if (!started && blocking_) return;
    }
  }

 private:
  bool start_by_preempting(SchedulingContext& ctx, JobIndex j) {
    const int priority = ctx.spec(j).priority;
    if (victims_order_.empty() || victims_order_.front().first >= priority) return false;
    auto key = std::make_pair(memo_.shape_of(ctx, j), priority);
    if (std::find(hopeless_.begin(), hopeless_.end(), key) != hopeless_.end()) return false;
    candidates_.clear();
    for (const auto& [p, v] : victims_order_) {
      if (p >= priority) break;
      if (ctx.status(v).state == JobState::running) candidates_.push_back(v);
    }
    auto victims = scheduling::choose_victims(ctx, *ctx.status(j).request, candidates_);
    if (!victims) {
      hopeless_.push_back(key);
      return false;
    }
    for (JobIndex v : *victims) ctx.preempt(v, restart_cost_s_);
    memo_.forget();
    hopeless_.clear();
    return ctx.try_start(j);
  }

  bool preemptive_;
  double restart_cost_s_;
  bool blocking_;
  scheduling::PendingOrder order_{[](const JobSpec& j) { return -static_cast<double>(j.priority); }};
  scheduling::FitMemo memo_;
  std::vector<std::pair<int, JobIndex>> victims_order_;
  std::vector<JobIndex> candidates_;
  std::vector<std::pair<int, int>> hopeless_;  // (shape, priority) no preemption can place this pass
};

}  // namespace

std::unique_ptr<Scheduler> make_priority(PolicyArgs& args) {
  OptionReader& o = args.options;
  bool preemptive = o.boolean("preemptive", false);
  double restart_cost_s = o.number("restart_cost_s", 0, 0, 1e12);
  bool blocking = o.boolean("blocking", false);
  return std::make_unique<PriorityScheduler>(preemptive, restart_cost_s, blocking);
}

}  // namespace aidcsim
