#pragma once
// The FGD paper's packing experiment ("inflation"; Weng et al., USENIX ATC'23, section 6.1, Fig. 9),
// following the published simulator's protocol (hkust-adsl/kubernetes-scheduler-simulator:
// Simulator.SortClusterPods, TunePodsByNodeTotalResource/tuneUpPods, SchedulePods,
// ClusterGpuFragReport, and experiments/analysis/merge_alloc_discrete):
//
//  1. The trace's tasks, sorted by job_id, are shuffled (seeded Fisher-Yates).
//  2. Tuning to the target: while the arrived GPU request is below target_percent of the cluster's
//     GPUs, a task drawn uniformly from the trace (sorted by job_id) is cloned ("<job_id>-tuned-<i>")
//     and appended; the first draw that would overshoot the target ends the tuning. (A trace that
//     already requests more than the target loses random tasks until it no longer does.)
//  3. The tasks arrive in that order and never finish. Each is placed by the placement policy or,
//     when it does not fit, dropped; its GPU request counts as arrived either way.
//  4. After every arrival: allocated GPU milli and fragmented GPU milli (sim/core/fragmentation.hpp, with
//     the target workload of the original trace).
//  5. The curve: for each whole percent p of arrived GPU request (0 .. target), the mean allocation
//     (and fragmentation) percent over the arrivals whose arrived percent rounds to p (each value
//     rounded to 2 decimals first, as the published script does); when none rounds to p, over those
//     within p +- 1; when still none, no row.
//
// Deviation, documented: the published tuneUpPods compares the per-GPU share of the drawn task with
// the room left (so an 8-GPU task could overshoot by 7 GPUs); here its whole request is compared, so
// the arrived request never exceeds the target.
//
// No SimGrid and no time: only the ledger. Random draws use their own std::mt19937_64 stream
// derived from the seed, so the policy's own random streams are independent of the shuffle.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/cluster.hpp"
#include "sim/core/fragmentation.hpp"
#include "sim/core/ledger.hpp"
#include "sim/policy/placement.hpp"
#include "sim/core/request.hpp"
#include "sim/core/types.hpp"

namespace aidcsim {

class GpuSharing;

// The seed of the experiment's own random stream (the shuffle and the draws), from the run seed.
inline constexpr const char* kPackingExperimentStream = "packing-experiment";
std::uint64_t packing_experiment_stream_seed(std::uint64_t seed);

struct PackingExperimentOptions {
  std::uint64_t seed = 42;
  double target_percent = 130;  // arrived GPU request to reach, in % of the cluster's GPUs
  bool exclusive_gpus = false;  // true: a fractional request takes a whole GPU (the paper shares GPUs)
  const GpuSharing* sharing = nullptr;  // when set, decides each GPU's milli as in the core
  TargetWorkloadOptions fragmentation;  // target workload of the fragmented_percent column
};

struct PackingArrival {
  std::size_t job = 0;         // index into the jobs given to run_packing_experiment
  std::string job_id;          // the job's id, or "<job_id>-tuned-<i>" for a clone
  std::string tenant;
  Request request;
  std::string reason;                    // why the task can never run here ("" when it can)
  std::optional<Allocation> allocation;  // empty when the task did not fit
  long long arrived_milli = 0;    // arrived GPU request after this arrival
  long long allocated_milli = 0;  // allocated GPU milli after this arrival
  double fragmented_milli = 0;    // fragmented GPU milli after this arrival
};

struct CurvePoint {
  int arrived_percent = 0;
  double allocated_percent = 0;
  double fragmented_percent = 0;
};

// One sample of the run: after an arrival (or before the first one).
struct PackingSample {
  long long arrived_milli = 0;
  long long allocated_milli = 0;
  double fragmented_milli = 0;
};

struct PackingExperimentResult {
  double total_gpus = 0;
  std::vector<PackingArrival> arrivals;  // in arrival order
  std::vector<PackingSample> samples;    // before the first arrival, then one per arrival
  std::vector<CurvePoint> curve;
  long long placed = 0;
  long long failed = 0;
  double wall_s = 0;  // time spent in run_packing_experiment
  std::optional<double> allocated_percent_at(int arrived_percent) const;
  std::optional<double> fragmented_percent_at(int arrived_percent) const;
};

class OptionReader;
// The jobs section's options of the experiment: "arrival": "inflation" runs it instead of the engine
// (with "target_percent" of the GPU capacity requested); "trace" (default) is a simulation in time.
void read_packing_experiment_options(OptionReader& jobs_options);
bool is_packing_experiment(const nlohmann::json& jobs_section);

// Runs the experiment. The policy is told about every applied allocation (on_applied).
PackingExperimentResult run_packing_experiment(const Cluster& cluster, const std::vector<JobSpec>& jobs,
                                               PlacementPolicy& policy, const PackingExperimentOptions& options);

// Step 5 above, on samples; rows for 0 .. max_percent.
std::vector<CurvePoint> discretize_curve(const std::vector<PackingSample>& samples, double total_gpus, int max_percent);

// allocation_curve.csv: arrived_percent,allocated_percent,fragmented_percent
void write_allocation_curve(const std::string& path, const std::vector<CurvePoint>& curve);
// jobs.csv of the experiment: the CONTRACT columns (submit_s = start_s = 0, never ending: state
// "unfinished" when placed, "rejected" when not) and arrival,arrived_percent,allocated_percent,reason.
void write_packing_jobs_csv(const std::string& path, const Cluster& cluster, const PackingExperimentResult& result);
// summary.json content: the CONTRACT keys, plus "packing": allocation and fragmentation at 100 % and
// at the target, the target and the arrived request.
nlohmann::json packing_summary(const std::string& scenario, std::uint64_t seed, const PackingExperimentOptions& options,
                               const PackingExperimentResult& result, double wall_s);
// Writes allocation_curve.csv, jobs.csv, timeseries.csv (the final state at time_s 0) and
// summary.json into out_dir (created if needed); returns the summary.
nlohmann::json write_packing_outputs(const std::string& out_dir, const std::string& scenario, std::uint64_t seed,
                                     const Cluster& cluster, const PackingExperimentOptions& options,
                                     const PackingExperimentResult& result, double wall_s);

}  // namespace aidcsim
