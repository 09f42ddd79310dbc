// Alibaba PAI 2020 (cluster-trace-gpu-v2020, NSDI'22): the headerless pai_job_table.csv (the trace path) and
// pai_task_table.csv (option task_table, default "pai_task_table.csv"; a relative path is taken from the
// job table's folder, where the two tables are published side by side):
//
//   job table:  job_name,inst_id,user,status,start_time,end_time
//   task table: job_name,task_name,inst_num,status,start_time,end_time,plan_cpu,plan_mem,plan_gpu,gpu_type
//
// A job is one job-table row joined with its task rows on job_name:
//   job_id = job_name, tenant = user, submit = the job's start_time (its submission time in this trace),
//   duration = latest task end_time - earliest task start_time over the tasks that started (start_time > 0):
//     the span during which the job held resources; the wait before its first task is left to the simulator,
//   GPU demand D = sum over tasks of inst_num * plan_gpu / 100 (plan_gpu is in percent of one GPU):
//     D = 0 -> gpus 0; 0 < D < 1 -> one shared GPU, gpu_milli = round(1000 D); D >= 1 -> gpus = ceil(D),
//     whole GPUs,
//   cpus = sum inst_num * plan_cpu / 100, mem_gib = sum inst_num * plan_mem (GB, taken as GiB).
// gpu_type is the type the task was given, not a constraint, and is not used. Times are the trace's own
// (desensitized) seconds, kept as they are. Skipped and counted: jobs without task rows, jobs none of whose
// tasks started, jobs with a started task still running at the trace end (no end_time), run time 0 (unless
// zero_duration: "one-second"), and task rows whose job_name is not in the job table.
// A first row that spells the column names (a header added by hand) is accepted and skipped.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <unordered_map>

#include "models/traces/readers.hpp"
#include "sim/config/options.hpp"

namespace aidcsim {
namespace {

const std::vector<std::string> kJobColumns{"job_name", "inst_id", "user", "status", "start_time", "end_time"};
const std::vector<std::string> kTaskColumns{"job_name", "task_name", "inst_num", "status",   "start_time",
                                            "end_time", "plan_cpu",  "plan_mem", "plan_gpu", "gpu_type"};

struct Aggregate {
  double gpu_demand = 0, cpus = 0, mem = 0;
  double first_start = std::numeric_limits<double>::infinity();
  double last_end = -1;
  int tasks = 0;
  bool unfinished = false;
};

class PaiReader final : public TraceReader {
 public:
  PaiReader(std::string task_table, ZeroDuration zero) : task_table_(std::move(task_table)), zero_(zero) {}

  TraceReadResult read(const std::string& path, ProblemList& problems) override {
    TraceReadResult result;
    std::vector<JobSpec> jobs;
    std::unordered_map<std::string, std::size_t> index;
    if (!read_jobs(path, problems, jobs, index)) return result;
    std::filesystem::path tasks_path(task_table_);
    if (tasks_path.is_relative()) tasks_path = std::filesystem::path(path).parent_path() / tasks_path;
    std::vector<Aggregate> agg(jobs.size());
    SkipCounter skipped;
    if (!read_tasks(tasks_path.string(), problems, index, agg, skipped)) return result;

    SkipCounter job_skips;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      JobSpec& job = jobs[i];
      const Aggregate& a = agg[i];
      if (a.tasks == 0) {
        job_skips.add("no task rows");
        continue;
      }
      if (a.first_start == std::numeric_limits<double>::infinity()) {
        job_skips.add("never started (no task start_time)");
        continue;
      }
      if (a.unfinished) {
        job_skips.add("still running at the trace end (a started task has no end_time)");
        continue;
      }
      job.duration_s = a.last_end - a.first_start;
      if (job.duration_s <= 0) {
        if (zero_ == ZeroDuration::skip) {
          job_skips.add(kZeroDurationReason);
          continue;
        }
        job.duration_s = 1;
      }
      double d = a.gpu_demand;
      if (d > 1e6) {
        job_skips.add("GPU demand above 1,000,000 GPUs");
        continue;
      }
      if (d <= 1e-9) {
        job.gpus = 0;
      } else if (d < 1 - 1e-9) {
        job.gpus = 1;
        job.gpu_milli = std::clamp(static_cast<int>(std::lround(d * 1000)), 1, 1000);
      } else {
        job.gpus = static_cast<int>(std::ceil(d - 1e-9));
      }
      job.cpus = a.cpus;
      job.mem_gib = a.mem;
      result.jobs.push_back(std::move(job));
    }
    for (const auto& [reason, n] : job_skips.result()) skipped.add(reason, n);
    result.skipped = skipped.result();
    return result;
  }

 private:
  // True when the first line is the column names written out (a header someone added).
  static bool is_header(const std::vector<std::string>& fields, const std::vector<std::string>& names) {
    return !fields.empty() && fields[0] == names[0];
  }

