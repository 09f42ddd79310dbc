#include "models/failures/failure_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <unordered_map>

#include "sim/core/core.hpp"
#include "sim/core/csv.hpp"
#include "sim/core/rng.hpp"
#include "sim/core/run_record.hpp"
#include "sim/core/units.hpp"
#include "models/failures/stragglers.hpp"

namespace aidcsim {
namespace {

enum : std::uint64_t { kFail = 0, kRepair = 1 };

FailureProcessSpec read_process(OptionReader& failures, const char* kind) {
  FailureProcessSpec spec;
  if (!failures.raw(kind)) return spec;
  OptionReader r = failures.nested(kind);
  spec.enabled = true;
  spec.mtbf_s = r.number("mtbf_s", 0, -kMaxTime_s, kMaxTime_s);
  if (!r.has("mtbf_s") || spec.mtbf_s <= 0) {
    r.problem("mtbf_s", r.has("mtbf_s") ? fmt::format("{} is not positive; expected the mean time between failures of one {}, in s",
                                                      format_number(spec.mtbf_s), kind)
                                        : fmt::format("missing; expected the mean time between failures of one {}, in s", kind));
    spec.enabled = false;
  }
  spec.repair_s = r.number("repair_s", 0, 0, kMaxTime_s);
  spec.weibull = r.text("distribution", "exponential", {"exponential", "weibull"}) == "weibull";
  spec.shape = r.number("shape", 1, 0.01, 100);
  if (r.has("shape") && !spec.weibull) r.problem("shape", "is for the weibull distribution; expected no shape with exponential");
  r.reject_unknown();
  return spec;
}

std::vector<TraceFailure> read_trace(OptionReader& failures, const Cluster& cluster, const std::string& scenario_dir,
                                     RunRecord* record) {
  std::vector<TraceFailure> rows;
  std::string given = failures.text("trace", "");
  if (given.empty()) return rows;
  namespace fs = std::filesystem;
  const std::string path = fs::path(given).is_absolute() ? given : (fs::path(scenario_dir) / given).lexically_normal().string();
  const auto hosts = hosts_by_name(cluster);
  LineInput in(path);
  if (!in.ok()) {
    failures.problem("trace", fmt::format("cannot read the failure trace {}", path));
    return rows;
  }
  if (record) record->read_file("failure_trace", path);
  std::string line;
  std::vector<std::string> fields;
  auto problem = [&](const std::string& column, const std::string& what) {
    failures.add_problem({path, in.line_number(), column, what});
  };
  if (!in.next(line)) return rows;
  split_csv(line, fields);
  if (fields != std::vector<std::string>{"time_s", "host", "duration_s"}) {
    problem("", fmt::format("header \"{}\"; expected \"time_s,host,duration_s\"", line));
    return rows;
  }
  double last_s = -kMaxTime_s;
  while (in.next(line)) {
    if (line.empty()) continue;
    split_csv(line, fields);
    if (fields.size() != 3) {
      problem("", fmt::format("{} fields; expected 3 (time_s,host,duration_s)", fields.size()));
      continue;
    }
    TraceFailure f;
    auto time = parse_double(fields[0]), duration = parse_double(fields[2]);
    if (!time || !std::isfinite(*time) || *time < 0) problem("time_s", fmt::format("\"{}\"; expected a time >= 0, in s", fields[0]));
    if (!duration || !std::isfinite(*duration) || *duration < 0)
      problem("duration_s", fmt::format("\"{}\"; expected a repair duration >= 0, in s", fields[2]));
    auto host = hosts.find(fields[1]);
    if (host == hosts.end()) problem("host", fmt::format("\"{}\" is not a server or GPU of the platform", fields[1]));
    if (!time || !duration || host == hosts.end() || !std::isfinite(*time) || !std::isfinite(*duration) || *time < 0 || *duration < 0) continue;
    if (*time < last_s) problem("time_s", fmt::format("{} is before the previous row's {}; expected rows in time order",
                                                      format_number(*time), format_number(last_s)));
    last_s = *time;
    f.time_s = *time;
    f.duration_s = *duration;
    f.host = fields[1];
    f.gpu = host->second.on_gpu;
    f.index = host->second.index;
    rows.push_back(f);
  }
  return rows;
}

}  // namespace

FailureConfig read_failure_config(OptionReader& failures, const Cluster& cluster, const std::string& scenario_dir,
                                  RunRecord* record) {
  FailureConfig c;
  c.server = read_process(failures, "server");
  c.gpu = read_process(failures, "gpu");
  c.trace = read_trace(failures, cluster, scenario_dir, record);
  c.stragglers = read_stragglers(failures, cluster);
  c.restart_s = failures.number("restart_s", 0, 0, kMaxTime_s);
  if (!failures.has("trace") && !failures.has("server") && !failures.has("gpu") && !failures.has("stragglers"))
    failures.problem("", "no failures: expected \"server\" or \"gpu\" ({\"mtbf_s\": ..., \"repair_s\": ...}), a \"trace\" or \"stragglers\"");
  failures.reject_unknown();
  return c;
}

std::unique_ptr<FailureModel> make_failure_model(PolicyArgs& args) {
  FailureConfig c = read_failure_config(args.options, args.cluster, args.scenario_dir, args.record);
  if (args.record)
    for (const char* kind : {"server", "gpu"})
      if ((std::string(kind) == "server" ? c.server : c.gpu).enabled) args.record->random_stream(std::string("failures/") + kind, args.seed);
  return std::make_unique<HostFailures>(std::move(c), args.cluster, args.jobs.size(), args.seed);
}

HostFailures::HostFailures(FailureConfig config, const Cluster& cluster, std::size_t jobs, std::uint64_t seed)
    : config_(std::move(config)), cluster_(cluster) {
  down_until_s_.assign(cluster.servers.size(), -1);
  failures_of_.assign(jobs, 0);
  lost_gpu_s_.assign(jobs, 0);
  // One process per host of each kind, each with its own stream (adding hosts changes no other's draws).
  if (config_.server.enabled)
    for (std::size_t s = 0; s < cluster.servers.size(); ++s)
      processes_.push_back({false, false, static_cast<std::uint32_t>(s), stream_seed(seed, "failures/server/" + cluster.servers[s].name),
                            config_.server.repair_s});
  if (config_.gpu.enabled)
    for (std::size_t g = 0; g < cluster.gpus.size(); ++g)
      processes_.push_back({true, false, static_cast<std::uint32_t>(g), stream_seed(seed, "failures/gpu/" + cluster.gpus[g].name),
                            config_.gpu.repair_s});
  for (const TraceFailure& f : config_.trace) processes_.push_back({f.gpu, true, f.index, 0, f.duration_s});
}

double HostFailures::time_to_failure(Process& p) {
  const FailureProcessSpec& spec = p.gpu ? config_.gpu : config_.server;
  // Inverse transform on a 53-bit uniform in [0, 1): portable, unlike std's distributions.
  const double u = static_cast<double>(splitmix64(p.stream) >> 11) * 0x1.0p-53;
  const double e = -std::log1p(-u);  // Exp(1)
  if (!spec.weibull) return spec.mtbf_s * e;
  return spec.mtbf_s / std::tgamma(1 + 1 / spec.shape) * std::pow(e, 1 / spec.shape);
}

ServerIndex HostFailures::server_of(const Process& p) const { return p.gpu ? cluster_.gpus[p.index].server : p.index; }

std::string HostFailures::host_name(const Process& p) const {
  return p.gpu ? cluster_.gpus[p.index].name : cluster_.servers[p.index].name;
}

void HostFailures::start(Core& core, double start_s) {
  core_ = &core;
  for (std::size_t p = 0; p < processes_.size(); ++p) {
    Process& proc = processes_[p];
    if (proc.from_trace) {
      core.event_queue().at(std::max(start_s, config_.trace[p - (processes_.size() - config_.trace.size())].time_s), this, p * 2 + kFail, false);
      continue;
    }
    core.event_queue().at(start_s + time_to_failure(proc), this, p * 2 + kFail, false);
  }
}

void HostFailures::on_event(std::uint64_t payload, double now) {
  const std::size_t p = payload / 2;
  Process& proc = processes_[p];
  const ServerIndex s = server_of(proc);
  if (payload % 2 == kFail) {
    fail(p, now, proc.repair_s);
    return;
  }
  // Repaired; a later failure of the same server may have pushed its repair further.
  if (now + 1e-9 >= down_until_s_[s]) core_->repair_server(s, now);
  if (!proc.from_trace) core_->event_queue().at(now + time_to_failure(proc), this, p * 2 + kFail, false);
}

void HostFailures::fail(std::size_t p, double now, double repair_s) {
  Process& proc = processes_[p];
  const ServerIndex s = server_of(proc);
  const double until = now + repair_s;
  Logged entry{now, repair_s, p, {}};
  for (const auto& [j, lost_work_s] : core_->fail_server(s, now, config_.restart_s)) {
    const JobSpec& spec = core_->jobs()[j];
    ++failures_of_[j];
    lost_gpu_s_[j] += lost_work_s * spec.gpus * spec.gpu_milli / 1000.0;
    awaiting_restart_[j] = now;
    entry.jobs.push_back(j);
  }
  down_until_s_[s] = std::max(down_until_s_[s], until);
  log_.push_back(std::move(entry));
  // The repair: an event that does not keep the run alive by itself, and a wake-up so that jobs
  // waiting for this server keep it going.
  core_->event_queue().at(until, this, p * 2 + kRepair, false);
  core_->event_queue().wake_at(until);
}

void HostFailures::work_planned(JobIndex j, const ActivityPlan&, double work_start_s, double) {
  auto it = awaiting_restart_.find(j);
  if (it == awaiting_restart_.end()) return;
  restart_delay_s_ += work_start_s - it->second;
  ++restarts_;
  awaiting_restart_.erase(it);
}

void HostFailures::append_job_fields(JobIndex j, const JobSpec&, const JobRun&, std::string& line) const {
  line += ',' + std::to_string(failures_of_[j]) + ',';
  append_number(line, lost_gpu_s_[j]);
}

std::string HostFailures::failures_csv() const {
  std::string out = "time_s,host,kind,repair_s,jobs_hit,job_ids\n";
  for (const Logged& e : log_) {
    const Process& proc = processes_[e.process];
    std::string ids;
    for (JobIndex j : e.jobs) ids += (ids.empty() ? "" : ";") + core_->jobs()[j].job_id;
    out += format_number(e.time_s) + ',';
    append_csv_field(out, host_name(proc));
    out += fmt::format(",{},{},{},", proc.gpu ? "gpu" : "server", format_number(e.repair_s), e.jobs.size());
    append_csv_field(out, ids);
    out += '\n';
  }
  return out;
}

nlohmann::json HostFailures::summary(double) const {
  long long by_server = 0, by_gpu = 0, hits = 0;
  for (const Logged& e : log_) {
    (processes_[e.process].gpu ? by_gpu : by_server) += 1;
    hits += static_cast<long long>(e.jobs.size());
  }
  double lost_gpu_s = 0, useful_gpu_s = 0;
  for (std::size_t j = 0; j < failures_of_.size(); ++j) {
    lost_gpu_s += lost_gpu_s_[j];
    const JobSpec& spec = core_->jobs()[j];
    const JobRun& run = core_->runs()[j];
    const double done = run.state == JobState::completed ? 1 : run.done_fraction;
    useful_gpu_s += done * spec.duration_s * spec.gpus * spec.gpu_milli / 1000.0;
  }
  const double allocated_gpu_s = core_->allocated_gpu_seconds();
  nlohmann::json out = {{"count", static_cast<long long>(log_.size())},
          {"by_kind", {{"server", by_server}, {"gpu", by_gpu}}},
          {"jobs_hit", hits},
          {"lost_gpu_hours", lost_gpu_s / 3600},
          {"useful_gpu_hours", useful_gpu_s / 3600},
          {"allocated_gpu_hours", allocated_gpu_s / 3600},
          {"goodput", allocated_gpu_s > 0 ? useful_gpu_s / allocated_gpu_s : 0},
          {"restarts", restarts_},
          {"mean_time_to_restart_s", restarts_ > 0 ? restart_delay_s_ / static_cast<double>(restarts_) : 0}};
  if (!config_.stragglers.empty()) out["stragglers"] = static_cast<long long>(config_.stragglers.size());
  return out;
}

}  // namespace aidcsim
