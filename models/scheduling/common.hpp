#pragma once
// Helpers shared by the scheduling policies (not a policy): the run time a scheduler may assume,
// the pending queue kept in a policy's own order across passes, a per-pass memo of request shapes
// that did not fit, and victim selection for the preemptive policies.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sim/policy/scheduler.hpp"

namespace aidcsim::scheduling {

// What a scheduler may assume a job runs for: the trace's estimate_s when present, else duration_s.
inline double estimated_run_s(const JobSpec& j) { return j.estimate_s >= 0 ? j.estimate_s : j.duration_s; }

// The pending queue sorted by a key fixed per job (smallest first), then arrival. Kept across
// passes: a pass drops the jobs that left the queue and merges in the new arrivals (no full sort);
// anything else, e.g. a job put back by a preemption, makes it rebuild.
class PendingOrder {
 public:
  using Entry = std::pair<double, JobIndex>;  // (key, job); JobIndex order is arrival order
  explicit PendingOrder(std::function<double(const JobSpec&)> key) : key_(std::move(key)) {}
  const std::vector<Entry>& sync(const SchedulingContext& ctx);

 private:
  std::function<double(const JobSpec&)> key_;
  std::vector<Entry> order_;
  JobIndex next_unseen_ = 0;  // jobs with a larger index have not been seen pending yet
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
  std::uint64_t stamp() const { return stamp_; }

 private:
  void learn(const SchedulingContext& ctx, JobIndex j);
  std::vector<int> job_shape_;  // per job; -1 = not computed yet
  std::vector<long long> job_need_milli_;
  std::unordered_map<std::string, int> shape_ids_;
  std::vector<std::uint64_t> unfit_stamp_;  // per shape: the stamp at which it did not fit
  std::uint64_t stamp_ = 1;
  long long capacity_milli_ = 0;
};

// The running jobs to preempt so that `request` fits, taken from `candidates` (running jobs, least
// important first): they are released in that order on a copy of the ledger until the request
// fits, then each chosen one, most important first, is spared when the request still fits with it
// kept (the "reprieve" step of Kubernetes' preemption). Empty when the request does not fit even
// with every candidate released.
std::optional<std::vector<JobIndex>> choose_victims(SchedulingContext& ctx, const Request& request,
                                                    const std::vector<JobIndex>& candidates);

// GPUs an allocation holds (fractional shares count as fractions).
double allocated_gpus(const Allocation& a);

}  // namespace aidcsim::scheduling
