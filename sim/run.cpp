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
                                              OptionReader& options, std::uint64_t seed, const Cluster& cluster,
                                              const std::vector<JobSpec>& jobs) {
  const auto* entry = registry.find(name);
  if (!entry) return nullptr;  // already reported by the scenario reader
  PolicyArgs args{options, seed, cluster, jobs};
  return entry->make(args);
}

// The options object of a section; an absent or null section reads as {}.
static nlohmann::json section_object(const nlohmann::json& root, const std::string& pointer) {
  nlohmann::json::json_pointer p(pointer);
  if (root.contains(p) && root[p].is_object()) return root[p];
  return nlohmann::json::object();
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
  Prepared p{load_scenario(scenario_path, overrides, seed, registries, problems), {}, {}, {}, {}, {}};
  const Scenario& s = p.scenario;
  if (!s.platform_path.empty() && fs::exists(s.platform_path)) {
    try {
      p.cluster = load_cluster(engine, s.platform_path, &p.hosts);
    } catch (const InputErrors& e) {
      for (const auto& problem : e.problems()) problems.add(problem);
    }
  }
  const auto& root = s.resolved;
  const Cluster no_cluster;
  const std::vector<JobSpec> no_jobs;
  // The jobs section is shared by the trace reader and the workload model: one reader, so a key
  // either of them knows is not reported as unknown.
  const nlohmann::json jobs_section = section_object(root, "/workload/jobs");
  OptionReader jobs_options(jobs_section, "/workload/jobs", s.file, &s.located, problems);
  auto reader = instantiate(registries.trace_readers, s.jobs.format, jobs_options, s.seed, no_cluster, no_jobs);
  if (reader && !s.jobs.path.empty() && fs::exists(s.jobs.path)) {
    TraceReadResult read = reader->read(s.jobs.path, problems);
    p.jobs = shape_jobs(std::move(read.jobs), s.jobs);
    p.skipped_rows = std::move(read.skipped);
  }
  p.policies.workload_model =
      instantiate(registries.workload_models, s.workload_model.policy, jobs_options, s.seed, p.cluster, p.jobs);
  jobs_options.reject_unknown({"path", "format", "limit", "time_window", "time_scale", "model"});

  auto policy = [&](const auto& registry, const std::string& name, const std::string& pointer,
                    std::vector<std::string> also_known) {
    const nlohmann::json section = section_object(root, pointer);
    OptionReader options(section, pointer, s.file, &s.located, problems);
    auto made = instantiate(registry, name, options, s.seed, p.cluster, p.jobs);
    options.reject_unknown(also_known);
    return made;
  };
  p.policies.scheduler = policy(registries.schedulers, s.scheduler.policy, "/scheduler", {"policy"});
  p.policies.placement = policy(registries.placements, s.placement.policy, "/placement", {"policy"});
  p.policies.monitor = policy(registries.monitors, s.monitor.policy, "/monitoring", {"policy", "interval_s"});
  problems.throw_if_any();
  return p;
}

static void append_csv_field(std::string& out, const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  out += '"';
}

static std::string csv_field(const std::string& text) {
  std::string out;
  append_csv_field(out, text);
  return out;
}

static void write_jobs_csv(const std::string& path, const Core& core) {
  AtomicFile file(path);
  std::string line;
  line.reserve(1 << 16);
  line += "job_id,tenant,submit_s,start_s,end_s,queue_delay_s,jct_s,gpus,gpu_milli,state,hosts,duration_s,slowdown,"
          "cpus,mem_gib,reason,preemptions,run_s\n";
  const Cluster& cluster = core.cluster();
  // Appends into one buffer (no per-field formatting calls): this runs for every job of every run.
  auto field = [&](double v) {
    append_number(line, v);
    line += ',';
  };
  for (std::size_t j = 0; j < core.jobs().size(); ++j) {
    const JobSpec& spec = core.jobs()[j];
    const JobRun& run = core.runs()[j];
    bool ended = !std::isnan(run.end_s);
    append_csv_field(line, spec.job_id);
    line += ',';
    append_csv_field(line, spec.tenant);
    line += ',';
    field(spec.submit_s);
    field(run.start_s);
    field(run.end_s);
    field(run.start_s - spec.submit_s);  // NaN (empty) when never started
    field(run.end_s - spec.submit_s);
    line += std::to_string(spec.gpus) + ',' + std::to_string(spec.gpu_milli) + ',' + to_string(run.state) + ',';
    bool first = true;
    for (const auto& g : run.allocation.gpus) {
      line += first ? "" : ";";
      line += cluster.gpus[g.gpu].name;
      first = false;
    }
    if (run.allocation.gpus.empty())
      for (const auto& sv : run.allocation.servers) {
        line += first ? "" : ";";
        line += cluster.servers[sv.server].name;
        first = false;
      }
    line += ',';
    field(spec.duration_s);
    field(ended ? (run.end_s - spec.submit_s) / spec.duration_s : kNoTime);
    field(spec.cpus);
    field(spec.mem_gib);
    append_csv_field(line, run.reason);
    line += ',' + std::to_string(run.preemptions) + ',';
    append_number(line, run.run_s);
    line += '\n';
    if (line.size() > (1 << 16) - 512) {
      file.stream() << line;
      line.clear();
    }
  }
  file.stream() << line;
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
  EngineResult result = run_simulation(engine, p.hosts, core, engine_options);
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
