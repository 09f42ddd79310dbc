// What a run reports: jobs.csv rows, summary.json metrics (CONTRACT.md §5) and the console table.
#include "sim/run/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "sim/metrics/metrics.hpp"
#include "sim/io/csv_writer.hpp"
#include "sim/io/outputs.hpp"
#include "sim/core/units.hpp"

namespace aidcsim {

void write_migrations_csv(const std::string& path, const Core& core, const std::vector<MigrationLogEntry>& log) {
  AtomicFile file(path);
  std::string line = "vm,job_id,job_moved,from_hosts,to_hosts,start_s,paused_s,end_s,bytes\n";
  for (const auto& m : log) {
    line += std::to_string(m.vm) + ',';
    if (m.job) append_csv_field(line, core.jobs()[*m.job].job_id);
    line += ',' + std::string(m.job_moved ? "1" : "0") + ',';
    append_csv_field(line, hosts_of(m.from, core.cluster()));
    line += ',';
    append_csv_field(line, hosts_of(m.to, core.cluster()));
    for (double x : {m.start_s, m.paused_s, m.end_s, m.bytes}) {
      line += ',';
      append_number(line, x);
    }
    line += '\n';
  }
  file.stream() << line;
  file.commit();
}

void write_jobs_csv(const std::string& path, const Core& core, const std::vector<const JobColumns*>& concerns) {
  AtomicFile file(path);
  std::string line, row;
  line.reserve(1 << 16);
  // Each concern appends ",name" and ",value": the first comma of the header and of every row is dropped.
  for (const JobColumns* concern : concerns)
    for (const auto& column : concern->job_columns()) line += ',' + column;
  line.erase(0, 1);
  line += '\n';
  for (std::size_t j = 0; j < core.jobs().size(); ++j) {
    row.clear();
    for (const JobColumns* concern : concerns)
      concern->append_job_fields(static_cast<JobIndex>(j), core.jobs()[j], core.runs()[j], row);
    line.append(row, row.empty() ? 0 : 1);
    line += '\n';
    file.write_when_full(line);
  }
  file.stream() << line;
  file.commit();
}

nlohmann::json quota_summary(QuotaPolicy& quota, double end_s) {
  QuotaReport report = quota.report(end_s);
  nlohmann::json groups = nlohmann::json::object();
  for (const char* kind : {"cluster_queue", "cohort", "tenant"}) {
    nlohmann::json of_kind = nlohmann::json::object();
    for (const auto& g : report.groups) {
      if (g.kind != kind) continue;
      nlohmann::json preemptions = nlohmann::json::object();
      long long total = 0;
      for (const auto& [why, n] : g.preemptions) preemptions[why] = n, total += n;
      Stats delay = compute_stats(g.admission_delays_s);
      of_kind[g.name] = {{"admitted", g.admitted},
                         {"rejected", g.rejected},
                         {"admission_delay_s", to_json(delay)},
                         {"peak_pending", g.peak_pending},
                         {"borrowed_gpu_hours", round6(g.borrowed_gpu_s / 3600)},
                         {"lent_gpu_hours", round6(g.lent_gpu_s / 3600)},
                         {"preemptions", total},
                         {"preemptions_by_reason", preemptions},
                         {"config", g.config}};
    }
    if (!of_kind.empty()) groups[std::string(kind) == "cluster_queue" ? "cluster_queues" : std::string(kind) + "s"] = of_kind;
  }
  groups["policy"] = report.policy;
  for (const auto& [key, value] : report.settings.items()) groups[key] = value;
  return groups;
}

nlohmann::json services_summary(const std::vector<std::pair<std::string, ServiceFigures>>& figures) {
  nlohmann::json out = nlohmann::json::object();
  auto stats = [](const std::vector<double>& values) {
    nlohmann::json j = to_json(compute_stats(values));
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    auto p90 = nearest_rank(sorted, 90);
    j["p90"] = p90 ? nlohmann::json(round6(*p90)) : nlohmann::json(nullptr);
    return j;
  };
  for (const auto& [name, f] : figures) {
    double span = f.span_s > 0 ? f.span_s : 0;
    out[name] = {{"requests", {{"submitted", f.submitted}, {"completed", f.completed}, {"rejected", f.rejected}, {"unfinished", f.unfinished}}},
                 {"ttft_s", stats(f.ttft_s)},
                 {"tbt_s", stats(f.tbt_s)},
                 {"e2e_s", stats(f.e2e_s)},
                 {"slo_attainment", f.submitted > 0 ? nlohmann::json(round6(static_cast<double>(f.slo_met) / f.submitted)) : nlohmann::json(nullptr)},
                 {"goodput_rps", span > 0 ? nlohmann::json(round6(f.slo_met / span)) : nlohmann::json(nullptr)},
                 {"output_tokens_per_s", span > 0 ? nlohmann::json(round6(f.output_tokens / span)) : nlohmann::json(nullptr)},
                 {"replica_hours", round6(f.replica_s / 3600)},
                 {"gpu_busy", f.replica_s > 0 ? nlohmann::json(round6(f.busy_s / f.replica_s)) : nlohmann::json(nullptr)},
                 {"energy_j", f.energy_j >= 0 ? nlohmann::json(round6(f.energy_j)) : nlohmann::json(nullptr)},
                 {"events", f.events}};
    if (!f.kv_transfer_s.empty()) {  // disaggregated serving: the KV caches' transfers
      out[name]["kv_transfer_s"] = stats(f.kv_transfer_s);
      out[name]["kv_transfer_s"]["count"] = f.kv_transfer_s.size();
    }
  }
  return out;
}

void write_admissions_csv(const std::string& path, const Core& core) {
  AtomicFile file(path);
  file.stream() << core.quota()->admissions_csv(core.jobs());
  file.commit();
}

// Per tenant: job counts, JCT and queueing delay of completed jobs, GPU-seconds requested and received.
// One measure's values are held at a time, so that a million-job run's peak memory is the job table's
// (docs/performance.md).
static nlohmann::json tenant_report(const Core& core) {
  std::size_t n = core.tenants().size();
  std::vector<long long> submitted(n, 0), completed(n, 0);
  std::vector<double> demanded(n, 0), received(n, 0);
  for (std::size_t j = 0; j < core.jobs().size(); ++j) {
    const JobSpec& spec = core.jobs()[j];
    const JobRun& run = core.runs()[j];
    TenantIndex t = run.tenant;
    ++submitted[t];
    demanded[t] += spec.gpus * spec.gpu_milli / 1000.0 * spec.duration_s;
    received[t] += run.attained_gpu_s;
    if (run.state == JobState::completed) ++completed[t];
  }
  auto stats_by_tenant = [&](auto value_of) {
    std::vector<std::vector<double>> values(n);
    for (std::size_t t = 0; t < n; ++t) values[t].reserve(static_cast<std::size_t>(completed[t]));
    for (std::size_t j = 0; j < core.jobs().size(); ++j) {
      const JobRun& run = core.runs()[j];
      if (run.state == JobState::completed) values[run.tenant].push_back(value_of(core.jobs()[j], run));
    }
    std::vector<nlohmann::json> out(n);
    for (std::size_t t = 0; t < n; ++t) out[t] = to_json(compute_stats(std::move(values[t])));
    return out;
  };
  auto jct = stats_by_tenant([](const JobSpec& spec, const JobRun& run) { return run.end_s - spec.submit_s; });
  auto delay = stats_by_tenant([](const JobSpec& spec, const JobRun& run) { return run.start_s - spec.submit_s; });
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t t = 0; t < n; ++t)
    out[core.tenants()[t]] = {{"submitted", submitted[t]},
                              {"completed", completed[t]},
                              {"jct_s", std::move(jct[t])},
                              {"queue_delay_s", std::move(delay[t])},
                              {"gpu_seconds_requested", round6(demanded[t])},
                              {"gpu_seconds_received", round6(received[t])}};
  return out;
}

