#pragma once
// A job's SimGrid activities as the executor tracks them, and the runner of plans with collectives or
// storage (the iterations model): the plan's phases in order per repeat (ActivityPlan::sequence), and
// the share of such a plan done when it is stopped. Used by engine.cpp's SimGridExecutor.
#include <simgrid/s4u.hpp>

#include <cstdint>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/policy/workload_model.hpp"

namespace aidcsim {

namespace sg4 = simgrid::s4u;

// A job whose activities SimGrid runs: its waiting actor and, once started, its executions.
struct ActiveJob {
  sg4::ActorPtr actor;
  std::vector<sg4::ExecPtr> execs;
  std::vector<double> flops;
  double work_start_s = -1;      // when its work started (after pulls and delay); -1 before
  double isolated_work_s = -1;   // >= 0: the work is a plain wait of this length (no Exec)
  // A plan with communication rounds (the iterations model): where the sequence is, for its progress.
  std::vector<sg4::CommPtr> comms;
  std::vector<double> comm_bytes;
  std::vector<sg4::ActivityPtr> ios;  // storage steps under way (disk I/Os and their transfers)
  std::vector<double> io_bytes;
  std::vector<PlanPhase> phases;  // one repeat, in order
  std::size_t phase = 0;         // the phase under way
  std::uint32_t repeat = 0;      // repeats completed
  // Per repeat, alone: its share of the reads, rounds and wait; one checkpoint's writes; each
  // computation's share of the executions (compute_s[k]: computation k's slowest step).
  double read_s = 0, comm_s = 0, wait_s = 0, write_s = 0, wait_started_s = 0;
  std::vector<double> compute_s;
  std::vector<std::vector<double>> compute_parts;  // ActivityPlan::compute_parts
  std::uint32_t repeats = 1, rounds = 0;
  bool sequenced = false;        // run_iterations runs it (collectives or storage): comm_plan_progress
};

// A communicating plan's network and storage work, resolved to SimGrid hosts and disks.
struct StorageIo {
  sg4::Disk* disk;
  sg4::Host* from;
  sg4::Host* to;
  double bytes;
  bool write;
};
struct CommSchedule {
  std::vector<std::vector<std::tuple<sg4::Host*, sg4::Host*, double>>> rounds;
  std::vector<StorageIo> reads, writes;
  bool empty() const { return rounds.empty() && reads.empty() && writes.empty(); }
};

// The executions' time alone: the slowest step at its host's speed (or its bound), each step for
// `parts`[i] of its flops when given.
double exec_alone_s(const std::vector<std::pair<sg4::Host*, ExecStep>>& steps, const std::vector<double>& parts = {});
// The share of a communicating plan done so far, in time alone.
double comm_plan_progress(const ActiveJob& a);
// In the job's actor: runs the plan's repeats; counts the communications and disk I/Os it starts.
void run_iterations(ActiveJob& me, const std::vector<std::pair<sg4::Host*, ExecStep>>& steps, const CommSchedule& schedule,
                    long long& comms_started);

}  // namespace aidcsim
