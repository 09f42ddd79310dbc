#pragma once
// Scheduling: which pending jobs to start now, in which order, and which running jobs to preempt.
// The scheduler asks the core to start a job (try_start); the core asks the placement policy,
// checks the proposal against the ledger and applies it.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <vector>

#include "sim/core/events.hpp"
#include "sim/core/ledger.hpp"
#include "sim/core/request.hpp"
#include "sim/core/types.hpp"

namespace aidcsim {

// What a scheduler may read about one job.
struct JobStatus {
  JobState state;
  double start_s;            // first start, NaN before
  double run_started_s;      // start of the current run, NaN when not running
  double expected_end_s;     // end of the current run at full speed, NaN when not running
  double attained_gpu_s;     // GPU-seconds of service so far, current run included
  double done_fraction;      // share of the job's work done (kept across preemptions)
  int preemptions;
  const Request* request;        // null once the job has ended
  const Allocation* allocation;  // empty when not running
};

class SchedulingContext {
 public:
  virtual ~SchedulingContext() = default;
  virtual double now() const = 0;
  // Pending jobs in arrival order. Stable during one schedule() call; jobs started or preempted in
  // the call show their new state through is_pending()/status() and move when the call returns.
  virtual const std::vector<JobIndex>& pending() const = 0;
  virtual bool is_pending(JobIndex j) const = 0;
  // Bumped whenever pending() changes other than by arrivals at its tail (indices larger than any seen
  // before), the policy's own starts and its own preemptions: a quota policy admitting an older job or
  // evicting one, a server going away. A policy that mirrors pending() rebuilds its mirror then.
  virtual std::uint64_t pending_reshuffles() const { return 0; }
  // Running jobs, in no particular order; stable during one schedule() call like pending().
  virtual const std::vector<JobIndex>& running() const = 0;
  virtual const JobSpec& spec(JobIndex j) const = 0;
  virtual JobStatus status(JobIndex j) const = 0;
  virtual const Cluster& cluster() const = 0;
  virtual const Ledger& ledger() const = 0;
  // Starts j if the placement policy finds room now; false when it does not fit.
  virtual bool try_start(JobIndex j) = 0;
  // Whether the placement policy would place r on this (hypothetical) ledger, e.g. one where some
  // running jobs have released their resources.
  virtual bool would_fit(const Request& r, const Ledger& ledger) = 0;
  // The placement policy's proposal for r on this (hypothetical) ledger, or empty when it does not
  // fit. Placement policies decide from the view alone, so try_start(j) now takes the allocation
  // that propose(request of j, ledger()) returns (EASY backfilling relies on this to check that a
  // backfilled job leaves the head's reservation intact).
  virtual std::optional<Allocation> propose(const Request&, const Ledger&) {
    throw std::logic_error("this SchedulingContext does not offer placement proposals");
  }
  // Stops a running job, frees its resources and puts it back in the queue; it keeps its progress
  // (up to the workload model's last checkpoint) and pays restart_cost_s when it next starts.
  virtual void preempt(JobIndex j, double restart_cost_s) = 0;
  // Asks for a pass at time t_s (> now), even if nothing else happens then (e.g. LAS: the instant a
  // running job crosses a queue threshold). Passes also run at every event; extra wake-ups are cheap.
  virtual void wake_at(double /*t_s*/) {}
  // Schedules a model event (sim/core/events.hpp): `handler` receives `payload` at t_s (> now).
  virtual void at(double /*t_s*/, EventHandler* /*handler*/, std::uint64_t /*payload*/, bool /*keeps_alive*/) {
    throw std::logic_error("this SchedulingContext does not schedule model events");
  }
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual void schedule(SchedulingContext& ctx) = 0;
  // A run of j ended (completion or preemption) and its resources are free again. Lets schedulers
  // that keep per-tenant usage update it instead of rescanning the running jobs.
  virtual void on_run_end(JobIndex /*j*/) {}
};

}  // namespace aidcsim
