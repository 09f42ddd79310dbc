// Alibaba GPU cluster trace 2023 (OpenB, FGD ATC'23): openb_pod_list_*.csv, one row per pod.
//
//   name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time
//   (the multigpu* variants have only the first five columns)
//
// job_id = name, cpus = cpu_milli/1000, mem_gib = memory_mib/1024, gpus = num_gpu, gpu_milli = gpu_milli
// when num_gpu == 1 (1000 otherwise), gpu_models = gpu_spec split on '|', priority from qos (Guaranteed 3,
// LS 2, Burstable 1, BE 0), tenant = qos (option tenant_from: "none" puts every pod in "default").
//
// Option replay:
//   "time"    (default when the file has the time columns): submit = creation_time, duration =
//             deletion_time - scheduled_time. Pods never scheduled (no scheduled_time, the Pending ones) and
//             pods without deletion_time are skipped and counted.
//   "all"     every pod, submit = creation_time, duration = deletion_time - creation_time (its lifetime in
//             the trace, queueing included). Reproduces the published per-pod figures (8,152 pods).
//             zero_duration defaults to "one-second" here, so even a pod created and deleted within the
//             same second is kept.
//   "packing" (default, and the only choice, for the 5-column files): every pod arrives at 0 s in file
//             order and runs default_duration_s (default 3600) — the FGD packing experiment.
#include <fmt/format.h>

#include <unordered_set>

#include "models/traces/readers.hpp"
#include "sim/config/options.hpp"

namespace aidcsim {
namespace {

enum class Replay { automatic, time, all, packing };

struct OpenbOptions {
  Replay replay = Replay::automatic;
  bool tenant_is_qos = true;
  double default_duration_s = 3600;
  ZeroDuration zero_duration = ZeroDuration::skip;
  bool zero_duration_set = false;
};

class OpenbReader final : public TraceReader {
 public:
  explicit OpenbReader(OpenbOptions o) : o_(o) {}

