#pragma once
// The invariants of a run directory (jobs.csv, summary.json, run.json, migrations.csv): the rules of
// tests/scenarios/check_invariants.py, with the same messages, so either checker can vouch for a run.
// docs/check.md lists the rules.
#include <string>
#include <vector>

namespace aidcsim::check {

struct Violation {
  std::string rule;     // short name of the invariant, e.g. "gpu-capacity"
  std::string message;  // names the row (jobs.csv:LINE: job 'ID') and what is wrong
};

struct CheckReport {
  std::vector<Violation> violations;
  std::size_t jobs = 0;
  std::size_t preempted_skipped = 0;  // left out of the allocation sweep (ran in pieces)
};

struct CheckOptions {
  bool replay_exact = false;  // end_s - start_s == duration_s (exclusive GPUs, trace model)
};

// Throws InputErrors when run_dir is not a run directory (missing or unreadable files, missing
// columns, summary.json without a usable gpus_total).
CheckReport check_run_dir(const std::string& run_dir, const CheckOptions& options);

}  // namespace aidcsim::check
