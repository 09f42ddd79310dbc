#pragma once
// Parameter sweeps (CONTRACT.md §6): the sweep file, its expansion into points with stable ids, the
// Slurm job-array script, and the collection of every point's outputs into results.csv.
// Running the points (a local process pool, or Slurm) lives in sim/cli/sweep_command.cpp; everything
// here is pure and unit-tested.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/errors.hpp"
#include "sim/config/located_json.hpp"

namespace aidcsim {

// One `--set` path (or "seed") and its value for one point.
struct SweepParameter {
  std::string key;        // dotted scenario path, or "seed" (passed as --seed)
  nlohmann::json value;
  std::string pointer;    // where the value sits in the sweep file ("/grid/seed/2"), for error lines
};

struct SweepPoint {
  std::size_t index = 0;              // position in plan order (= Slurm array index of a full run)
  std::string id;                     // slug + "-" + 8 hex digits of FNV-1a; the point's directory name
  std::vector<SweepParameter> params; // one per column of results.csv, in column order
  std::vector<SweepParameter> fixed;  // the sweep's "set" (same for every point; part of the id hash)

  // The parameters as one JSON object (sorted keys): the canonical form hashed into the id.
  nlohmann::json canonical() const;
  // The arguments after "aidcsim": run SCENARIO --out OUT_DIR [--set K=V]... [--seed N] --quiet.
  std::vector<std::string> run_args(const std::string& scenario, const std::string& out_dir) const;
};

// Options for `--executor slurm` (the sweep file's "slurm" object; command-line flags override).
struct SlurmSettings {
  std::string partition;
  std::string time;               // sbatch --time, e.g. "00:30:00"
  std::string mem;                // sbatch --mem (per node), e.g. "4G"
  std::string mem_per_cpu;        // sbatch --mem-per-cpu
  std::string account;
  std::string qos;
  std::string job_name;           // default aidcsim-<sweep file stem>
  std::string aidcsim;            // the binary the tasks run (default: this binary's absolute path)
  int cpus_per_task = 1;
  int max_parallel = 0;           // the %P of --array; 0 = no throttle
  std::vector<std::string> extra; // extra #SBATCH lines ("--constraint=a100" or "--gres=gpu:0")
  std::vector<std::string> setup; // shell lines run by each task before aidcsim (module load ...)
};

struct SweepPlan {
  std::string file;                  // the sweep file as given
  std::string scenario;              // the scenario, relative to the working directory
  std::vector<std::string> columns;  // parameter columns of results.csv, in order
  std::vector<std::string> metrics;  // dotted paths into summary.json
  std::vector<SweepPoint> points;
  SlurmSettings slurm;
  LocatedJson located;               // the sweep file, for located error lines after the runs

  // The expanded plan, as written to OUT/sweep.json.
  nlohmann::json to_json() const;
  std::string default_out_dir() const;  // results/sweeps/<sweep file stem>
};

// Metrics used when the sweep file lists none.
const std::vector<std::string>& default_sweep_metrics();

// Parses and expands a sweep file's text. Every problem (unknown keys, bad types, ragged zips,
// duplicate points) is collected, with its line, and thrown together as InputErrors.
SweepPlan parse_sweep(const std::string& text, const std::string& file);
// Reads the file, parses it, checks the scenario exists and that every point's overrides load
// (unknown scenario keys or policy names are reported at the value's place in the sweep file).
SweepPlan load_sweep(const std::string& path);
// The scenario check alone (load_sweep calls it): adds each point's scenario problems to `problems`.
void check_sweep_points(const SweepPlan& plan, ProblemList& problems);

// 64-bit FNV-1a.
std::uint64_t fnv1a64(std::string_view bytes);
// The id of a point: a readable slug of the varied values plus a short hash of canonical().
std::string sweep_point_id(const std::string& slug, const nlohmann::json& canonical);

// What a point's directory says about it. status: "ok" (summary.json present), "failed" (an exit
// code other than 0 was recorded, or it ended without summary.json) or "not-run".
struct PointOutcome {
  std::string status = "not-run";
  std::optional<int> exit_code;
  std::string error;                     // the first "error:" line of run.log (or a description)
  std::vector<nlohmann::json> metrics;   // one per plan metric; null when absent
  std::vector<bool> metric_found;        // whether summary.json had the path
  nlohmann::json summary;                // the parsed summary.json (null unless ok)
  nlohmann::json run_info;               // the parsed run.json (null when absent or unreadable)
};

// Files in a point's directory: the run's outputs, plus these two written by the executors.
inline constexpr const char* kRunLog = "run.log";        // the run's stdout and stderr
inline constexpr const char* kExitCodeFile = "exit_code"; // the run's exit code (128+N: signal N)

bool point_complete(const std::string& point_dir);  // summary.json present
PointOutcome collect_point(const std::string& point_dir, const std::vector<std::string>& metrics);
// The first line of a run log that starts with "error:", else its first non-empty line.
std::string first_error_line(const std::string& log_text);
// Dotted lookup into a JSON object ("jct_s.mean"); nullptr when a component is missing.
const nlohmann::json* find_metric(const nlohmann::json& summary, const std::string& dotted);
// Every leaf path of a summary ("jobs.completed", ...), for "available metrics" hints.
std::vector<std::string> metric_paths(const nlohmann::json& summary);

// OUT/results.csv: point_id, each column, each metric, status, exit_code, error, dir (relative to OUT).
std::string results_csv(const SweepPlan& plan, const std::vector<PointOutcome>& outcomes);
// OUT/provenance.csv, beside results.csv and in the same row order (docs/provenance.md): point_id,
// aidcsim_version, git_commit, git_dirty, seed, inputs ("role:sha256" of every input, ";"-separated),
// hostname, os, cpu_model, wall_clock_start, wall_clock_end, dir. Kept out of results.csv, which must
// be the same whatever machine and executor ran the points.
std::string provenance_csv(const SweepPlan& plan, const std::vector<PointOutcome>& outcomes);
// Located problems for metrics that no successful point's summary.json has.
ProblemList check_metrics(const SweepPlan& plan, const std::vector<PointOutcome>& outcomes);

// Shell single-quoting ('it'\''s').
std::string shell_quote(const std::string& word);
// One line of the Slurm points file: the point's directory, then its `aidcsim` arguments, quoted.
std::string slurm_points_line(const std::string& point_dir, const std::vector<std::string>& args);
// The sbatch script of a job array over `task_count` lines of `points_file`.
struct SlurmScriptInputs {
  std::string binary;       // absolute path of aidcsim on the compute nodes
  std::string points_file;  // absolute
  std::string log_dir;      // absolute; task-%a.out goes here
  std::string workdir;      // absolute; tasks run here (paths in the points file are relative to it)
  std::size_t task_count = 0;
  int max_parallel = 0;
};
// Given `squeue -h -o "%i %T %r"` lines of a job array: "" while every task can still run, else why one
// cannot (held by Slurm or a user, launch failed, node or boot failure), naming the task.
std::string slurm_stuck_reason(const std::string& squeue_lines);
std::string slurm_script(const SweepPlan& plan, const SlurmSettings& settings, const SlurmScriptInputs& in);

}  // namespace aidcsim
