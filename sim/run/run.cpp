#include "sim/run/run.hpp"

#include "sim/core/core_metrics.hpp"

#include <fmt/format.h>
#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <set>
#include <utility>

#include "sim/metrics/cost.hpp"
#include "sim/metrics/energy.hpp"
#include "sim/metrics/run_metrics.hpp"
#include "sim/engine/engine.hpp"
#include "sim/metrics/metrics.hpp"
#include "sim/config/concerns.hpp"
#include "sim/config/options.hpp"
#include "sim/io/core_job_columns.hpp"
#include "sim/io/csv_writer.hpp"
#include "sim/io/outputs.hpp"
#include "sim/io/provenance.hpp"
#include "sim/experiments/packing_experiment.hpp"
#include "sim/engine/platform_loader.hpp"
#include "sim/run/build_info.hpp"
#include "sim/run/concern_sections.hpp"
#include "sim/run/report.hpp"
#include "sim/policy/trace_reader.hpp"
#include "sim/core/csv.hpp"
#include "sim/core/units.hpp"

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

// The options object of a section; an absent or null section reads as {}.
static nlohmann::json section_object(const nlohmann::json& root, const std::string& pointer) {
  nlohmann::json::json_pointer p(pointer);
  if (root.contains(p) && root[p].is_object()) return root[p];
  return nlohmann::json::object();
}

// In place: a second table of a million jobs would be the run's peak memory (docs/performance.md).
static std::vector<JobSpec> shape_jobs(std::vector<JobSpec> jobs, const JobsSource& src) {
  std::size_t kept = 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    JobSpec& j = jobs[i];
    if (j.submit_s < src.window_start_s || (src.window_end_s >= 0 && j.submit_s >= src.window_end_s)) continue;
    j.submit_s = (j.submit_s - src.window_start_s) * src.time_scale;
    if (kept != i) jobs[kept] = std::move(j);
    ++kept;
  }
  jobs.erase(jobs.begin() + static_cast<std::ptrdiff_t>(kept), jobs.end());
  auto by_submit = [](const JobSpec& a, const JobSpec& b) { return a.submit_s < b.submit_s; };
  if (!std::is_sorted(jobs.begin(), jobs.end(), by_submit)) std::stable_sort(jobs.begin(), jobs.end(), by_submit);
  if (src.limit >= 0 && static_cast<long long>(jobs.size()) > src.limit) jobs.resize(src.limit);
  if (jobs.capacity() > 2 * jobs.size()) jobs.shrink_to_fit();  // a short window or limit of a long trace
  return jobs;
}

// Every reader yields times below kMaxTime_s in its own units, but a time_scale or a calendar time_zero
// can still push them past it; a run would then step its monitor towards 1e308 s.
static void check_time_bounds(const std::vector<JobSpec>& jobs, const Scenario& s, ProblemList& problems) {
  std::size_t bad = 0;
  for (const auto& j : jobs) {
    if (j.submit_s <= kMaxTime_s && j.duration_s <= kMaxTime_s) continue;
    if (++bad <= 3)
      problems.add(s.jobs.path, 0, j.job_id,
                   fmt::format("job \"{}\" has submit_s {} and duration_s {} after time_window and time_scale; "
                               "expected both at most 1e9 s (about 31 years)",
                               j.job_id, format_number(j.submit_s), format_number(j.duration_s)));
  }
  if (bad > 3)
    problems.add(s.jobs.path, 0, "", fmt::format("{} more jobs beyond 1e9 s", bad - 3));
}

