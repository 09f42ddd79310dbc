#include "sim/run.hpp"

#include <fmt/format.h>
#include <simgrid/s4u.hpp>
#include <simgrid/version.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>

#include "sim/engine.hpp"
#include "sim/metrics.hpp"
#include "sim/options.hpp"
#include "sim/outputs.hpp"
#include "sim/platform_loader.hpp"
#include "sim/policy/trace_reader.hpp"
#include "sim/units.hpp"

namespace aidcsim {

namespace sg4 = simgrid::s4u;
namespace fs = std::filesystem;

sg4::Engine& make_simgrid_engine(bool verbose) {
  static std::vector<std::string> args;  // SimGrid keeps pointers into argv for the process lifetime
  args = {"aidcsim"};
  if (!verbose) {
    args.push_back("--log=root.thres:critical");
    args.push_back("--log=xbt_cfg.thres:critical");
  }
  static std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  static int argc = static_cast<int>(argv.size());
  static sg4::Engine engine(&argc, argv.data());
  return engine;
}

template <class Interface>
static std::unique_ptr<Interface> instantiate(const Registry<Interface>& registry, const std::string& name,
                                              const nlohmann::json& section, const std::string& pointer,
                                              const Scenario& s, ProblemList& problems,
                                              const std::vector<std::string>& also_known) {
  const auto* entry = registry.find(name);
  if (!entry) return nullptr;  // already reported by the scenario reader
  const nlohmann::json object = section.is_object() ? section : nlohmann::json::object();
  OptionReader reader(object, pointer, s.file, &s.located, problems);
  PolicyArgs args{reader, s.seed};
  auto made = entry->make(args);
  reader.reject_unknown(also_known);
  return made;
}

static const nlohmann::json& at_pointer(const nlohmann::json& root, const std::string& pointer) {
  static const nlohmann::json kNull;
  nlohmann::json::json_pointer p(pointer);
  return root.contains(p) ? root[p] : kNull;
}

static std::vector<JobSpec> shape_jobs(std::vector<JobSpec> jobs, const JobsSource& src) {
  std::vector<JobSpec> out;
  out.reserve(jobs.size());
  for (auto& j : jobs) {
    if (j.submit_s < src.window_start_s || (src.window_end_s >= 0 && j.submit_s >= src.window_end_s)) continue;
    j.submit_s = (j.submit_s - src.window_start_s) * src.time_scale;
    out.push_back(std::move(j));
  }
  std::stable_sort(out.begin(), out.end(), [](const JobSpec& a, const JobSpec& b) { return a.submit_s < b.submit_s; });
  if (src.limit >= 0 && static_cast<long long>(out.size()) > src.limit) out.resize(src.limit);
  return out;
}

Prepared prepare(sg4::Engine& engine, const std::string& scenario_path, const std::vector<Override>& overrides,
                 std::optional<std::uint64_t> seed, const Registries& registries) {
  ProblemList problems;
  Prepared p{load_scenario(scenario_path, overrides, seed, registries, problems), {}, {}, {}, {}};
  const Scenario& s = p.scenario;
  if (!s.platform_path.empty() && fs::exists(s.platform_path)) {
    try {
      p.cluster = load_cluster(engine, s.platform_path);
    } catch (const InputErrors& e) {
      for (const auto& problem : e.problems()) problems.add(problem);
    }
  }
  const auto& root = s.resolved;
  const nlohmann::json& jobs_section = at_pointer(root, "/workload/jobs");
  p.policies.scheduler = instantiate(registries.schedulers, s.scheduler.policy, at_pointer(root, "/scheduler"),
                                     "/scheduler", s, problems, {"policy"});
  p.policies.placement = instantiate(registries.placements, s.placement.policy, at_pointer(root, "/placement"),
                                     "/placement", s, problems, {"policy"});
  p.policies.monitor = instantiate(registries.monitors, s.monitor.policy, at_pointer(root, "/monitoring"),
                                   "/monitoring", s, problems, {"policy", "interval_s"});
  const std::vector<std::string> jobs_keys{"path", "format", "limit", "time_window", "time_scale", "model"};
  p.policies.workload_model = instantiate(registries.workload_models, s.workload_model.policy, jobs_section,
                                          "/workload/jobs", s, problems, jobs_keys);
  auto reader = instantiate(registries.trace_readers, s.jobs.format, jobs_section, "/workload/jobs", s, problems, jobs_keys);
  if (reader && !s.jobs.path.empty() && fs::exists(s.jobs.path)) {
    TraceReadResult read = reader->read(s.jobs.path, problems);
    p.jobs = shape_jobs(std::move(read.jobs), s.jobs);
    p.skipped_rows = std::move(read.skipped);
  }
  problems.throw_if_any();
  return p;
}

static std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

static void write_jobs_csv(const std::string& path, const Core& core) {
  AtomicFile file(path);
  auto& out = file.stream();
  out << "job_id,tenant,submit_s,start_s,end_s,queue_delay_s,jct_s,gpus,gpu_milli,state,hosts,duration_s,slowdown,"
         "cpus,mem_gib,reason\n";
  const Cluster& cluster = core.cluster();
  for (std::size_t j = 0; j < core.jobs().size(); ++j) {
    const JobSpec& spec = core.jobs()[j];
    const JobRun& run = core.runs()[j];
    std::string hosts;
    for (const auto& g : run.allocation.gpus) hosts += (hosts.empty() ? "" : ";") + cluster.gpus[g.gpu].name;
    if (run.allocation.gpus.empty())
      for (const auto& s : run.allocation.servers) hosts += (hosts.empty() ? "" : ";") + cluster.servers[s.server].name;
    bool started = !std::isnan(run.start_s), ended = !std::isnan(run.end_s);
    out << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(spec.job_id),
                       csv_field(spec.tenant), format_number(spec.submit_s), format_number(run.start_s),
                       format_number(run.end_s), started ? format_number(run.start_s - spec.submit_s) : "",
                       ended ? format_number(run.end_s - spec.submit_s) : "", spec.gpus, spec.gpu_milli,
                       to_string(run.state), hosts, format_number(spec.duration_s),
                       ended ? format_number((run.end_s - spec.submit_s) / spec.duration_s) : "",
                       format_number(spec.cpus), format_number(spec.mem_gib), csv_field(run.reason));
  }
  file.commit();
}

