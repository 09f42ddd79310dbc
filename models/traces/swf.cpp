// Standard Workload Format (Parallel Workloads Archive, SWF 2.2): ';' header comments, then one job per
// line with 18 whitespace-separated fields, -1 = unknown. Plain or gzip (read directly).
//
//  1 job id   2 submit (s)   3 wait   4 run time (s)   5 allocated procs   6 avg CPU   7 used memory
//  8 requested procs   9 requested time (s)   10 requested memory   11 status   12 user   13 group
//  14 executable   15 queue   16 partition   17 preceding job   18 think time
//
// job_id = field 1, submit = field 2, duration = field 4, processors = field 5 (field 8 when 5 is unknown),
// gpus = ceil(processors / procs_per_gpu) (option, default 1: one processor = one GPU; CPU-only HPC logs have
// no GPUs, so the mapping is a modelling choice), tenant = "u<field 12>" ("default" when unknown),
// estimate_s = field 9 when > 0. All statuses are replayed (a failed or cancelled job still held its
// processors for its run time). Skipped and counted: run time unknown (-1); run time 0 (unless
// zero_duration: "one-second"); processor count unknown or 0 in both fields 5 and 8; more processors than
// the header's MaxProcs (MaxNodes when MaxProcs is absent).
#include <fmt/format.h>

#include <cctype>
#include <cmath>

#include "models/traces/readers.hpp"
#include "sim/config/options.hpp"

namespace aidcsim {
namespace {

const std::vector<std::string>& swf_field_names() {
  static const std::vector<std::string> names{
      "field 1 (job id)",         "field 2 (submit time)",     "field 3 (wait time)",
      "field 4 (run time)",       "field 5 (allocated procs)", "field 6 (average CPU time)",
      "field 7 (used memory)",    "field 8 (requested procs)", "field 9 (requested time)",
      "field 10 (requested memory)", "field 11 (status)",      "field 12 (user id)",
      "field 13 (group id)",      "field 14 (executable)",     "field 15 (queue)",
      "field 16 (partition)",     "field 17 (preceding job)",  "field 18 (think time)"};
  return names;
}

void split_whitespace(const std::string& line, std::vector<std::string>& fields) {
  fields.clear();
  std::size_t i = 0, n = line.size();
  while (i < n) {
    while (i < n && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    std::size_t start = i;
    while (i < n && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i > start) fields.emplace_back(line, start, i - start);
  }
}

// "; MaxProcs: 128" -> 128 for key "MaxProcs"; -1 when the comment is not that key.
long long header_value(const std::string& line, const char* key) {
  std::size_t p = 1;
  while (p < line.size() && std::isspace(static_cast<unsigned char>(line[p]))) ++p;
  std::string k(key);
  if (line.compare(p, k.size(), k) != 0) return -1;
  p += k.size();
  while (p < line.size() && std::isspace(static_cast<unsigned char>(line[p]))) ++p;
  if (p >= line.size() || line[p] != ':') return -1;
  auto v = parse_integer(std::string_view(line).substr(p + 1));
  return v && *v > 0 ? *v : -1;
}

class SwfReader final : public TraceReader {
 public:
  SwfReader(int procs_per_gpu, ZeroDuration zero) : procs_per_gpu_(procs_per_gpu), zero_(zero) {}

  TraceReadResult read(const std::string& path, ProblemList& problems) override {
    TraceReadResult result;
    LineInput in(path);
    if (!in.ok()) {
      problems.add(path, 0, "", "cannot open the trace file");
      return result;
    }
    CsvHeader header(swf_field_names());
    SkipCounter skipped;
    long long max_procs = -1, max_nodes = -1;
    std::vector<std::string> fields;
    std::string line;
    bool any_data = false;
    SharedPool<std::string> tenants;
    while (in.next(line)) {
      std::size_t first = line.find_first_not_of(" \t");
      if (first == std::string::npos) continue;
      if (line[first] == ';') {
        std::string comment = line.substr(first);
        if (long long v = header_value(comment, "MaxProcs"); v > 0) max_procs = v;
        if (long long v = header_value(comment, "MaxNodes"); v > 0) max_nodes = v;
        continue;
      }
      split_whitespace(line, fields);
      if (fields.size() != 18) {
        std::string what = fmt::format("found {} fields, expected the 18 whitespace-separated fields of the Standard "
                                       "Workload Format (job id, submit time, wait time, run time, allocated procs, "
                                       "...; -1 = unknown)",
                                       fields.size());
        if (!any_data) {  // the first job line decides whether this is SWF at all: one error, not one per line
          problems.add(path, in.line_number(), "", "not a Standard Workload Format file: " + what);
          return result;
        }
        problems.add(path, in.line_number(), "", what);
        continue;
      }
      any_data = true;
      RowReader row{path, in.line_number(), header, fields, problems};
      JobSpec job;
      job.job_id = fields[0];
      if (!parse_integer(fields[0])) row.fail(0, fmt::format("found \"{}\", expected an integer job id", fields[0]));
      job.submit_s = row.number(1, 0, 0, false, "seconds, a number >= 0", true);
      double run = row.number(3, 0, -1, false, "seconds, a number >= 0 or -1 (unknown)", true);
      long long allocated = row.integer(4, -1, -1, 1 << 24, "an integer in 0..16777216 or -1 (unknown)", true);
      long long requested = row.integer(7, -1, -1, 1 << 24, "an integer in 0..16777216 or -1 (unknown)", true);
      double estimate = row.number(8, -1, -1, false, "seconds, a number >= 0 or -1 (unknown)", true);
      long long user = row.integer(11, -1, -1, 1LL << 40, "an integer >= 0 or -1 (unknown)", true);
      if (!row.ok) continue;
      if (run < 0) {
        skipped.add("run time unknown (-1)");
        continue;
      }
      if (run == 0) {
        if (zero_ == ZeroDuration::skip) {
          skipped.add(kZeroDurationReason);
          continue;
        }
        run = 1;
      }
      long long procs = allocated > 0 ? allocated : requested;
      if (procs <= 0) {
        skipped.add("processor count unknown (fields 5 and 8)");
        continue;
      }
      long long limit = max_procs > 0 ? max_procs : max_nodes;
      if (limit > 0 && procs > limit) {
        skipped.add(fmt::format("more processors than the header's {} ({})", max_procs > 0 ? "MaxProcs" : "MaxNodes",
                                limit));
        continue;
      }
      job.duration_s = run;
      job.gpus = static_cast<int>((procs + procs_per_gpu_ - 1) / procs_per_gpu_);
      if (user >= 0) job.tenant = tenants.get(fmt::format("u{}", user));
      if (estimate > 0) job.estimate_s = estimate;
      result.jobs.push_back(std::move(job));
    }
    result.skipped = skipped.result();
    return result;
  }

 private:
  long long procs_per_gpu_;
  ZeroDuration zero_;
};

}  // namespace

std::unique_ptr<TraceReader> make_swf_reader(PolicyArgs& args) {
  int procs_per_gpu = args.options.integer("procs_per_gpu", 1, 1, 1 << 20);
  ZeroDuration zero = read_zero_duration(args.options, ZeroDuration::skip);
  return std::make_unique<SwfReader>(procs_per_gpu, zero);
}

}  // namespace aidcsim