  static bool open(LineInput& in, const std::string& path, const char* table, ProblemList& problems) {
    if (in.ok()) return true;
    problems.add(path, 0, "", fmt::format("cannot open the {}", table));
    return false;
  }

  // Every non-empty row of a headerless table (a header row first is skipped), with its RowReader;
  // false when the first row has the wrong field count (not this table at all).
  static bool for_each_table_row(LineInput& in, const std::string& path, const std::vector<std::string>& columns,
                                 const char* table, const char* file, ProblemList& problems,
                                 const std::function<void(RowReader&)>& row) {
    CsvHeader header(columns);
    std::vector<std::string> fields;
    std::string line;
    bool first = true;
    while (in.next(line)) {
      if (line.empty()) continue;
      split_csv(line, fields);
      if (first && is_header(fields, columns)) {
        first = false;
        continue;
      }
      if (fields.size() != columns.size()) {
        std::string what = fmt::format("found {} fields, expected the {} headerless columns of {}: {}", fields.size(),
                                       columns.size(), file, join_names(columns));
        problems.add(path, in.line_number(), "", first ? fmt::format("not an Alibaba PAI {}: {}", table, what) : what);
        if (first) return false;
        continue;
      }
      first = false;
      RowReader reader{path, in.line_number(), header, fields, problems};
      row(reader);
    }
    return true;
  }

  bool read_jobs(const std::string& path, ProblemList& problems, std::vector<JobSpec>& jobs,
                 std::unordered_map<std::string, std::size_t>& index) {
    LineInput in(path);
    if (!open(in, path, "job table", problems)) return false;
    SharedPool<std::string> tenants;
    return for_each_table_row(in, path, kJobColumns, "job table", "pai_job_table.csv", problems, [&](RowReader& row) {
      const std::vector<std::string>& fields = row.fields;
      JobSpec job;
      job.job_id = fields[0];
      if (job.job_id.empty()) row.fail(0, "empty job_name; expected a unique job name");
      if (!fields[2].empty()) job.tenant = tenants.get(fields[2]);
      job.submit_s = row.number(4, 0, 0, false, "seconds, a number >= 0", true);
      if (!row.ok) return;
      if (!index.emplace(job.job_id, jobs.size()).second) {
        row.fail(0, fmt::format("duplicate job_name \"{}\"; expected one row per job", job.job_id));
        return;
      }
      jobs.push_back(std::move(job));
    });
  }

  bool read_tasks(const std::string& path, ProblemList& problems,
                  const std::unordered_map<std::string, std::size_t>& index, std::vector<Aggregate>& agg,
                  SkipCounter& skipped) {
    LineInput in(path);
    if (!open(in, path, "task table (option task_table)", problems)) return false;
    return for_each_table_row(in, path, kTaskColumns, "task table", "pai_task_table.csv", problems, [&](RowReader& row) {
      const std::vector<std::string>& fields = row.fields;
      long long inst = row.integer(2, 1, 0, 1LL << 30, "an integer >= 0", true);
      double start = row.number(4, 0, 0, false, "seconds, a number >= 0");
      double end = row.number(5, 0, 0, false, "seconds, a number >= 0");
      double cpu = row.number(6, 0, 0, false, "percent of a core, a number >= 0");
      double mem = row.number(7, 0, 0, false, "GB, a number >= 0");
      double gpu = row.number(8, 0, 0, false, "percent of a GPU, a number >= 0");
      if (row.ok && start > 0 && end > 0 && end < start)
        row.fail(5, fmt::format("found {} before start_time {}", fields[5], fields[4]));
      if (!row.ok) return;
      auto it = index.find(fields[0]);
      if (it == index.end()) {
        skipped.add("task rows whose job_name is not in the job table");
        return;
      }
      Aggregate& a = agg[it->second];
      ++a.tasks;
      a.gpu_demand += inst * gpu / 100.0;
      a.cpus += inst * cpu / 100.0;
      a.mem += inst * mem;
      if (start > 0) {
        a.first_start = std::min(a.first_start, start);
        if (end > 0) a.last_end = std::max(a.last_end, end);
        else a.unfinished = true;
      }
    });
  }

  std::string task_table_;
  ZeroDuration zero_;
};

}  // namespace

std::unique_ptr<TraceReader> make_alibaba_pai_reader(PolicyArgs& args) {
  std::string task_table = args.options.text("task_table", "pai_task_table.csv");
  if (task_table.empty()) args.options.problem("task_table", "empty; expected the path of pai_task_table.csv");
  ZeroDuration zero = read_zero_duration(args.options, ZeroDuration::skip);
  return std::make_unique<PaiReader>(task_table, zero);
}

}  // namespace aidcsim
