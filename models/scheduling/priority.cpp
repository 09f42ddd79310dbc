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
#include <limits>

#include "models/scheduling/common.hpp"
#include "models/scheduling/schedulers.hpp"
#include "sim/config/options.hpp"

namespace aidcsim {
namespace {

class PriorityScheduler final : public Scheduler {
 public:
  PriorityScheduler(bool preemptive, double restart_cost_s, bool blocking)
      : preemptive_(preemptive), restart_cost_s_(restart_cost_s), blocking_(blocking) {}

  void schedule(SchedulingContext& ctx) override {
    order_.sync(ctx);
    const bool full = watch_.begin(ctx);
    memo_.new_pass(ctx);
    victims_built_ = false;
    hopeless_.clear();
    // Without a release (a completion, a VM shut down) or preemption since the last pass, jobs that could not start then
    // (even by preempting) cannot now: only new arrivals need a look.
    const auto& jobs = blocking_ || full ? order_.all() : order_.arrivals();
    for (const auto& [key, j] : jobs) {
      if (!preemptive_ && !blocking_ && memo_.nothing_fits(ctx)) break;
      bool started = !memo_.known_unfit(ctx, j) && ctx.try_start(j);
      if (!started) {
        memo_.mark_unfit(ctx, j);
        started = preemptive_ && start_by_preempting(ctx, j);
      }
      if (started) {
        order_.started_some();
        watch_.started();
      } else if (blocking_) {
        break;
      }
    }
    watch_.end(ctx);
  }

 private:
  bool start_by_preempting(SchedulingContext& ctx, JobIndex j) {
    const int priority = ctx.spec(j).priority;
    if (!victims_built_) build_victims(ctx);
    if (lowest_running_priority_ >= priority) return false;
    auto key = std::make_pair(memo_.shape_of(ctx, j), priority);
    if (std::find(hopeless_.begin(), hopeless_.end(), key) != hopeless_.end()) return false;
    std::size_t next = 0;
    auto candidate = [&]() -> std::optional<JobIndex> {
      for (const auto* item = victims_.at(next); item && item->first < priority; item = victims_.at(next)) {
        ++next;
        if (ctx.status(item->second).state == JobState::running) return item->second;
      }
      return std::nullopt;
    };
    auto victims = scheduling::choose_victims(ctx, *ctx.status(j).request, candidate);
    if (!victims) {
      hopeless_.push_back(key);
      return false;
    }
    for (JobIndex v : *victims) ctx.preempt(v, restart_cost_s_);
    watch_.preempted();
    memo_.forget();
    hopeless_.clear();
    return ctx.try_start(j);
  }

  // Running jobs, lowest priority first and among equals the latest arrival first; gathered once
  // per pass, when the first preemption is considered.
  void build_victims(SchedulingContext& ctx) {
    std::vector<scheduling::VictimOrder::Item> items;
    lowest_running_priority_ = std::numeric_limits<int>::max();
    for (JobIndex j : ctx.running())
      if (ctx.status(j).state == JobState::running) {
        items.push_back({static_cast<double>(ctx.spec(j).priority), j});
        lowest_running_priority_ = std::min(lowest_running_priority_, ctx.spec(j).priority);
      }
    victims_.reset(std::move(items));
    victims_built_ = true;
  }

  bool preemptive_;
  double restart_cost_s_;
  bool blocking_;
  scheduling::PendingOrder order_{[](const JobSpec& j) { return -static_cast<double>(j.priority); }};
  scheduling::PassWatch watch_;
  scheduling::FitMemo memo_;
  bool victims_built_ = false;
  int lowest_running_priority_ = 0;
  scheduling::VictimOrder victims_;
  std::vector<std::pair<int, int>> hopeless_;  // (shape, priority) no preemption can place this pass
};

}  // namespace

std::unique_ptr<Scheduler> make_priority(PolicyArgs& args) {
  OptionReader& o = args.options;
  bool preemptive = o.boolean("preemptive", false);
  double restart_cost_s = o.number("restart_cost_s", 0, 0, kMaxTime_s);
  bool blocking = o.boolean("blocking", false);
  return std::make_unique<PriorityScheduler>(preemptive, restart_cost_s, blocking);
}

}  // namespace aidcsim
