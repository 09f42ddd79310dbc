#include "sim/io/core_job_columns.hpp"

#include <cmath>

#include "sim/core/csv.hpp"
#include "sim/core/units.hpp"
#include "sim/io/csv_writer.hpp"

namespace aidcsim {

std::vector<std::string> CoreJobColumns::job_columns() const {
  return {"job_id", "tenant",    "submit_s", "start_s", "end_s",  "queue_delay_s", "jct_s",  "gpus",
          "gpu_milli", "state",  "hosts",    "duration_s", "slowdown", "cpus",    "mem_gib", "reason",
          "preemptions", "run_s", "slowdown_sharing", "startup_s", "migrations", "gpu_milli_held"};
}

// Appends into the writer's buffer (no per-field formatting calls): this runs for every job of every run.
void CoreJobColumns::append_job_fields(JobIndex j, const JobSpec& spec, const JobRun& run, std::string& line) const {
  auto field = [&](double v) {
    line += ',';
    append_number(line, v);
  };
  const bool ended = !std::isnan(run.end_s);
  line += ',';
  append_csv_field(line, spec.job_id);
  line += ',';
  append_csv_field(line, *spec.tenant);
  field(spec.submit_s);
  field(run.start_s);
  field(run.end_s);
  field(run.start_s - spec.submit_s);  // NaN (empty) when never started
  field(run.end_s - spec.submit_s);
  line += ',' + std::to_string(spec.gpus) + ',' + std::to_string(spec.gpu_milli) + ',' + to_string(run.state) + ',';
  const Core::FinalHosts held = core_.final_hosts(j);
  const Cluster& cluster = core_.cluster();
  for (std::size_t i = 0; i < held.count; ++i) {
    if (i > 0) line += ';';
    line += held.servers ? cluster.servers[held.ids[i]].name : cluster.gpus[held.ids[i]].name;
  }
  field(spec.duration_s);
  field(ended ? (run.end_s - spec.submit_s) / spec.duration_s : kNoTime);
  field(spec.cpus);
  field(spec.mem_gib);
  line += ',';
  append_csv_field(line, core_.reason(j));
  line += ',' + std::to_string(run.preemptions);
  field(run.run_s);
  // run time over the time with the requested GPU share alone (docs/gpu_sharing.md); completed jobs only
  field(run.state == JobState::completed && run.alone_s > 0 ? run.run_s / run.alone_s : kNoTime);
  field(run.startup_s);  // image pulls, boots: part of run_s
  line += ',' + std::to_string(run.migrations) + ',';  // live migrations of its VM while it ran
  // What the GPU-sharing mode took on each of its GPUs in the ledger (last run): the invariant
  // checker's per-GPU sum. Empty when it never held a GPU.
  if (held.first_gpu_milli >= 0) line += std::to_string(held.first_gpu_milli);
}

}  // namespace aidcsim