Prepared prepare(sg4::Engine& engine, const std::string& scenario_path, const std::vector<Override>& overrides,
                 std::optional<std::uint64_t> seed, const Registries& registries) {
  ProblemList problems;
  Prepared p{load_scenario(scenario_path, overrides, seed, registries, problems), {}, {}, {}, {}, {}, {}, {}, false};
  const Scenario& s = p.scenario;
  p.record.read_file("scenario", s.file);
  if (!s.platform_path.empty() && input_file_problem(s.platform_path).empty()) {
    try {
      // Before the platform exists: SimGrid reads its network model when the platform is loaded.
      if (s.network_model != "LV08") engine.set_config("network/model:" + s.network_model);
      // CM02 is the textbook model: without SimGrid's default 5 % reverse traffic per flow, a lone
      // transfer takes latency + bytes / bandwidth and a ring all-reduce ends on its formula (docs/network.md).
      if (s.network_model == "CM02") engine.set_config("network/crosstraffic:0");
      // Every job runs as SimGrid Execs and no host is switched off: SimGrid's host energy plugin
      // can measure the energy too, as a cross-check of aidcsim's own (docs/energy.md). It must be
      // on before the hosts are created.
      if (s.always_simgrid_activities && !s.power_off_after_s) {
        sg_host_energy_plugin_init();
        p.energy_plugin = true;
      }
      p.record.read_file("platform", s.platform_path);
      p.cluster = load_cluster(engine, s.platform_path, &p.hosts);
    } catch (const InputErrors& e) {
      for (const auto& problem : e.problems()) problems.add(problem);
    }
  }
  const auto& root = s.resolved;
  const std::string scenario_dir = fs::path(s.file).parent_path().string();
  ConcernSections sections(s, registries, problems);
  // A concern of the table (sim/config/concerns.hpp): its implementation, made with its section's
  // options when the scenario asks for it; null otherwise.
  auto make = [&](const auto& registry, const std::string& choice_path) {
    const ConcernDecl& c = concern(choice_path);
    const std::string chosen = c.chosen ? s.choice(choice_path) : c.default_choice;
    using Made = decltype(registry.find(chosen)->make(std::declval<PolicyArgs&>()));
    if (!sections.present(c) || (c.needs_servers && p.cluster.servers.empty())) return Made{};
    OptionReader& options = sections.reader(c, chosen);
    const auto* entry = registry.find(chosen);
    if (!entry) return Made{};  // already reported by the scenario reader
    PolicyArgs args{options, s.seed, p.cluster, p.jobs, &p.record, scenario_dir};
    return entry->make(args);
  };

  auto reader = make(registries.trace_readers, "workload.jobs.format");
  if (reader && !s.jobs.path.empty() && input_file_problem(s.jobs.path).empty()) {
    p.record.read_file("trace", s.jobs.path);
    try {
      TraceReadResult read = reader->read(s.jobs.path, problems);
      p.jobs = shape_jobs(std::move(read.jobs), s.jobs);
      check_time_bounds(p.jobs, s, problems);
      p.skipped_rows = std::move(read.skipped);
    } catch (const InputErrors& e) {  // a file that cannot be read on (NUL byte, truncated gzip)
      for (const auto& problem : e.problems()) problems.add(problem);
    }
  }
  // Inference services: their replicas join the jobs before any policy sees the workload; the
  // autoscaled services keep max_replicas replica jobs, so the HPA is configured before the jobs are made.
  p.services = make(registries.services, "workload.services");
  if (p.services) {
    p.autoscaler = make(registries.service_autoscalers, "autoscaling.services");
    if (p.autoscaler) p.autoscaler->configure(*p.services);
    std::vector<JobSpec> replicas = p.services->jobs();
    p.jobs.insert(p.jobs.end(), std::make_move_iterator(replicas.begin()), std::make_move_iterator(replicas.end()));
    std::stable_sort(p.jobs.begin(), p.jobs.end(), [](const JobSpec& a, const JobSpec& b) { return a.submit_s < b.submit_s; });
  }
  p.policies.workload_model = make(registries.workload_models, "workload.jobs.model");
  // The jobs section's keys of the FGD packing experiment, which runs instead of the engine (run_prepared).
  read_packing_experiment_options(sections.at("/workload/jobs"));

  p.policies.scheduler = make(registries.schedulers, "scheduler.policy");
  p.policies.placement = make(registries.placements, "placement.policy");
  p.policies.quota = make(registries.quotas, "quota.policy");
  p.cost_prices = make(registries.costs, "cost.preset");
  p.policies.monitor = make(registries.monitors, "monitoring.policy");
  p.scraper = make(registries.scrapers, "monitoring.alerts");
  p.policies.gpu_sharing = make(registries.gpu_sharing, "virtualization.gpu_sharing");
  p.policies.runtime = make(registries.runtimes, "virtualization.runtime");
  for (const auto& other : registries.runtimes.names())
    if (s.runtime != other && root.contains("virtualization") && root["virtualization"].is_object() &&
        root["virtualization"].contains(other))
      problems.add(s.file, s.located.line("/virtualization/" + other), "/virtualization/" + other,
                   fmt::format("options for runtime \"{}\", but virtualization.runtime is \"{}\"", other, s.runtime));
  if (p.policies.runtime && p.policies.placement && p.policies.gpu_sharing)
    for (const auto& [pointer, message] :
         p.policies.runtime->incompatibilities(*p.policies.placement, *p.policies.gpu_sharing, s.gpu_sharing))
      problems.add(s.file, s.located.line(pointer), pointer, message);
  p.node_autoscaler = make(registries.node_autoscalers, "autoscaling.nodes");
  p.failures = make(registries.failures, "failures");
  if (p.failures) p.cluster.slowdowns = p.failures->slowdowns();
  sections.report_unknown_keys();
  if (sections.present(concern("autoscaling.services")) && !sections.present(concern("workload.services")))
    problems.add(s.file, s.located.line("/autoscaling/services"), "/autoscaling/services",
                 "the workload has no inference services (workload.services) to autoscale");
  if (p.autoscaler && p.policies.quota)
    problems.add(s.file, s.located.line("/autoscaling/services"), "/autoscaling/services",
                 fmt::format("autoscaled services under a quota policy (\"{}\") are not supported yet; expected quota.policy \"none\"",
                             s.quota.policy));
  problems.throw_if_any();
  return p;
}

