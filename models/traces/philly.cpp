// Microsoft Philly jobs as published with Pollux (petuum/adaptdl osdi21-artifact simulator/traces/philly.csv):
//
//   timestamp,duration,num_gpus,gpu_time,cluster
//
// job_id = the data row number (1 = first row after the header), submit = timestamp ("YYYY-MM-DD HH:MM:SS",
// read as a civil time: no locale, no time zone) minus time zero (option time_zero, default the earliest
// timestamp in the file), duration = duration, gpus = num_gpus (whole GPUs), tenant = cluster (the virtual
// cluster). gpu_time (= duration * num_gpus) is not needed. Rows with duration 0 follow zero_duration.
#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "models/traces/readers.hpp"
#include "sim/config/options.hpp"

namespace aidcsim {
namespace {

class PhillyReader final : public TraceReader {
 public:
  PhillyReader(TimeZero time_zero, ZeroDuration zero) : time_zero_(time_zero), zero_(zero) {}

  TraceReadResult read(const std::string& path, ProblemList& problems) override {
    TraceReadResult result;
    LineInput in(path);
    auto header = read_trace_header(in, path, "philly", {"timestamp", "duration", "num_gpus", "cluster"}, problems);
    if (!header) return result;
    const CsvHeader& h = *header;
    const int c_time = h.index("timestamp"), c_dur = h.index("duration"), c_gpus = h.index("num_gpus"),
              c_cluster = h.index("cluster");
    SkipCounter skipped;
    long long row_number = 0;
    double earliest = std::numeric_limits<double>::infinity();
    SharedPool<std::string> tenants;
    for_each_row(in, path, h, problems, FieldCount::at_least_header, [&](RowReader& row) {
      const std::vector<std::string>& fields = row.fields;
      ++row_number;
      JobSpec job;
      job.job_id = std::to_string(row_number);
      auto t = parse_civil_time(fields[c_time]);
      if (!t) row.fail(c_time, fmt::format("found \"{}\", expected a time \"YYYY-MM-DD HH:MM:SS\"", fields[c_time]));
      job.duration_s = row.number(c_dur, 0, 0, false, "seconds, a number >= 0", true);
      job.gpus = static_cast<int>(row.integer(c_gpus, 0, 1, 1 << 20, "an integer >= 1", true));
      job.tenant = fields[c_cluster].empty() ? default_tenant() : tenants.get(fields[c_cluster]);
      if (!row.ok) return;
      earliest = std::min(earliest, *t);  // time zero counts every valid row, even a skipped one
      if (job.duration_s == 0) {
        if (zero_ == ZeroDuration::skip) {
          skipped.add(kZeroDurationReason);
          return;
        }
        job.duration_s = 1;
      }
      job.submit_s = *t;
      result.jobs.push_back(std::move(job));
    });
    apply_time_zero(result.jobs, time_zero_, earliest, skipped);
    result.skipped = skipped.result();
    return result;
  }

 private:
  TimeZero time_zero_;
  ZeroDuration zero_;
};

}  // namespace

std::unique_ptr<TraceReader> make_philly_reader(PolicyArgs& args) {
  TimeZero tz = read_time_zero(args.options);
  ZeroDuration zero = read_zero_duration(args.options, ZeroDuration::skip);
  return std::make_unique<PhillyReader>(tz, zero);
}

}  // namespace aidcsim
