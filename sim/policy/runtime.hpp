#pragma once
// Runtimes (`virtualization.runtime`): what a job pays before its work starts (a container's image
// pull and start, a VM's boot) and the overheads on its work (virtualization). A runtime decides
// from the job, its allocation and its own records (image caches, VMs); the core applies and the
// engine runs the image pulls as SimGrid communications from the registry host.
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/cluster.hpp"
#include "sim/core/ledger.hpp"
#include "sim/policy/workload_model.hpp"
#include "sim/core/request.hpp"
#include "sim/policy/gpu_sharing.hpp"
#include "sim/policy/placement.hpp"

namespace aidcsim {

// `bytes` travel from the registry host to `server`, unless a pull of the same image to the same
// server is already under way: then the job waits for that one. bytes = 0 (the image is in the
// server's cache) still waits for a pull of it under way, which may have put it there.
struct ImagePull {
  std::string registry;  // host id of the registry (a storage or server host of the platform)
  ServerIndex server = 0;
  std::string image;
  double bytes = 0;
};

// Before a run's work: the pulls (concurrently), then `delay_s`.
struct Startup {
  std::vector<ImagePull> pulls;
  double delay_s = 0;
};

// A concern that adds to a run's start-up what the runtime does not know of (an inference replica
// loads its model's weights from storage): more pulls, more delay. Called after the runtime's startup().
class StartupContributor {
 public:
  virtual ~StartupContributor() = default;
  virtual void add_startup(JobIndex, const Allocation&, Startup&) = 0;
};

// A live migration of one VM (pre-copy): its memory is copied from its server to another while it
// runs (each round copies what the previous round's time dirtied) until what is left is small; then
// the VM pauses for the stop-and-copy of the rest and, when a job still runs in it, of that job's
// `job_state_bytes` (its GPU memory), and resumes on the new server. The engine runs each round as a SimGrid communication between the
// two servers.
struct MigrationTransfer {
  double memory_bytes = 0;        // first round
  double dirty_bytes_per_s = 0;   // memory written by the VM's job while it runs
  double stop_bytes = 0;          // stop pre-copying when the dirty pages left are at most this
  int max_rounds = 30;            // pre-copy rounds at most
  double job_state_bytes = 0;     // copied in the stop-and-copy when a job is paused in the VM
};
struct VmMigration {
  std::size_t vm = 0;       // the runtime's VM id
  Allocation from, to;      // the VM's resources before and after; each on one server
  ServerIndex from_server = 0, to_server = 0;
  MigrationTransfer transfer;
  double slowdown = 0;      // its job's work runs at (1 - slowdown) of its speed during pre-copy
};

class Runtime {
 public:
  virtual ~Runtime() = default;
  // What this runtime cannot work with, given the other concerns' choices: one (JSON path, message)
  // per problem, reported as input errors before anything runs.
  struct Incompatibility {
    std::string pointer;
    std::string message;
  };
  virtual std::vector<Incompatibility> incompatibilities(const PlacementPolicy&, const GpuSharing&,
                                                         const std::string& /*sharing_name*/) const {
    return {};
  }

  // Adjusts what the placement policy is asked for (a VM runtime asks for a whole flavour); returns
  // why the job can never run under this runtime, or "".
  virtual std::string shape_request(const JobSpec&, Request&) const { return {}; }

  // An allocation the job can start on without a placement decision: resources the runtime already
  // holds in the ledger for the job's tenant (an idle VM). The core does not apply it again.
  virtual std::optional<Allocation> reuse(JobIndex, const JobSpec&, double /*now_s*/) { return std::nullopt; }

  // A run starts (on a reused or a newly applied allocation): what it pays before its work.
  virtual Startup startup(JobIndex, const JobSpec&, const Allocation&, double now_s) = 0;

  // Overheads on the run's work (e.g. a VM's CPU and GPU passthrough factors, cgroup CPU caps).
  virtual void adjust(const JobSpec&, ActivityPlan&, const Cluster&) const {}

  // The run ended. True when the runtime keeps holding the allocation in the ledger (an idle VM
  // waiting for its tenant's next job); the core then does not release it.
  virtual bool on_run_end(JobIndex, const JobSpec&, const Allocation&, double /*now_s*/) { return false; }

  // Allocations the runtime stops holding at `now_s` (idle VMs shut down); the core releases them.
  virtual std::vector<Allocation> expire(double /*now_s*/) { return {}; }
  // When the next expire() would return something (+inf when never).
  virtual double next_expiry_s() const { return std::numeric_limits<double>::infinity(); }

  // Consolidation: VMs to live-migrate now, planned on `ledger` (the destinations are free in it).
  // The core reserves each `to`, runs the transfer, and calls migrated() when the VM has moved;
  // until then the VM's allocation is `from`.
  virtual std::vector<VmMigration> consolidate(double /*now_s*/, const Ledger&) { return {}; }
  // When consolidate() wants to run next (+inf when never).
  virtual double next_consolidation_s() const { return std::numeric_limits<double>::infinity(); }
  // The job whose run is in VM `vm` now, if any.
  virtual std::optional<JobIndex> job_in_vm(std::size_t /*vm*/) const { return std::nullopt; }
  // The migration `m` (one consolidate() returned) has ended: the VM is on m.to_server, holding m.to.
  virtual void migrated(const VmMigration& /*m*/, double /*now_s*/) {}
};

}  // namespace aidcsim
