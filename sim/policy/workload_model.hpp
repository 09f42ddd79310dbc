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
// all ended. A round is one of the plan's comm_rounds; a computation one of its compute_parts.
enum class PhaseKind : std::uint8_t { read, compute, round, wait, write };
struct PlanPhase {
  PhaseKind kind = PhaseKind::compute;
  std::uint32_t index = 0;  // the round (ActivityPlan::comm_rounds) or the computation (compute_parts)
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
  static constexpr double kMostRepeats = 4294967295.0;  // repeats is 32 bits: a model cuts a larger count here
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
  // Several computations per repeat (the stages of a pipeline, a forward and a backward pass with a
  // transfer between them): computation k runs each execution i for compute_parts[k][i] of its flops
  // (0: not in it), each execution's parts summing to 1; each computation is a phase {compute, k}.
  // Empty: one computation of every execution whole. The core scales, shares and bounds the executions
  // (`execs`) as for one computation; the parts only split each one's work among the phases.
  std::vector<std::vector<double>> compute_parts{};
  std::uint32_t computations() const {
    return compute_parts.empty() ? 1 : static_cast<std::uint32_t>(compute_parts.size());
  }
  double part(std::uint32_t computation, std::size_t exec) const {
    return compute_parts.empty() ? 1 : compute_parts[computation][exec];
  }
  // The whole job's work in the model's own units (a training job's iterations), whatever part of it
  // the plan is: a run stopped gracefully keeps whole units, and the unit under way is lost and done
  // again (a trainer resumes at an iteration's end). 0: progress is kept as it is (the trace model).
  double work_units = 0;
  // SimGrid runs it phase by phase (plan_runner.cpp), not as its executions alone.
  bool sequenced() const { return has_comms() || compute_parts.size() > 1; }

  // One repeat's order (e.g. a sharded data-parallel step: gather, compute, scatter). Each part the plan
  // has comes once: the reads and writes when there are any, the executions, every round, the wait
  // when comm_wait_s > 0. Empty: the default order above.
  std::vector<PlanPhase> phases{};

  // The phases of one repeat: `phases`, or the default order. A logic error when `phases` names a part
  // the plan lacks or leaves out or repeats one it has, or when compute_parts do not split each
  // execution whole (a model's mistake).
  std::vector<PlanPhase> sequence() const {
    for (std::size_t i = 0; !compute_parts.empty() && i < execs.size(); ++i) {
      double sum = 0;
      for (const auto& parts : compute_parts) {
        if (parts.size() != execs.size() || parts[i] < 0)
          throw std::logic_error("an ActivityPlan's compute_parts must give each execution a share >= 0");
        sum += parts[i];
      }
      if (sum < 1 - 1e-9 || sum > 1 + 1e-9) throw std::logic_error("an ActivityPlan's compute_parts must sum to 1 per execution");
    }
    std::vector<PlanPhase> parts;
    if (!reads.empty()) parts.push_back({PhaseKind::read, 0});
    for (std::uint32_t k = 0; k < computations(); ++k) parts.push_back({PhaseKind::compute, k});
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
