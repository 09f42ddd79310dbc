#pragma once
// GPU sharing: how jobs share one GPU (exclusive, MPS, time-slicing, MIG). The policy turns a job
// into what the ledger admits (milli of each GPU) and into the share of each GPU's speed its work is
// sized for; after placement it may bind the job to a part of the GPU (a MIG instance) and it
// adjusts the run's activities (caps, interference). The core applies; formulas: docs/gpu_sharing.md.
#include <optional>
#include <string>
#include <vector>

#include "sim/core/cluster.hpp"
#include "sim/core/ledger.hpp"
#include "sim/policy/workload_model.hpp"

namespace aidcsim {

class GpuSharing {
 public:
  virtual ~GpuSharing() = default;
  // One job per GPU, whole GPUs: the core can run jobs on exact timers (the replay rule).
  virtual bool exclusive() const { return false; }

  // Milli of each of its GPUs the job takes in the ledger (1..1000), or 0 with `reason` set when
  // the job can never run under this mode. Jobs of several GPUs (or none) always take whole GPUs.
  // May narrow `model_allowed` (per Cluster model index; empty = any) to the models that can hold it.
  virtual int admission_milli(const JobSpec& job, std::vector<char>& model_allowed, const Cluster& cluster,
                              std::string& reason) const = 0;

  // Share of each GPU's speed (milli) the job's work is sized for: the workload model sees this
  // share in the allocation (trace model: flops = duration_s x speed x share, capped at that share).
  virtual int compute_milli(const JobSpec& job) const { return job.gpus == 1 ? job.gpu_milli : kWholeGpuMilli; }

  // After placement: the allocation the job really takes (MIG: the milli of the instance it gets),
  // or empty when the proposal cannot be honoured (MIG: no free instance of its profile there).
  virtual std::optional<Allocation> bind(JobIndex, const JobSpec&, const Allocation& proposal, const Cluster&) {
    return proposal;
  }
  // The job's run ended (completion or preemption): whatever bind() took is free again.
  virtual void unbind(JobIndex) {}
  // Seconds the run bound last waits before its work (MIG dynamic: re-partitioning its GPU).
  virtual double bind_delay_s(JobIndex) const { return 0; }

  // Adjusts a run's plan: `co_runners[i]` = other jobs on the GPU of plan.execs[i] when it starts
  // (0 for server steps).
  virtual void adjust(JobIndex, const JobSpec&, ActivityPlan&, const Cluster&, const std::vector<int>&) const {}

  // Whether a run with this (adjusted) plan shares nothing, so its end is known exactly (a timer).
  virtual bool isolated(const ActivityPlan& plan) const = 0;
};

}  // namespace aidcsim