  TraceReadResult read(const std::string& path, ProblemList& problems) override {
    TraceReadResult result;
    LineInput in(path);
    static const std::vector<std::string> base{"name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli"};
    static const std::vector<std::string> timed{"name",    "cpu_milli", "memory_mib",    "num_gpu",
                                                "gpu_milli", "gpu_spec", "qos",          "pod_phase",
                                                "creation_time", "deletion_time", "scheduled_time"};
    auto header = read_trace_header(in, path, "openb pod list", base, problems);
    if (!header) return result;
    const CsvHeader& h = *header;
    const bool has_times = h.index("creation_time") >= 0;
    Replay replay = o_.replay == Replay::automatic ? (has_times ? Replay::time : Replay::packing) : o_.replay;
    if (replay != Replay::packing) {
      std::vector<std::string> missing;
      for (const char* name : {"creation_time", "deletion_time", "scheduled_time"})
        if (h.index(name) < 0) missing.push_back(name);
      if (!missing.empty()) {
        problems.add(path, 1, "",
                     fmt::format("replay \"{}\" needs the columns creation_time, scheduled_time and deletion_time, "
                                 "missing here ({}); expected the 11-column header {} or replay \"packing\"",
                                 replay == Replay::time ? "time" : "all", join_names(missing), join_names(timed)));
        return result;
      }
    }
    ZeroDuration zero = o_.zero_duration_set ? o_.zero_duration
                                             : (replay == Replay::all ? ZeroDuration::one_second : ZeroDuration::skip);
    const int c_name = h.index("name"), c_cpu = h.index("cpu_milli"), c_mem = h.index("memory_mib"),
              c_gpus = h.index("num_gpu"), c_milli = h.index("gpu_milli"), c_spec = h.index("gpu_spec"),
              c_qos = h.index("qos"), c_create = h.index("creation_time"), c_delete = h.index("deletion_time"),
              c_sched = h.index("scheduled_time");

    SkipCounter skipped;
    std::unordered_set<std::string> seen;
    SharedPool<std::vector<std::string>> models;
    for_each_row(in, path, h, problems, FieldCount::exact, [&](RowReader& row) {
      JobSpec job;
      job.job_id = row.text(c_name);
      if (job.job_id.empty()) row.fail(c_name, "empty name; expected a unique pod name");
      else if (!seen.insert(job.job_id).second)
        row.fail(c_name, fmt::format("duplicate name \"{}\"; expected unique pod names", job.job_id));
      job.cpus = row.number(c_cpu, 0, 0, false, "milli-CPUs, a number >= 0", true) / 1000.0;
      job.mem_gib = row.number(c_mem, 0, 0, false, "MiB, a number >= 0", true) / 1024.0;
      job.gpus = static_cast<int>(row.integer(c_gpus, 0, 0, 1 << 20, "an integer >= 0", true));
      long long milli = row.integer(c_milli, 0, 0, 1000, "milli-GPUs, an integer in 0..1000", true);
      if (row.ok && job.gpus == 1) {
        if (milli < 1) row.fail(c_milli, fmt::format("found \"{}\" for a 1-GPU pod, expected 1..1000", row.text(c_milli)));
        else job.gpu_milli = static_cast<int>(milli);
      }  // CPU-only and multi-GPU pods take whole GPUs (the trace writes 0 and 1000 there)
      if (c_spec >= 0) job.gpu_models = models.get(split_models(row.text(c_spec)));
      if (c_qos >= 0) {
        std::string qos = row.text(c_qos);
        if (qos == "Guaranteed") job.priority = 3;
        else if (qos == "LS") job.priority = 2;
        else if (qos == "Burstable") job.priority = 1;
        else if (qos == "BE" || qos.empty()) job.priority = 0;
        else row.fail(c_qos, fmt::format("found \"{}\", expected one of: LS, BE, Burstable, Guaranteed", qos));
        if (o_.tenant_is_qos && !qos.empty()) job.tenant = qos;
      }
      if (replay == Replay::packing) {
        job.submit_s = 0;
        job.duration_s = o_.default_duration_s;
        if (row.ok) result.jobs.push_back(std::move(job));
        return;
      }
      double created = row.number(c_create, 0, 0, false, "seconds, a number >= 0", true);
      bool scheduled = !row.text(c_sched).empty(), deleted = !row.text(c_delete).empty();
      double sched = row.number(c_sched, 0, 0, false, "seconds, a number >= 0");
      double del = row.number(c_delete, 0, 0, false, "seconds, a number >= 0");
      if (!row.ok) return;
      if (scheduled && sched < created)
        row.fail(c_sched, fmt::format("found {} before creation_time {}", row.text(c_sched), row.text(c_create)));
      if (deleted && del < (scheduled && replay == Replay::time ? sched : created))
        row.fail(c_delete, fmt::format("found {} before {} {}", row.text(c_delete),
                                       scheduled && replay == Replay::time ? "scheduled_time" : "creation_time",
                                       row.text(scheduled && replay == Replay::time ? c_sched : c_create)));
      if (!row.ok) return;
      if (replay == Replay::time && !scheduled) {
        skipped.add("never scheduled (no scheduled_time)");
        return;
      }
      if (!deleted) {
        skipped.add("no deletion_time (still running at the trace end)");
        return;
      }
      job.submit_s = created;
      job.duration_s = replay == Replay::time ? del - sched : del - created;
      if (job.duration_s <= 0) {
        if (zero == ZeroDuration::skip) {
          skipped.add(kZeroDurationReason);
          return;
        }
        job.duration_s = 1;
      }
      result.jobs.push_back(std::move(job));
    });
    result.skipped = skipped.result();
    return result;
  }

 private:
  OpenbOptions o_;
};

}  // namespace

std::unique_ptr<TraceReader> make_openb_reader(PolicyArgs& args) {
  OpenbOptions o;
  std::string replay = args.options.text("replay", "auto", {"auto", "time", "all", "packing"});
  o.replay = replay == "time"      ? Replay::time
             : replay == "all"     ? Replay::all
             : replay == "packing" ? Replay::packing
                                   : Replay::automatic;
  o.tenant_is_qos = args.options.text("tenant_from", "qos", {"qos", "none"}) == "qos";
  o.default_duration_s = args.options.number("default_duration_s", 3600, 1e-3, 1e12);
  o.zero_duration_set = args.options.has("zero_duration");
  o.zero_duration = read_zero_duration(args.options, ZeroDuration::skip);
  return std::make_unique<OpenbReader>(o);
}

}  // namespace aidcsim
