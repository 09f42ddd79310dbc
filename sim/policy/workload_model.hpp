#pragma once
// Workload models turn a started job into activities for SimGrid to run.
#include <algorithm>
#include <cstdint>
#include <stdexcept>
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

// One phase of a plan's repeat: its activities run together, and the next phase starts when they have
// all ended. A round is one of the plan's comm_rounds.
enum class PhaseKind : std::uint8_t { read, compute, round, wait, write };
struct PlanPhase {
  PhaseKind kind = PhaseKind::compute;
  std::uint32_t round = 0;  // index into ActivityPlan::comm_rounds, for a round
  bool operator==(const PlanPhase&) const = default;
};

// After delay_s (restart cost, boot), the plan runs its phases in order (`phases`; by default the
// reads, the executions, the communication rounds one after the other, the wait comm_wait_s, the
// checkpoint writes). The volumes are the plan's totals: with `repeats` > 1 (per-iteration execution,
// the iterations model's reference; checkpoint segments) the phases run that many times, each with
// 1/repeats of every volume and of the wait (the writes whole: a checkpoint per repeat). A plan with
// no rounds, reads or writes is its executions alone.
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
  // One repeat's order (e.g. a sharded data-parallel step: gather, compute, scatter). Each part the plan
  // has comes once: the reads and writes when there are any, the executions, every round, the wait
  // when comm_wait_s > 0. Empty: the default order above.
  std::vector<PlanPhase> phases{};

  // The phases of one repeat: `phases`, or the default order. A logic error when `phases` names a part
  // the plan lacks or leaves out or repeats one it has (a model's mistake).
  std::vector<PlanPhase> sequence() const {
    std::vector<PlanPhase> parts;
    if (!reads.empty()) parts.push_back({PhaseKind::read, 0});
    parts.push_back({PhaseKind::compute, 0});
    for (std::uint32_t r = 0; r < comm_rounds.size(); ++r) parts.push_back({PhaseKind::round, r});
    if (comm_wait_s > 0) parts.push_back({PhaseKind::wait, 0});
    if (!checkpoint_writes.empty()) parts.push_back({PhaseKind::write, 0});
    if (phases.empty()) return parts;
    for (const PlanPhase& part : parts)
      if (std::count(phases.begin(), phases.end(), part) != 1 || phases.size() != parts.size())
        throw std::logic_error("an ActivityPlan's phases must name each of its parts once");
    return phases;
  }
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