// scaling.csv: the replica counts' and the node groups' changes, in time order (services first at one instant).
static void write_scaling_csv(const std::string& path, const std::vector<ScalingRow>& services, const std::vector<ScalingRow>& nodes) {
  std::vector<ScalingRow> rows = services;
  rows.insert(rows.end(), nodes.begin(), nodes.end());
  std::stable_sort(rows.begin(), rows.end(), [](const ScalingRow& a, const ScalingRow& b) { return a.t_s < b.t_s; });
  std::string out = "time_s,object,kind,from,to,reason\n";
  for (const ScalingRow& r : rows) {
    out += format_number(r.t_s);
    out += ',';
    append_csv_field(out, r.object);
    out += fmt::format(",{},{},{},", r.kind, r.from, r.to);
    append_csv_field(out, r.reason);
    out += '\n';
  }
  write_file_atomically(path, out);
}

// run.json: the resolved scenario and the provenance of the run (docs/provenance.md). The only output
// that names paths, the machine and wall-clock times; the byte-identity checks leave it out.
static nlohmann::json run_info_json(const Prepared& p) {
  const nlohmann::json build = build_info_json();
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  return {{"scenario", p.scenario.resolved},
          {"scenario_file", p.scenario.file},
          {"seed", p.scenario.seed},
          {"aidcsim_version", build["aidcsim_version"]},
          {"git_commit", build["git_commit"]},
          {"git_dirty", build["git_dirty"]},
          {"simgrid_version", build["simgrid_version"]},
          {"build", build},
          {"inputs", inputs_json(p.record.inputs())},
          {"random_streams", random_streams_json(p.scenario.seed, p.record.streams())},
          {"command_line", process_command_line()},
          {"working_directory", ec ? nlohmann::json(nullptr) : nlohmann::json(cwd.string())},
          {"machine", machine_json()},
          {"wall_clock", {{"start", utc_timestamp(p.started_at)}, {"end", utc_timestamp(std::chrono::system_clock::now())}}}};
}

