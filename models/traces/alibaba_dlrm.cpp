// Alibaba 2025 GPU-disaggregated DLRM inference instances (cluster-trace-gpu-v2025, Prism NSDI'25):
// disaggregated_DLRM_trace.csv, one row per long-running service instance:
//
//   instance_sn,role,app_name,cpu_request,cpu_limit,gpu_request,gpu_limit,rdma_request,rdma_limit,
//   memory_request,memory_limit,disk_request,disk_limit,max_instance_per_node,creation_time,scheduled_time,
//   deletion_time
//
// Each instance is replayed as one long-running job: job_id = instance_sn, tenant = app_name (the service),
// gpus = gpu_request (0 for CN CPU nodes, 1 for HN GPU nodes), cpus = cpu_request, mem_gib = memory_request,
// submit = creation_time (empty: the instance existed when the trace starts -> 0),
// duration = deletion_time - scheduled_time, where an empty scheduled_time of an instance that existed at
// the start means 0, and an empty deletion_time means it was still running at the trace end, taken as the
// largest time anywhere in the file. Skipped and counted: instances created but never scheduled, and run time
// 0 (unless zero_duration: "one-second"). Limits, RDMA, disk and max_instance_per_node are not used.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "models/traces/readers.hpp"
#include "sim/config/options.hpp"

namespace aidcsim {
namespace {

class DlrmReader final : public TraceReader {
 public:
  explicit DlrmReader(ZeroDuration zero) : zero_(zero) {}

  TraceReadResult read(const std::string& path, ProblemList& problems) override {
    TraceReadResult result;
    LineInput in(path);
    auto header = read_trace_header(in, path, "alibaba-dlrm",
                                    {"instance_sn", "app_name", "cpu_request", "gpu_request", "memory_request",
                                     "creation_time", "scheduled_time", "deletion_time"},
                                    problems);
    if (!header) return result;
    const CsvHeader& h = *header;
    const int c_id = h.index("instance_sn"), c_app = h.index("app_name"), c_cpu = h.index("cpu_request"),
              c_gpu = h.index("gpu_request"), c_mem = h.index("memory_request"), c_create = h.index("creation_time"),
              c_sched = h.index("scheduled_time"), c_delete = h.index("deletion_time");
    struct Row {
      JobSpec job;
      double scheduled;
      double deleted;  // < 0: still running at the trace end
    };
    std::vector<Row> rows;
    SkipCounter skipped;
    std::unordered_set<std::string> seen;
    double trace_end = 0;
    SharedPool<std::string> tenants;
    for_each_row(in, path, h, problems, FieldCount::exact, [&](RowReader& row) {
      const std::vector<std::string>& fields = row.fields;
      Row r;
      JobSpec& job = r.job;
      job.job_id = fields[c_id];
      if (job.job_id.empty()) row.fail(c_id, "empty instance_sn; expected a unique instance id");
      else if (!seen.insert(job.job_id).second)
        row.fail(c_id, fmt::format("duplicate instance_sn \"{}\"; expected unique ids", job.job_id));
      if (!fields[c_app].empty()) job.tenant = tenants.get(fields[c_app]);
      job.cpus = row.number(c_cpu, 0, 0, false, "vCPUs, a number >= 0", true);
      job.gpus = static_cast<int>(row.integer(c_gpu, 0, 0, 1 << 20, "an integer >= 0", true));
      job.mem_gib = row.number(c_mem, 0, 0, false, "GiB, a number >= 0", true);
      const bool created = !fields[c_create].empty(), scheduled = !fields[c_sched].empty(),
                 deleted = !fields[c_delete].empty();
      job.submit_s = row.number(c_create, 0, 0, false, "seconds, a number >= 0 (empty: existed at the start)");
      r.scheduled = row.number(c_sched, 0, 0, false, "seconds, a number >= 0 (empty: existed at the start)");
      r.deleted = deleted ? row.number(c_delete, 0, 0, false, "seconds, a number >= 0 (empty: still running)") : -1;
      if (row.ok && scheduled && r.scheduled < job.submit_s)
        row.fail(c_sched, fmt::format("found {} before creation_time {}", fields[c_sched], fields[c_create]));
      if (row.ok && deleted && r.deleted < std::max(job.submit_s, r.scheduled))
        row.fail(c_delete, fmt::format("found {} before {} {}", fields[c_delete],
                                       scheduled ? "scheduled_time" : "creation_time",
                                       fields[scheduled ? c_sched : c_create]));
      if (!row.ok) return;
      trace_end = std::max({trace_end, job.submit_s, r.scheduled, r.deleted});
      if (created && !scheduled) {
        skipped.add("never scheduled (creation_time without scheduled_time)");
        return;
      }
      rows.push_back(std::move(r));
    });
    for (auto& r : rows) {
      double end = r.deleted >= 0 ? r.deleted : trace_end;
      r.job.duration_s = end - r.scheduled;
      if (r.job.duration_s <= 0) {
        if (zero_ == ZeroDuration::skip) {
          skipped.add(kZeroDurationReason);
          continue;
        }
        r.job.duration_s = 1;
      }
      result.jobs.push_back(std::move(r.job));
    }
    result.skipped = skipped.result();
    return result;
  }

 private:
  ZeroDuration zero_;
};

}  // namespace

std::unique_ptr<TraceReader> make_alibaba_dlrm_reader(PolicyArgs& args) {
  return std::make_unique<DlrmReader>(read_zero_duration(args.options, ZeroDuration::skip));
}

}  // namespace aidcsim
