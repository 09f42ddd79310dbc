// The native CSV trace (CONTRACT.md §3): one row per job, header required, extra columns ignored.
#include <fmt/format.h>

#include <filesystem>
#include <unordered_set>

#include "models/traces/readers.hpp"
#include "sim/core/csv.hpp"
#include "sim/core/errors.hpp"

namespace aidcsim {
namespace {

class NativeReader final : public TraceReader {
 public:
  TraceReadResult read(const std::string& path, ProblemList& problems) override {
    TraceReadResult result;
    LineInput in(path);
    std::string line;
    if (!in.ok() || !in.next(line)) {
      problems.add(path, 0, "", in.ok() ? "empty file; expected a header row" : "cannot open the trace file");
      return result;
    }
    std::vector<std::string> fields;
    split_csv(line, fields);
    CsvHeader header(fields);
    Columns c{header.index("job_id"),    header.index("submit_s"),  header.index("duration_s"),
              header.index("gpus"),      header.index("gpu_milli"), header.index("cpus"),
              header.index("mem_gib"),   header.index("tenant"),    header.index("gpu_model"),
              header.index("priority"),  header.index("estimate_s"), header.index("gpu_mem_gib"),
              header.index("iterations"), header.index("iteration_flops"), header.index("gradient_bytes")};
    bool missing = false;
    for (auto [name, idx] : {std::pair{"job_id", c.job_id}, {"submit_s", c.submit},
                             {"duration_s", c.duration}, {"gpus", c.gpus}}) {
      if (idx < 0) {
        problems.add(path, 1, name, fmt::format("missing required column \"{}\"; header is: {}", name,
                                                join_names(header.names())));
        missing = true;
      }
    }
    if (missing) return result;

    std::unordered_set<std::string> seen;
    // Sized for the file up front (rows of a native trace take ~30 bytes or more): no rehash of a
    // million ids on the way.
    std::error_code size_error;
    auto file_bytes = std::filesystem::file_size(path, size_error);
    if (!size_error) seen.reserve(static_cast<std::size_t>(file_bytes / 32));
    SharedPool<std::string> tenants;
    SharedPool<std::vector<std::string>> models;
    for_each_row(in, path, header, problems, FieldCount::unchecked, [&](RowReader& row) {
      JobSpec job;
      job.job_id = row.text(c.job_id);
      if (job.job_id.empty()) row.fail(c.job_id, "empty job_id; expected a unique string");
      else if (!seen.insert(job.job_id).second)
        row.fail(c.job_id, fmt::format("duplicate job_id \"{}\"; expected unique ids", job.job_id));
      job.submit_s = row.seconds(c.submit, 0, false, true);
      job.duration_s = row.seconds(c.duration, 0, true, true);
      job.gpus = static_cast<int>(row.integer(c.gpus, 0, 0, 1 << 20, "an integer >= 0", true));
      job.gpu_milli = static_cast<int>(row.integer(c.gpu_milli, 1000, 1, 1000, "an integer in 1..1000"));
      job.cpus = row.number(c.cpus, 0, 0, false, "a number >= 0");
      job.mem_gib = row.number(c.mem_gib, 0, 0, false, "a number >= 0");
      if (c.tenant >= 0 && !row.text(c.tenant).empty()) job.tenant = tenants.get(row.text(c.tenant));
      if (c.gpu_model >= 0) job.gpu_models = models.get(split_models(row.text(c.gpu_model)));
      job.priority = static_cast<int>(row.integer(c.priority, 0, -(1 << 30), 1 << 30, "an integer"));
      if (c.estimate >= 0 && !row.text(c.estimate).empty())
        job.estimate_s = row.seconds(c.estimate, -1, true);
      if (c.gpu_mem_gib >= 0 && !row.text(c.gpu_mem_gib).empty())
        job.gpu_mem_gib = row.number(c.gpu_mem_gib, 0, 0, false, "a number >= 0");
      job.iterations = row.number(c.iterations, 0, 0, false, "a number >= 0");
      job.iteration_flops = row.number(c.iteration_flops, 0, 0, false, "a number >= 0");
      job.gradient_bytes = row.number(c.gradient_bytes, 0, 0, false, "a number >= 0");
      if (row.ok) result.jobs.push_back(std::move(job));
    });
    return result;
  }

 private:
  struct Columns {
    int job_id, submit, duration, gpus, gpu_milli, cpus, mem_gib, tenant, gpu_model, priority, estimate, gpu_mem_gib;
    int iterations, iteration_flops, gradient_bytes;  // the iterations model's (CONTRACT.md §7)
  };
};

}  // namespace

std::unique_ptr<TraceReader> make_native_reader(PolicyArgs&) { return std::make_unique<NativeReader>(); }

}  // namespace aidcsim
