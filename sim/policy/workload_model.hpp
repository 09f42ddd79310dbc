#pragma once
// Workload models turn a started job into activities for SimGrid to run.
#include <string>
#include <vector>

#include "sim/core/cluster.hpp"
#include "sim/core/job_columns.hpp"
#include "sim/core/ledger.hpp"

namespace aidcsim {

struct ExecStep {
  bool on_gpu = true;      // GPU host, else the server host
  std::uint32_t index = 0;  // GpuIndex or ServerIndex
  double flops = 0;
  double bound_flops = 0;  // cap on speed; 0 = none
};

// `bytes` from one host to another, as a SimGrid communication along the platform's route.
struct CommStep {
  HostRef from, to;
  double bytes = 0;
};

// Bytes between a storage host's disk and one of the job's servers (a dataset read, a checkpoint
// write): the disk I/O and the network transfer run together; the step ends when both have.
struct StorageStep {
  std::uint32_t storage = 0;  // index into Cluster::storage (its first disk)
  ServerIndex server = 0;
  double bytes = 0;
  bool write = false;
};

// After delay_s (restart cost, boot), the executions run concurrently; when the last ends, the
// communication rounds run one after the other (each round's comms concurrently), then comm_wait_s
// passes; then the job ends. The volumes are the plan's totals: with `repeats` > 1 (per-iteration
// execution, the iterations model's reference; checkpoint segments) the sequence reads-executions-
// rounds-wait-writes runs that many times, each with 1/repeats of every volume and of the wait.
struct ActivityPlan {
  double delay_s = 0;
  std::vector<ExecStep> execs{};
  std::vector<std::vector<CommStep>> comm_rounds{};
  double comm_wait_s = 0;    // latencies an aggregated run's merged rounds do not pay
  double comm_alone_s = 0;   // the rounds and the wait with nothing else on the network, all repeats
  std::uint32_t repeats = 1;
  // Storage (the iterations model): each repeat first reads its share of `reads` (a dataset streamed
  // from storage) and ends by writing `checkpoint_writes` whole (a checkpoint).
  std::vector<StorageStep> reads{};
  std::vector<StorageStep> checkpoint_writes{};
  double read_alone_s = 0;   // one repeat's share of the reads, alone
  double write_alone_s = 0;  // one checkpoint's writes, alone
  double storage_alone_s() const {
    return repeats * ((reads.empty() ? 0 : read_alone_s) + (checkpoint_writes.empty() ? 0 : write_alone_s));
  }
  bool has_comms() const { return !comm_rounds.empty() || !reads.empty() || !checkpoint_writes.empty(); }
};

class WorkloadModel : public JobColumns {
 public:
  virtual ~WorkloadModel() = default;
  // The plan for the whole job; the core scales it to the work left after a preemption.
  virtual ActivityPlan plan(const JobSpec& job, const Allocation& allocation, const Cluster& cluster) = 0;
  // The share of the job's whole plan between two checkpoints: on preemption the work done is kept
  // in whole multiples of it, the rest is lost (0 = nothing is lost).
  virtual double checkpoint_step(const JobSpec&) const { return 0; }
};

}  // namespace aidcsim