// Jain's index over tenants' normalized service x_t = GPU-seconds received / GPU-seconds requested
// (tenants that requested GPUs): 1 = every tenant got the same share of its demand.
static nlohmann::json jain_fairness(const Core& core) {
  std::size_t n = core.tenants().size();
  std::vector<double> demanded(n, 0), received(n, 0);
  for (std::size_t j = 0; j < core.jobs().size(); ++j) {
    const JobSpec& spec = core.jobs()[j];
    demanded[core.runs()[j].tenant] += spec.gpus * spec.gpu_milli / 1000.0 * spec.duration_s;
    received[core.runs()[j].tenant] += core.runs()[j].attained_gpu_s;
  }
  double sum = 0, sum_sq = 0;
  int count = 0;
  for (std::size_t t = 0; t < n; ++t) {
    if (demanded[t] <= 0) continue;
    double x = received[t] / demanded[t];
    sum += x;
    sum_sq += x * x;
    ++count;
  }
  if (count == 0 || sum_sq == 0) return nullptr;
  return round6(sum * sum / (count * sum_sq));
}

nlohmann::json build_summary(const std::string& scenario, std::uint64_t seed,
                             const std::vector<std::pair<std::string, long long>>& skipped_rows, const Core& core,
                             const EngineResult& result, double wall_s, const ServiceWorkload* services) {
  long long counts[5] = {0, 0, 0, 0, 0};
  std::size_t submitted = 0;
  auto counted = [&](std::size_t j) { return !(services && services->is_replica(static_cast<JobIndex>(j))); };
  for (std::size_t j = 0; j < core.jobs().size(); ++j) {
    if (!counted(j)) continue;  // under "services"
    ++submitted;
    ++counts[static_cast<int>(core.runs()[j].state)];
  }
  // One measure's values at a time (the peak memory of a million-job run is the job table's).
  auto stats_of = [&](auto value_of) {
    std::vector<double> values;
    values.reserve(static_cast<std::size_t>(counts[static_cast<int>(JobState::completed)]));
    for (std::size_t j = 0; j < core.jobs().size(); ++j)
      if (counted(j) && core.runs()[j].state == JobState::completed) values.push_back(value_of(core.jobs()[j], core.runs()[j]));
    return to_json(compute_stats(std::move(values)));
  };
  nlohmann::json queue_delay = stats_of([](const JobSpec& spec, const JobRun& run) { return run.start_s - spec.submit_s; });
  nlohmann::json jct = stats_of([](const JobSpec& spec, const JobRun& run) { return run.end_s - spec.submit_s; });
  nlohmann::json slowdown =
      stats_of([](const JobSpec& spec, const JobRun& run) { return (run.end_s - spec.submit_s) / spec.duration_s; });
  double first = core.first_submit_s();
  double last = core.last_completion_s();
  double window_end = result.hit_horizon ? result.end_s : (std::isnan(last) ? first : last);
  double gpus = static_cast<double>(core.cluster().gpus.size());
  double allocation = window_end > first && gpus > 0 ? core.allocated_gpu_seconds() / (gpus * (window_end - first)) : 0;
  nlohmann::json by_model = nlohmann::json::object();
  const Cluster& cluster = core.cluster();
  for (std::size_t m = 0; m < cluster.gpu_models.size(); ++m) {
    double model_gpus = cluster.gpus_of_model(cluster.gpu_models[m]);
    double span = window_end - first;
    by_model[cluster.gpu_models[m]] =
        span > 0 && model_gpus > 0 ? round6(core.allocated_gpu_seconds_by_model()[m] / (model_gpus * span)) : 0.0;
  }
  nlohmann::json skipped = nlohmann::json::object();
  for (const auto& [reason, count] : skipped_rows) skipped[reason] = count;
  return {
      {"scenario", scenario},
      {"seed", seed},
      {"jobs",
       {{"submitted", submitted},
        {"completed", counts[static_cast<int>(JobState::completed)]},
        {"rejected", counts[static_cast<int>(JobState::rejected)]},
        {"unfinished", counts[static_cast<int>(JobState::unfinished)]}}},
      {"queue_delay_s", std::move(queue_delay)},
      {"jct_s", std::move(jct)},
      {"slowdown", std::move(slowdown)},
      {"gpu_allocation", round6(allocation)},
      {"gpu_allocation_by_model", by_model},
      {"tenants", tenant_report(core)},
      {"fairness_jain", jain_fairness(core)},
      {"makespan_s", std::isnan(last) ? nlohmann::json(nullptr) : nlohmann::json(round6(last - first))},
      {"gpus_total", core.cluster().gpus.size()},
      {"horizon_reached", result.hit_horizon},
      {"skipped_rows", skipped},
      {"events", core.events()},
      {"wall_s", std::round(wall_s * 1000) / 1000},
  };
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
  if (s.contains("energy_j") && s["energy_j"].is_object()) {
    const auto& e = s["energy_j"];
    out += fmt::format("  energy        {:.4g} kWh (GPUs {:.4g}, servers {:.4g})", e["total"].get<double>() / 3.6e6,
                       e["gpu"].get<double>() / 3.6e6, e["server"].get<double>() / 3.6e6);
    if (e["servers_powered_off"].get<long long>() > 0)
      out += fmt::format("   {} power-offs, {} boots", e["servers_powered_off"].get<long long>(), e["boots"].get<long long>());
    out += "\n";
  }
  return out;
}

}  // namespace aidcsim
