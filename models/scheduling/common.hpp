#pragma once
// Helpers shared by the scheduling policies (not a policy): the run time a scheduler may assume,
// the pending queue kept in a policy's own order across passes, a watch that tells when only new
// arrivals need a look, a per-pass memo of request shapes that did not fit, and victim selection
// for the preemptive policies.
//
// Cost: a pass runs at every event, and queues can hold tens of thousands of jobs. When nothing
// but the policy's own decisions changed the platform since its last pass (no completion, no
// preemption), a job that could not start then cannot start now, so the non-time-dependent
// policies look only at the jobs that arrived since; a full pass happens after every completion.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sim/policy/scheduler.hpp"

namespace aidcsim::scheduling {

// What a scheduler may assume a job runs for: the trace's estimate_s when present, else duration_s.
inline double estimated_run_s(const JobSpec& j) { return j.estimate_s >= 0 ? j.estimate_s : j.duration_s; }

// Whether a full pass is needed: true unless the only changes since the policy's last pass are its
// own starts and new arrivals (no completion, no preemption by anyone). Jobs that arrived since the
// last pass have indices >= first_new().
class PassWatch {
 public:
  bool begin(const SchedulingContext& ctx) {
    // Resources come back by completions, but also without any: an idle VM shut down, a VM's
    // migration ended. Any ledger change since the last pass ended calls for a full pass.
    bool full = !valid_ || preempted_ || ctx.running().size() != expected_running_ ||
                ctx.ledger().version() != ledger_version_ || ctx.pending_reshuffles() != reshuffles_;
    running_at_start_ = ctx.running().size();
    started_ = 0;
    preempted_ = false;
    first_new_ = next_unseen_;
    const auto& pending = ctx.pending();
    if (!pending.empty()) next_unseen_ = std::max<JobIndex>(next_unseen_, pending.back() + 1);
    return full;
  }
  JobIndex first_new() const { return first_new_; }
  void started() { ++started_; }
  void preempted() { preempted_ = true; }
  void end(const SchedulingContext& ctx) {
    expected_running_ = running_at_start_ + started_;
    ledger_version_ = ctx.ledger().version();
    reshuffles_ = ctx.pending_reshuffles();
    valid_ = true;
  }

 private:
  bool valid_ = false, preempted_ = false;
  std::size_t running_at_start_ = 0, started_ = 0, expected_running_ = 0;
  std::uint64_t ledger_version_ = 0, reshuffles_ = 0;
  JobIndex first_new_ = 0, next_unseen_ = 0;
};

// The pending queue sorted by a key fixed per job (smallest first), then arrival. Kept across
// passes: new arrivals are merged in (no full sort), jobs the policy started are dropped after
// started_some(); anything else (a job put back by a preemption) makes it rebuild.
class PendingOrder {
 public:
  using Entry = std::pair<double, JobIndex>;  // (key, job); JobIndex order is arrival order
  explicit PendingOrder(std::function<double(const JobSpec&)> key) : key_(std::move(key)) {}
  void sync(const SchedulingContext& ctx);
  const std::vector<Entry>& all();                                // the whole queue, in order
  const std::vector<Entry>& arrivals() const { return arrivals_; }  // arrived since the last sync, in order
  void started_some() { dirty_ = true; }

 private:
  std::function<double(const JobSpec&)> key_;
  std::vector<Entry> order_;     // sorted
  std::vector<Entry> recent_;    // sorted, not yet merged into order_
  std::vector<Entry> arrivals_;  // sorted
  std::vector<Entry> merged_;
  JobIndex next_unseen_ = 0;  // jobs with a larger index have not been seen pending yet
  std::uint64_t reshuffles_ = 0;
  bool dirty_ = false;
};

// Remembers, within one pass, which request shapes did not fit. Starting jobs only takes resources,
// so a shape that did not fit stays unfit until something is released: call forget() after a
// preemption. A request asking for more GPU capacity than is free in total is rejected at once.
class FitMemo {
 public:
  void new_pass(const SchedulingContext& ctx);
  void forget() { ++stamp_; }
  bool known_unfit(const SchedulingContext& ctx, JobIndex j);  // true: j certainly does not fit now
  void mark_unfit(const SchedulingContext& ctx, JobIndex j);
  int shape_of(const SchedulingContext& ctx, JobIndex j);  // equal ids = equal requests
  long long need_milli(const SchedulingContext& ctx, JobIndex j);
  // Makes j count for nothing_fits(): call for every job when it arrives.
  void learn(const SchedulingContext& ctx, JobIndex j);
  // True when no job seen so far (hence no pending job) asks for as little GPU capacity as is free.
  bool nothing_fits(const SchedulingContext& ctx) const {
    return min_need_milli_ > capacity_milli_ - ctx.ledger().allocated_milli();
  }

 private:
  std::vector<int> job_shape_;  // per job; -1 = not computed yet
  std::vector<long long> job_need_milli_;
  std::unordered_map<std::string, int> shape_ids_;
  std::vector<std::uint64_t> unfit_stamp_;  // per shape: the stamp at which it did not fit
  std::uint64_t stamp_ = 1;
  long long capacity_milli_ = 0;
  long long min_need_milli_ = std::numeric_limits<long long>::max();
  JobIndex next_unseen_ = 0;
  std::uint64_t reshuffles_ = 0;
};

// Running jobs in preemption order, least important first (then the latest arrival first),
// produced lazily from a heap: a pass that needs one victim does not sort every running job.
class VictimOrder {
 public:
  // (importance, job): a smaller importance is preempted first.
  using Item = std::pair<double, JobIndex>;
  void reset(std::vector<Item> items);
  // The i-th item in preemption order, or nullopt past the end.
  const Item* at(std::size_t i);

 private:
  static bool later(const Item& a, const Item& b) {  // heap order: true when a goes after b
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  }
  std::vector<Item> heap_, sorted_;
};

// The running jobs to preempt so that `request` (which does not fit now) fits. `next_candidate`
// yields running jobs, least important first, and nullopt when there are no more: they are
// released in that order on a copy of the ledger until the request fits; then each chosen one,
// most important first, is spared when the request still fits with it kept (the "reprieve" step
// of Kubernetes' preemption). Empty when the request does not fit even with every candidate gone.
// The shortest fitting prefix is found by bisection (O(log n) placement calls), so next_candidate
// may be called for up to twice as many candidates as are chosen: it must only produce them.
std::optional<std::vector<JobIndex>> choose_victims(SchedulingContext& ctx, const Request& request,
                                                    const std::function<std::optional<JobIndex>()>& next_candidate);

// GPUs an allocation holds (fractional shares count as fractions).
double allocated_gpus(const Allocation& a);

}  // namespace aidcsim::scheduling
