// SenseTime Helios job logs (SC'21), cluster_log.csv as published in S-Lab-System-Group/HeliosData:
//
//   job_id,user,vc,gpu_num,cpu_num,node_num,state,submit_time,start_time,end_time,duration,queue
//   (some copies add jobname after vc, all_cluster_log.csv adds cluster after job_id; columns are found by name)
//
// job_id = job_id, submit = submit_time ("YYYY-MM-DD HH:MM:SS", civil time) minus time zero (option
// time_zero, default the earliest submit_time), duration = duration (end_time - start_time, s; computed from
// them when duration is empty), gpus = gpu_num, cpus = cpu_num, tenant = vc (option tenant_from: "user").
// Every final state is replayed (COMPLETED, CANCELLED, FAILED, TIMEOUT, NODE_FAIL all held their resources
// for their run time); node_num, queue and the recorded start/end times are not inputs (the simulator decides
// queueing and placement). Skipped and counted: jobs that never started (empty start_time), jobs with
// neither duration nor start/end times, run time 0 (unless zero_duration: "one-second"), CPU-only jobs when
// gpu_jobs_only is true.
#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "models/traces/readers.hpp"
#include "sim/config/options.hpp"

namespace aidcsim {
namespace {

struct HeliosOptions {
  TimeZero time_zero;
  ZeroDuration zero = ZeroDuration::skip;
  bool tenant_is_user = false;
  bool gpu_jobs_only = false;
};

class HeliosReader final : public TraceReader {
 public:
  explicit HeliosReader(HeliosOptions o) : o_(o) {}

  TraceReadResult read(const std::string& path, ProblemList& problems) override {
    TraceReadResult result;
    LineInput in(path);
    auto header = read_trace_header(in, path, "helios cluster_log",
                                    {"job_id", "user", "vc", "gpu_num", "cpu_num", "submit_time", "duration"}, problems);
    if (!header) return result;
    const CsvHeader& h = *header;
    const int c_id = h.index("job_id"), c_user = h.index("user"), c_vc = h.index("vc"), c_gpus = h.index("gpu_num"),
              c_cpus = h.index("cpu_num"), c_submit = h.index("submit_time"), c_start = h.index("start_time"),
              c_end = h.index("end_time"), c_dur = h.index("duration");
    SkipCounter skipped;
    double earliest = std::numeric_limits<double>::infinity();
    SharedPool<std::string> tenants;
    for_each_row(in, path, h, problems, FieldCount::exact, [&](RowReader& row) {
      const std::vector<std::string>& fields = row.fields;
      JobSpec job;
      job.job_id = fields[c_id];
      if (job.job_id.empty()) row.fail(c_id, "empty job_id; expected the Slurm job id");
      auto time_of = [&](int column, bool required) -> std::optional<double> {
        if (column < 0 || fields[column].empty()) {
          if (required) row.fail(column, "empty value; expected a time \"YYYY-MM-DD HH:MM:SS\"");
          return std::nullopt;
        }
        auto t = parse_civil_time(fields[column]);
        if (!t) row.fail(column, fmt::format("found \"{}\", expected a time \"YYYY-MM-DD HH:MM:SS\"", fields[column]));
        return t;
      };
      auto submit = time_of(c_submit, true);
      auto start = time_of(c_start, false);
      auto end = time_of(c_end, false);
      job.gpus = static_cast<int>(row.integer(c_gpus, 0, 0, 1 << 20, "an integer >= 0", true));
      job.cpus = row.number(c_cpus, 0, 0, false, "a number >= 0", true);
      double duration = row.number(c_dur, -1, 0, false, "seconds, a number >= 0");
      const std::string& owner = fields[o_.tenant_is_user ? c_user : c_vc];
      if (!owner.empty()) job.tenant = tenants.get(owner);
      if (!row.ok) return;
      earliest = std::min(earliest, *submit);  // time zero counts every valid row, even a skipped one
      if (c_start >= 0 && !start) {
        skipped.add("never started (no start_time)");
        return;
      }
      if (duration < 0) {  // empty duration: derive it from the recorded times
        if (!start || !end) {
          skipped.add("no duration and no start_time/end_time to derive it");
          return;
        }
        duration = *end - *start;
        if (duration < 0) {
          row.fail(c_end, fmt::format("found {} before start_time {}", fields[c_end], fields[c_start]));
          return;
        }
      }
      if (o_.gpu_jobs_only && job.gpus == 0) {
        skipped.add("CPU-only job (gpu_jobs_only)");
        return;
      }
      if (duration == 0) {
        if (o_.zero == ZeroDuration::skip) {
          skipped.add(kZeroDurationReason);
          return;
        }
        duration = 1;
      }
      job.submit_s = *submit;
      job.duration_s = duration;
      result.jobs.push_back(std::move(job));
    });
    apply_time_zero(result.jobs, o_.time_zero, earliest, skipped);
    result.skipped = skipped.result();
    return result;
  }

 private:
  HeliosOptions o_;
};

}  // namespace

std::unique_ptr<TraceReader> make_helios_reader(PolicyArgs& args) {
  HeliosOptions o;
  o.time_zero = read_time_zero(args.options);
  o.zero = read_zero_duration(args.options, ZeroDuration::skip);
  o.tenant_is_user = args.options.text("tenant_from", "vc", {"vc", "user"}) == "user";
  o.gpu_jobs_only = args.options.boolean("gpu_jobs_only", false);
  return std::make_unique<HeliosReader>(o);
}

}  // namespace aidcsim