static nlohmann::json build_summary(const Prepared& p, const Core& core, const EngineResult& result, double wall_s) {
  std::vector<double> queue_delay, jct, slowdown;
  long long counts[5] = {0, 0, 0, 0, 0};
  for (std::size_t j = 0; j < core.jobs().size(); ++j) {
    const JobRun& run = core.runs()[j];
    ++counts[static_cast<int>(run.state)];
    if (run.state != JobState::completed) continue;
    const JobSpec& spec = core.jobs()[j];
    queue_delay.push_back(run.start_s - spec.submit_s);
    jct.push_back(run.end_s - spec.submit_s);
    slowdown.push_back((run.end_s - spec.submit_s) / spec.duration_s);
  }
  double first = core.first_submit_s();
  double last = core.last_completion_s();
  double window_end = result.hit_horizon ? result.end_s : (std::isnan(last) ? first : last);
  double gpus = static_cast<double>(core.cluster().gpus.size());
  double allocation = window_end > first && gpus > 0 ? core.allocated_gpu_seconds() / (gpus * (window_end - first)) : 0;
  nlohmann::json skipped = nlohmann::json::object();
  for (const auto& [reason, count] : p.skipped_rows) skipped[reason] = count;
  return {
      {"scenario", p.scenario.name},
      {"seed", p.scenario.seed},
      {"jobs",
       {{"submitted", core.jobs().size()},
        {"completed", counts[static_cast<int>(JobState::completed)]},
        {"rejected", counts[static_cast<int>(JobState::rejected)]},
        {"unfinished", counts[static_cast<int>(JobState::unfinished)]}}},
      {"queue_delay_s", to_json(compute_stats(queue_delay))},
      {"jct_s", to_json(compute_stats(jct))},
      {"slowdown", to_json(compute_stats(slowdown))},
      {"gpu_allocation", round6(allocation)},
      {"makespan_s", std::isnan(last) ? nlohmann::json(nullptr) : nlohmann::json(round6(last - first))},
      {"gpus_total", core.cluster().gpus.size()},
      {"horizon_reached", result.hit_horizon},
      {"skipped_rows", skipped},
      {"events", core.events()},
      {"wall_s", std::round(wall_s * 1000) / 1000},
  };
}

