#pragma once
// Lifecycle events the core publishes. Concerns that follow the simulation (energy, usage, and the
// metrics of later concerns) observe them instead of being called from inside the core: a new
// metric is a new observer, not a new member of Core. Observers are told in the order they were
// registered, at the instant the event happens, after the core has applied it (ledger up to date).
#include <optional>

#include "sim/core/ledger.hpp"
#include "sim/core/types.hpp"
#include "sim/policy/workload_model.hpp"

namespace aidcsim {

// One live migration of a VM between two servers, as it ended (migrations.csv).
struct MigrationLogEntry {
  std::size_t vm = 0;
  std::optional<JobIndex> job;  // in the VM when the migration started
  bool job_moved = false;       // still running in it at the end: it moved with the VM
  Allocation from, to;
  double start_s = 0, paused_s = 0, end_s = 0;
  double bytes = 0;
};

// How a run ended.
enum class RunEnd { completed, preempted };

class LifecycleObserver {
 public:
  virtual ~LifecycleObserver() = default;
  // The run's work, from `work_start_s` on (NaN: not known yet, work_started() will tell). Told at a
  // run's start, and again whenever the same run goes on with another plan (a migration's segments);
  // an empty plan means the run computes nothing for now (paused).
  virtual void work_planned(JobIndex, const ActivityPlan&, double /*work_start_s*/, double /*now*/) {}
  virtual void work_started(JobIndex, double /*now*/) {}
  // Work that a job's model runs within its run (JobSpec::work_by_model, Core::run_model_work: an
  // inference replica's iteration) starts with `plan`, or ends (an empty plan), at `now`.
  virtual void model_work(JobIndex, const ActivityPlan&, double /*now*/) {}
  virtual void run_ended(JobIndex, RunEnd, double /*now*/) {}
  // The ledger changed on the servers of `allocation` (resources taken or given back).
  virtual void servers_changed(const Allocation&, const Ledger&, double /*now*/) {}
  // A server went away (not provisioned, failed) or came back (Core::set_server_available).
  virtual void server_availability_changed(ServerIndex, bool /*available*/, double /*now*/) {}
  // A live migration of a VM started, and one ended (consolidation).
  virtual void migration_started(std::size_t /*vm*/, double /*now*/) {}
  virtual void migration_ended(const MigrationLogEntry&) {}
};

// Servers that can be away (powered off) and must come back before a run placed on them starts.
class ServerAvailability {
 public:
  virtual ~ServerAvailability() = default;
  // A run starts at `now` on `allocation`: servers of it that are away are brought back; returns how
  // long the run waits for them (0 when all are there).
  virtual double bring_up(const Allocation& allocation, double now) = 0;
};

}  // namespace aidcsim