// The FGD packing experiment (sim/experiments/packing_experiment.hpp): ledger only, no simulated time.
static nlohmann::json run_packing(Prepared& p, const std::string& out_dir,
                                  std::chrono::steady_clock::time_point wall_start) {
  const nlohmann::json jobs = section_object(p.scenario.resolved, "/workload/jobs");
  PackingExperimentOptions o;
  o.seed = p.scenario.seed;
  o.target_percent = jobs.value("target_percent", 130.0);
  o.exclusive_gpus = !p.policies.gpu_sharing || p.policies.gpu_sharing->exclusive();
  o.sharing = p.policies.gpu_sharing.get();
  p.record.random_stream(kPackingExperimentStream, packing_experiment_stream_seed(o.seed));
  PackingExperimentResult r = run_packing_experiment(p.cluster, p.jobs, *p.policies.placement, o);
  double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  write_file_atomically(out_dir + "/run.json", run_info_json(p).dump(2) + "\n");
  nlohmann::json summary = write_packing_outputs(out_dir, p.scenario.name, p.scenario.seed, p.cluster, o, r, wall_s);
  summary["out_dir"] = out_dir;
  return summary;
}

// The energy SimGrid's host energy plugin measured on the GPU and server hosts between `from_s` and
// now (the end of the run), or null when some host's profile is not in its props (the plugin does
// not know aidcsim's GPU-model defaults). Before from_s every host was idle.
static nlohmann::json plugin_energy_j(const Prepared& p, double from_s) {
  sg_host_energy_update_all();
  double total = 0;
  auto add = [&](const sg4::Host* host, const HostPower& power) {
    if (!power.known) return true;
    if (!power.from_props) return false;
    total += sg_host_get_consumed_energy(host) - power.idle_w * from_s;
    return true;
  };
  for (std::size_t g = 0; g < p.hosts.gpus.size() && g < p.cluster.gpus.size(); ++g)
    if (!add(p.hosts.gpus[g], p.cluster.gpus[g].power)) return nullptr;
  for (std::size_t s = 0; s < p.hosts.servers.size() && s < p.cluster.servers.size(); ++s)
    if (!add(p.hosts.servers[s], p.cluster.servers[s].power)) return nullptr;
  return round_energy_j(total);
}

