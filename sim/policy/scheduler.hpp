#pragma once
// Scheduling: which pending jobs to start now, in which order. The scheduler asks the core to start
// a job (try_start); the core asks the placement policy, checks the proposal and applies it.
#include <vector>

#include "sim/types.hpp"

namespace aidcsim {

class SchedulingContext {
 public:
  virtual ~SchedulingContext() = default;
  virtual double now() const = 0;
  // Pending jobs in arrival order. Stable during one schedule() call; started jobs stay listed
  // until the call returns (is_pending() says which still wait).
  virtual const std::vector<JobIndex>& pending() const = 0;
  virtual bool is_pending(JobIndex j) const = 0;
  virtual const JobSpec& spec(JobIndex j) const = 0;
  // Starts j if the placement policy finds room now; false when it does not fit.
  virtual bool try_start(JobIndex j) = 0;
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual void schedule(SchedulingContext& ctx) = 0;
};

}  // namespace aidcsim