nlohmann::json run_prepared(sg4::Engine& engine, Prepared& p, const RunOptions& options) {
  auto wall_start = std::chrono::steady_clock::now();
  std::string out_dir = options.out_dir.empty() ? "results/" + p.scenario.name : options.out_dir;
  fs::create_directories(out_dir);

  CoreOptions core_options;
  core_options.exclusive_gpus = p.scenario.gpu_sharing == "exclusive";
  core_options.always_activities = p.scenario.always_simgrid_activities;
  Core core(p.cluster, std::move(p.jobs), std::move(p.policies), core_options);

  AtomicFile timeseries(out_dir + "/timeseries.csv");
  timeseries.stream() << "time_s,metric,label,value\n";
  EngineOptions engine_options;
  engine_options.monitoring_interval_s = p.scenario.monitoring_interval_s;
  engine_options.horizon_s = p.scenario.horizon_s;
  engine_options.on_samples = [&](double t, const std::vector<Sample>& samples) {
    for (const auto& s : samples)
      timeseries.stream() << format_number(t) << ',' << s.metric << ',' << csv_field(s.label) << ','
                          << format_number(s.value) << '\n';
  };
  double last_print = 0;
  if (options.progress) {
    engine_options.on_progress = [&](double t) {
      double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
      if (elapsed - last_print < 1.0) return;
      last_print = elapsed;
      std::size_t total = core.jobs().size();
      fmt::print(stderr, "\r[aidcsim] t={:.0f} s  running {}  queued {}  events {}  ({} jobs, {:.0f} s wall)   ", t,
                 core.running_count(), core.queued_count(), core.events(), total, elapsed);
    };
  }
  EngineResult result = run_simulation(engine, core, engine_options);
  if (options.progress && last_print > 0) fmt::print(stderr, "\n");

  double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  nlohmann::json summary = build_summary(p, core, result, wall_s);
  write_jobs_csv(out_dir + "/jobs.csv", core);
  nlohmann::json run_info = {{"scenario", p.scenario.resolved},
                             {"scenario_file", p.scenario.file},
                             {"seed", p.scenario.seed},
                             {"aidcsim_version", AIDCSIM_VERSION},
                             {"git_commit", AIDCSIM_GIT_COMMIT},
                             {"simgrid_version", fmt::format("{}.{}.{}", SIMGRID_VERSION_MAJOR, SIMGRID_VERSION_MINOR,
                                                             SIMGRID_VERSION_PATCH)}};
  write_file_atomically(out_dir + "/run.json", run_info.dump(2) + "\n");
  timeseries.commit();
  write_file_atomically(out_dir + "/summary.json", summary.dump(2) + "\n");
  summary["out_dir"] = out_dir;
  return summary;
}

static std::string stat_or_dash(const nlohmann::json& j) {
  return j.is_null() ? "-" : format_number(j.get<double>());
}

std::string format_summary(const nlohmann::json& s) {
  std::string out = fmt::format("scenario {} (seed {})\n", s["scenario"].get<std::string>(), s["seed"].get<long long>());
  const auto& jobs = s["jobs"];
  out += fmt::format("  jobs          {} submitted, {} completed, {} rejected, {} unfinished\n",
                     jobs["submitted"].get<long long>(), jobs["completed"].get<long long>(),
                     jobs["rejected"].get<long long>(), jobs["unfinished"].get<long long>());
  out += fmt::format("  {:<14}{:>12} {:>12} {:>12} {:>12} {:>12}\n", "", "mean", "p50", "p95", "p99", "max");
  for (const char* key : {"queue_delay_s", "jct_s", "slowdown"}) {
    const auto& st = s[key];
    out += fmt::format("  {:<14}{:>12} {:>12} {:>12} {:>12} {:>12}\n", key, stat_or_dash(st["mean"]),
                       stat_or_dash(st["p50"]), stat_or_dash(st["p95"]), stat_or_dash(st["p99"]), stat_or_dash(st["max"]));
  }
  out += fmt::format("  gpu_allocation {:.4f} of {} GPUs   makespan_s {}   events {}   wall {:.2f} s\n",
                     s["gpu_allocation"].get<double>(), s["gpus_total"].get<long long>(), stat_or_dash(s["makespan_s"]),
                     s["events"].get<long long>(), s["wall_s"].get<double>());
  return out;
}

}  // namespace aidcsim