nlohmann::json run_prepared(sg4::Engine& engine, Prepared& p, const RunOptions& options) {
  auto wall_start = std::chrono::steady_clock::now();
  std::string out_dir = options.out_dir.empty() ? "results/" + p.scenario.name : options.out_dir;
  {
    std::error_code error;
    const fs::file_status status = fs::status(out_dir, error);
    if (status.type() != fs::file_type::not_found && error)
      throw InputErrors({{"--out", 0, "", fmt::format("cannot use \"{}\" as the output directory: {}", out_dir, error.message())}});
    if (status.type() != fs::file_type::not_found && status.type() != fs::file_type::directory)
      throw InputErrors({{"--out", 0, "", fmt::format("\"{}\" exists and is not a directory; expected a directory", out_dir)}});
  }
  fs::create_directories(out_dir);
  if (is_packing_experiment(section_object(p.scenario.resolved, "/workload/jobs"))) return run_packing(p, out_dir, wall_start);

  CoreOptions core_options;
  core_options.exclusive_gpus = !p.policies.gpu_sharing || p.policies.gpu_sharing->exclusive();
  core_options.always_activities = p.scenario.always_simgrid_activities;
  // Energy and server power-off (sim/metrics/energy.hpp), counted from the first submission.
  PowerOptions power_options;
  if (p.scenario.power_off_after_s) power_options.off_after_s = *p.scenario.power_off_after_s;
  power_options.boot_s = p.scenario.power_boot_s;
  double first_submit_s = 0;
  if (!p.jobs.empty())
    first_submit_s = std::min_element(p.jobs.begin(), p.jobs.end(), [](const JobSpec& a, const JobSpec& b) {
                       return a.submit_s < b.submit_s;
                     })->submit_s;
  auto power = std::make_unique<PowerModel>(p.cluster, power_options, first_submit_s);
  // Kept without power data too when there are GPUs: it also integrates their busy time (gpu_busy).
  if (!power->has_power_data() && !p.scenario.power_off_after_s && p.cluster.gpus.empty()) power.reset();
  // The run's metrics besides the core's job statistics (sim/metrics/run_metrics.hpp): each keeps what
  // it needs and writes its own summary keys and timeseries rows.
  FragmentationMetric fragmentation;
  MigrationMetric migrations;
  EnergyMetric energy(power.get(), p.cluster.gpus.size(), [&p, first_submit_s]() -> nlohmann::json {
    return p.energy_plugin ? plugin_energy_j(p, first_submit_s) : nullptr;
  });
  std::vector<RunMetric*> metrics = {&fragmentation, &energy, &migrations};
  if (power) {
    core_options.observers.push_back(power.get());
    core_options.availability = power.get();
  }
  core_options.observers.push_back(&migrations);
  // summary.json cost (docs/cost.md): only when the scenario has a cost section.
  std::unique_ptr<CostMetric> cost;
  if (p.cost_prices) {
    cost = std::make_unique<CostMetric>(p.cluster, *p.cost_prices);
    metrics.push_back(cost.get());
    core_options.observers.push_back(cost.get());
  }
  if (p.services) core_options.observers.push_back(p.services.get());
  if (p.failures) core_options.observers.push_back(p.failures.get());
  if (p.services) core_options.startup_contributors.push_back(p.services.get());
  Core core(p.cluster, std::move(p.jobs), std::move(p.policies), core_options);
  if (p.services) p.services->attach(core);
  if (cost) cost->attach(core);
  // Scrapes and alert rules (docs/monitoring.md): only when the scenario has rules to evaluate.
  CoreMetrics core_metrics(core);
  // The HPA reads its metrics from the scrapes (monitoring.scrape_interval_s, scrape_delay_s).
  if (p.autoscaler && p.scraper) p.scraper->require();
  Scraper* scraper = p.scraper && p.scraper->enabled() ? p.scraper.get() : nullptr;
  if (scraper) {
    std::vector<MetricSource*> sources = {&core_metrics};
    if (power && power->has_power_data()) sources.push_back(power.get());
    if (p.services) sources.push_back(p.services.get());
    scraper->start(core.event_queue(), first_submit_s, sources);
  }
  if (p.autoscaler && scraper) p.autoscaler->start(core.event_queue(), first_submit_s, *scraper);
  if (p.node_autoscaler) p.node_autoscaler->start(core, first_submit_s);
  if (p.failures) p.failures->start(core, first_submit_s);

  AtomicFile timeseries(out_dir + "/timeseries.csv");
  timeseries.stream() << "time_s,metric,label,value\n";
  EngineOptions engine_options;
  engine_options.monitoring_interval_s = p.scenario.monitoring_interval_s;
  engine_options.max_samples = p.scenario.monitoring_max_samples;
  engine_options.horizon_s = p.scenario.horizon_s;
  engine_options.stop_requested = options.stop_requested;
  std::vector<Sample> metric_samples;
  engine_options.on_samples = [&](double t, const std::vector<Sample>& samples) {
    metric_samples.clear();
    for (RunMetric* m : metrics) m->sampled(t, samples, metric_samples);
    if (p.services) p.services->sample(t, metric_samples);
    if (p.node_autoscaler) p.node_autoscaler->sample(t, metric_samples);
    for (const std::vector<Sample>* rows : {&samples, static_cast<const std::vector<Sample>*>(&metric_samples)})
      for (const auto& s : *rows)
        timeseries.stream() << format_number(t) << ',' << s.metric << ',' << csv_quote(s.label) << ','
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
  // Unwinding removes timeseries.csv's temporary file; nothing else is written yet.
  if (result.interrupted || (options.stop_requested && options.stop_requested())) throw RunInterrupted();

  double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  if (!options.engine_stats_path.empty())
    write_file_atomically(options.engine_stats_path,
                          nlohmann::json{{"simgrid_activities", result.simgrid_activities},
                                         {"simgrid_steps", result.simgrid_steps},
                                         {"core_events", core.events()},
                                         {"simulation_wall_s", wall_s}}.dump(1) + "\n");
  nlohmann::json summary = build_summary(p.scenario.name, p.scenario.seed, p.skipped_rows, core, result, wall_s, p.services.get());
  for (RunMetric* m : metrics) m->summarize(summary, {core.first_submit_s(), result.end_s});
  // Only when the monitor stopped early, so complete runs keep their summary as it was.
  if (result.sampling_stopped_s >= 0)
    summary["monitoring"] = {
        {"samples", result.samples},
        {"stopped_at_s", result.sampling_stopped_s},
        {"note", fmt::format("sampling stopped after monitoring.max_samples = {} sample times; timeseries.csv ends at "
                             "{} s while the run went on to {} s",
                             p.scenario.monitoring_max_samples, format_number(result.sampling_stopped_s),
                             format_number(result.end_s))}};
  if (core.quota()) summary["quota"] = quota_summary(*core.quota(), result.end_s);
  CoreJobColumns core_columns(core);
  std::vector<const JobColumns*> job_columns = {&core_columns};
  if (core.quota()) job_columns.push_back(core.quota());
  if (p.failures) job_columns.push_back(p.failures.get());
  job_columns.push_back(&core.workload_model());
  write_jobs_csv(out_dir + "/jobs.csv", core, job_columns);
  if (p.failures) {
    summary["failures"] = p.failures->summary(result.end_s);
    write_file_atomically(out_dir + "/failures.csv", p.failures->failures_csv());
  }
  if (core.quota()) write_admissions_csv(out_dir + "/admissions.csv", core);
  if (p.services) {
    summary["services"] = services_summary(p.services->figures(result.end_s));
    write_file_atomically(out_dir + "/requests.csv", p.services->requests_csv());
  }
  if (migrations.started() > 0) write_migrations_csv(out_dir + "/migrations.csv", core, migrations.log());
  if (p.autoscaler || p.node_autoscaler) {
    summary["autoscaling"] = nlohmann::json::object();
    if (p.autoscaler) summary["autoscaling"]["services"] = p.autoscaler->summary(result.end_s);
    if (p.node_autoscaler) summary["autoscaling"]["nodes"] = p.node_autoscaler->summary(result.end_s);
    write_scaling_csv(out_dir + "/scaling.csv", p.autoscaler ? p.autoscaler->scaling_rows() : std::vector<ScalingRow>{},
                      p.node_autoscaler ? p.node_autoscaler->scaling_rows() : std::vector<ScalingRow>{});
    if (p.node_autoscaler) write_file_atomically(out_dir + "/nodes.csv", p.node_autoscaler->nodes_csv());
  }
  std::set<std::string> scraper_files;
  if (scraper && scraper->reports()) {
    summary["alerts"] = scraper->summary(result.end_s);
    for (const auto& [name, content] : scraper->files()) {
      write_file_atomically(out_dir + "/" + name, content);
      scraper_files.insert(name);
    }
  }
  // Optional outputs an earlier run left in the same folder would pass for this run's.
  const std::pair<const char*, bool> optional_outputs[] = {{"admissions.csv", core.quota() != nullptr},
                                                           {"requests.csv", p.services != nullptr},
                                                           {"migrations.csv", migrations.started() > 0},
                                                           {"alerts.csv", scraper_files.count("alerts.csv") > 0},
                                                           {"scrapes.om", scraper_files.count("scrapes.om") > 0},
                                                           {"scaling.csv", p.autoscaler || p.node_autoscaler},
                                                           {"nodes.csv", p.node_autoscaler != nullptr},
                                                           {"failures.csv", p.failures != nullptr}};
  for (const auto& [name, written] : optional_outputs) {
    std::error_code ignored;
    if (!written) fs::remove(out_dir + "/" + name, ignored);
  }
  write_file_atomically(out_dir + "/run.json", run_info_json(p).dump(2) + "\n");
  timeseries.commit();
  write_file_atomically(out_dir + "/summary.json", summary.dump(2) + "\n");
  summary["out_dir"] = out_dir;
  return summary;
}

}  // namespace aidcsim
