#pragma once
// The simulation's future events, owned by the core. At one instant they are handled in this order
// (sim/engine/engine.cpp calls them between the SimGrid activities that ended at that instant and
// the migrations' steps, arrivals, the scheduling pass and the monitoring sample):
//   1. ends of runs whose end is known (exact timers), in the order they were scheduled;
//   2. model events: a policy's or model's own event with its payload (a retry after a backoff, a
//      controller's sync, a scrape), in the order they were scheduled;
//   3. wake-ups: a policy asked for a scheduling pass at that time (a scheduler's deadline, a VM's
//      idle expiry, a consolidation round); they carry nothing.
// Ties within a kind keep the order of scheduling, so outputs are deterministic.
#include <cmath>
#include <cstdint>
#include <limits>
#include <queue>
#include <set>
#include <utility>
#include <vector>

#include "sim/core/types.hpp"

namespace aidcsim {

// Receives the model events it scheduled (EventQueue::at).
class EventHandler {
 public:
  virtual ~EventHandler() = default;
  virtual void on_event(std::uint64_t payload, double now_s) = 0;
};

class EventQueue {
 public:
  static constexpr double kNever = std::numeric_limits<double>::infinity();

  void run_end_at(double t_s, JobIndex j, std::uint32_t epoch) { run_ends_.push({t_s, sequence_++, j, epoch}); }
  // The run (j, epoch) was preempted or moved: its end must neither happen nor wake the engine.
  void cancel_run_end(JobIndex j, std::uint32_t epoch) { cancelled_.insert({j, epoch}); }
  // A model event; `keeps_alive`: the simulation goes on for it even when nothing else is left
  // (false for periodic controllers, which would otherwise run for ever).
  void at(double t_s, EventHandler* handler, std::uint64_t payload, bool keeps_alive) {
    model_.push({t_s, sequence_++, handler, payload, keeps_alive});
    if (keeps_alive) ++model_alive_;
  }
  void wake_at(double t_s) { wakeups_.insert(t_s); }

  // The earliest run end still to come; kNever when none.
  double next_run_end_s() {
    drop_cancelled();
    return run_ends_.empty() ? kNever : run_ends_.top().time_s;
  }
  double next_model_event_s() const { return model_.empty() ? kNever : model_.top().time_s; }
  // The earliest wake-up after `now` (those at or before it are spent: the loop ran then).
  double next_wakeup_s(double now_s) {
    wakeups_.erase(wakeups_.begin(), wakeups_.upper_bound(now_s));
    return wakeups_.empty() ? kNever : *wakeups_.begin();
  }
  // Something is still to come that keeps the simulation going by itself.
  bool keeps_alive() {
    drop_cancelled();
    return !run_ends_.empty() || model_alive_ > 0;
  }

  // Hands every event due at `now_s` over, in the documented order: on_run_end(j, epoch, t_s), then
  // model events to their handlers. Events scheduled meanwhile for `now_s` or earlier run too.
  template <class OnRunEnd>
  void pop_due(double now_s, OnRunEnd&& on_run_end) {
    while (true) {
      if (!run_ends_.empty() && run_ends_.top().time_s <= now_s) {
        RunEnd e = run_ends_.top();
        run_ends_.pop();
        if (!cancelled_.empty() && cancelled_.erase({e.job, e.epoch})) continue;
        on_run_end(e.job, e.epoch, e.time_s);
        continue;
      }
      if (!model_.empty() && model_.top().time_s <= now_s) {
        Model e = model_.top();
        model_.pop();
        if (e.keeps_alive) --model_alive_;
        e.handler->on_event(e.payload, now_s);
        continue;
      }
      break;
    }
  }

 private:
  struct RunEnd {
    double time_s;
    std::uint64_t sequence;
    JobIndex job;
    std::uint32_t epoch;
    bool operator>(const RunEnd& o) const { return time_s != o.time_s ? time_s > o.time_s : sequence > o.sequence; }
  };
  struct Model {
    double time_s;
    std::uint64_t sequence;
    EventHandler* handler;
    std::uint64_t payload;
    bool keeps_alive;
    bool operator>(const Model& o) const { return time_s != o.time_s ? time_s > o.time_s : sequence > o.sequence; }
  };
  void drop_cancelled() {
    while (!cancelled_.empty() && !run_ends_.empty() &&
           cancelled_.erase({run_ends_.top().job, run_ends_.top().epoch}))
      run_ends_.pop();
  }

  std::priority_queue<RunEnd, std::vector<RunEnd>, std::greater<>> run_ends_;
  std::set<std::pair<JobIndex, std::uint32_t>> cancelled_;
  std::priority_queue<Model, std::vector<Model>, std::greater<>> model_;
  std::size_t model_alive_ = 0;
  std::set<double> wakeups_;
  std::uint64_t sequence_ = 0;
};

}  // namespace aidcsim
