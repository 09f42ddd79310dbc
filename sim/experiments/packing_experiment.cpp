#include "sim/experiments/packing_experiment.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <random>
#include <stdexcept>

#include "sim/metrics/metrics.hpp"
#include "sim/io/csv_writer.hpp"
#include "sim/io/outputs.hpp"
#include "sim/policy/gpu_sharing.hpp"
#include "sim/core/job_request.hpp"
#include "sim/core/rng.hpp"
#include "sim/core/units.hpp"

namespace aidcsim {

// The experiment's own stream: independent of the placement policies' streams for the same seed.
std::uint64_t packing_experiment_stream_seed(std::uint64_t seed) {
  std::uint64_t x = seed ^ 0x7061636b696e6721ULL;  // "packing!"
  return splitmix64(x);
}

namespace {

std::mt19937_64 experiment_rng(std::uint64_t seed) { return std::mt19937_64(packing_experiment_stream_seed(seed)); }

long long gpu_request_milli(const Request& r) { return r.gpus > 0 ? static_cast<long long>(r.gpus) * r.gpu_milli : 0; }

double round2(double x) { return std::nearbyint(x * 100.0) / 100.0; }

}  // namespace

PackingExperimentResult run_packing_experiment(const Cluster& cluster, const std::vector<JobSpec>& jobs,
                                               PlacementPolicy& policy, const PackingExperimentOptions& options) {
  auto wall_start = std::chrono::steady_clock::now();
  PackingExperimentResult result;
  result.total_gpus = static_cast<double>(cluster.gpus.size());
  if (cluster.gpus.empty()) throw std::invalid_argument("the packing experiment needs a platform with GPUs");

  // 1. Sorted by job_id, then shuffled.
  std::vector<std::size_t> by_name(jobs.size());
  std::iota(by_name.begin(), by_name.end(), 0);
  std::stable_sort(by_name.begin(), by_name.end(), [&](std::size_t a, std::size_t b) { return jobs[a].job_id < jobs[b].job_id; });
  std::vector<Request> requests;
  std::vector<std::string> reasons(jobs.size());
  requests.reserve(jobs.size());
  for (std::size_t j = 0; j < jobs.size(); ++j)  // no runtime: the experiment places, it does not run
    requests.push_back(job_request(jobs[j], cluster, options.exclusive_gpus, options.sharing, nullptr, reasons[j]));

  std::mt19937_64 rng = experiment_rng(options.seed);
  std::vector<std::size_t> order = by_name;
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[uniform_below(rng, i)]);

  // 2. Tuning to the target request.
  const double target_milli = options.target_percent / 100.0 * result.total_gpus * kWholeGpuMilli;
  long long requested = 0;
  for (std::size_t j : order) requested += gpu_request_milli(requests[j]);
  std::vector<std::string> clone_ids(order.size());
  if (static_cast<double>(requested) > target_milli) {
    while (static_cast<double>(requested) > target_milli && !order.empty()) {
      std::size_t i = uniform_below(rng, order.size());
      requested -= gpu_request_milli(requests[order[i]]);
      order.erase(order.begin() + static_cast<std::ptrdiff_t>(i));
      clone_ids.erase(clone_ids.begin() + static_cast<std::ptrdiff_t>(i));
    }
  } else if (!by_name.empty()) {
    for (long long i = 0;; ++i) {
      std::size_t j = by_name[uniform_below(rng, by_name.size())];
      long long more = gpu_request_milli(requests[j]);
      if (static_cast<double>(requested + more) > target_milli) break;
      // A trace without GPU requests would never reach the target: stop at ten times its size.
      if (more == 0 && i > 10 * static_cast<long long>(jobs.size())) break;
      requested += more;
      order.push_back(j);
      clone_ids.push_back(fmt::format("{}-tuned-{}", jobs[j].job_id, i));
    }
  }

  // 3-4. Arrivals.
  Ledger ledger(cluster);
  FragmentationTracker fragmentation(make_target_workload(jobs, cluster, options.fragmentation));
  fragmentation.refresh(cluster, ledger);
  result.samples.push_back({0, 0, fragmentation.fragmented_milli()});
  result.arrivals.reserve(order.size());
  long long arrived = 0;
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::size_t j = order[k];
    PackingArrival a;
    a.job = j;
    a.job_id = clone_ids[k].empty() ? jobs[j].job_id : clone_ids[k];
    a.tenant = jobs[j].tenant;
    a.request = requests[j];
    a.reason = reasons[j];
    arrived += gpu_request_milli(a.request);
    std::optional<Allocation> proposal;
    if (a.reason.empty()) proposal = policy.place(a.request, ClusterView{cluster, ledger});
    if (proposal) {
      if (std::string why = ledger.check(*proposal); !why.empty())
        throw std::logic_error(fmt::format("placement proposed an allocation that does not fit for job {}: {}", a.job_id, why));
      ledger.apply(*proposal);
      policy.on_applied(a.request, *proposal);
      for (const auto& sv : proposal->servers) fragmentation.refresh_server(cluster, ledger, sv.server);
      a.allocation = std::move(proposal);
      ++result.placed;
    } else {
      ++result.failed;
    }
    a.arrived_milli = arrived;
    a.allocated_milli = ledger.allocated_milli();
    a.fragmented_milli = fragmentation.fragmented_milli();
    result.samples.push_back({a.arrived_milli, a.allocated_milli, a.fragmented_milli});
    result.arrivals.push_back(std::move(a));
  }

  // 5. The curve.
  result.curve = discretize_curve(result.samples, result.total_gpus, static_cast<int>(std::lround(options.target_percent)));
  result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return result;
}

std::vector<CurvePoint> discretize_curve(const std::vector<PackingSample>& samples, double total_gpus, int max_percent) {
  std::vector<CurvePoint> curve;
  if (total_gpus <= 0) return curve;
  struct Point {
    double arrived, allocated, fragmented;
  };
  std::vector<Point> points;
  points.reserve(samples.size());
  for (const auto& s : samples)
    // Python's round() (half to even) on the arrived percent, round(x, 2) on the others.
    points.push_back({std::nearbyint(s.arrived_milli / total_gpus / 10.0), round2(s.allocated_milli / total_gpus / 10.0),
                      round2(s.fragmented_milli / total_gpus / 10.0)});
  for (int p = 0; p <= max_percent; ++p) {
    double sum_alloc = 0, sum_frag = 0;
    int n = 0;
    for (const auto& pt : points)
      if (pt.arrived == p) {
        sum_alloc += pt.allocated;
        sum_frag += pt.fragmented;
        ++n;
      }
    if (n == 0)
      for (const auto& pt : points)
        if (pt.arrived >= p - 1 && pt.arrived <= p + 1) {
          sum_alloc += pt.allocated;
          sum_frag += pt.fragmented;
          ++n;
        }
    if (n == 0) continue;
    curve.push_back({p, round2(sum_alloc / n), round2(sum_frag / n)});
  }
  return curve;
}

std::optional<double> PackingExperimentResult::allocated_percent_at(int arrived_percent) const {
  for (const auto& c : curve)
    if (c.arrived_percent == arrived_percent) return c.allocated_percent;
  return std::nullopt;
}

std::optional<double> PackingExperimentResult::fragmented_percent_at(int arrived_percent) const {
  for (const auto& c : curve)
    if (c.arrived_percent == arrived_percent) return c.fragmented_percent;
  return std::nullopt;
}

void write_allocation_curve(const std::string& path, const std::vector<CurvePoint>& curve) {
  AtomicFile file(path);
  file.stream() << "arrived_percent,allocated_percent,fragmented_percent\n";
  for (const auto& c : curve)
    file.stream() << c.arrived_percent << ',' << format_number(c.allocated_percent) << ','
                  << format_number(c.fragmented_percent) << '\n';
  file.commit();
}

void write_packing_jobs_csv(const std::string& path, const Cluster& cluster, const PackingExperimentResult& result) {
  AtomicFile file(path);
  std::string line;
  line.reserve(1 << 16);
  line += "job_id,tenant,submit_s,start_s,end_s,queue_delay_s,jct_s,gpus,gpu_milli,state,hosts,arrival,arrived_percent,"
          "allocated_percent,reason\n";
  const double total_milli = result.total_gpus * kWholeGpuMilli;
  for (std::size_t k = 0; k < result.arrivals.size(); ++k) {
    const PackingArrival& a = result.arrivals[k];
    const bool placed = a.allocation.has_value();
    line += csv_quote(a.job_id);
    line += ',';
    line += csv_quote(a.tenant);
    line += placed ? ",0,0,,0,," : ",0,,,,,";
    line += std::to_string(a.request.gpus) + ',' + std::to_string(a.request.gpu_milli) + ',';
    line += placed ? "unfinished," : "rejected,";
    if (placed) line += csv_quote(hosts_of(*a.allocation, cluster));
    line += ',' + std::to_string(k) + ',';
    append_number(line, round6(100.0 * a.arrived_milli / total_milli));
    line += ',';
    append_number(line, round6(100.0 * a.allocated_milli / total_milli));
    line += ',';
    line += csv_quote(placed ? "" : a.reason.empty() ? "did not fit on arrival" : a.reason);
    line += '\n';
    file.write_when_full(line);
  }
  file.stream() << line;
  file.commit();
}

static nlohmann::json optional_number(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

nlohmann::json packing_summary(const std::string& scenario, std::uint64_t seed, const PackingExperimentOptions& options,
                               const PackingExperimentResult& result, double wall_s) {
  std::vector<double> delays(static_cast<std::size_t>(result.placed), 0.0);  // every placed task starts on arrival
  const double total_milli = result.total_gpus * kWholeGpuMilli;
  const PackingSample last = result.samples.empty() ? PackingSample{} : result.samples.back();
  const int target = static_cast<int>(std::lround(options.target_percent));
  nlohmann::json packing = {
      {"target_percent", options.target_percent},
      {"arrived_percent", round6(100.0 * last.arrived_milli / total_milli)},
      {"allocated_percent", round6(100.0 * last.allocated_milli / total_milli)},
      {"fragmented_percent", round6(100.0 * last.fragmented_milli / total_milli)},
      {"allocated_percent_at_100", optional_number(result.allocated_percent_at(100))},
      {fmt::format("allocated_percent_at_{}", target), optional_number(result.allocated_percent_at(target))},
      {"fragmented_percent_at_100", optional_number(result.fragmented_percent_at(100))},
      {fmt::format("fragmented_percent_at_{}", target), optional_number(result.fragmented_percent_at(target))},
      {"arrivals", result.arrivals.size()},
      {"placed", result.placed},
      {"failed", result.failed},
      {"experiment_wall_s", std::round(result.wall_s * 1000) / 1000},
  };
  return {
      {"scenario", scenario},
      {"seed", seed},
      {"jobs", {{"submitted", result.arrivals.size()}, {"completed", 0}, {"rejected", result.failed}, {"unfinished", result.placed}}},
      {"queue_delay_s", to_json(compute_stats(delays))},
      {"jct_s", to_json(compute_stats({}))},
      {"slowdown", to_json(compute_stats({}))},
      {"gpu_allocation", round6(last.allocated_milli / total_milli)},
      {"makespan_s", nullptr},
      {"gpus_total", static_cast<long long>(result.total_gpus)},
      {"horizon_reached", false},
      {"events", result.arrivals.size()},
      {"wall_s", std::round(wall_s * 1000) / 1000},
      {"packing", packing},
  };
}

nlohmann::json write_packing_outputs(const std::string& out_dir, const std::string& scenario, std::uint64_t seed,
                                     const Cluster& cluster, const PackingExperimentOptions& options,
                                     const PackingExperimentResult& result, double wall_s) {
  std::filesystem::create_directories(out_dir);
  write_allocation_curve(out_dir + "/allocation_curve.csv", result.curve);
  write_packing_jobs_csv(out_dir + "/jobs.csv", cluster, result);
  const PackingSample last = result.samples.empty() ? PackingSample{} : result.samples.back();
  const double total = result.total_gpus;
  std::string ts = "time_s,metric,label,value\n";
  auto row = [&](const char* metric, double value) { ts += fmt::format("0,{},,{}\n", metric, format_number(value)); };
  row("gpu_allocation", round6(last.allocated_milli / (total * kWholeGpuMilli)));
  row("gpus_allocated", round6(last.allocated_milli / 1000.0));
  row("running_jobs", static_cast<double>(result.placed));
  row("queue_length", 0);
  row("gpu_fragmentation", round6(last.fragmented_milli / (total * kWholeGpuMilli)));
  row("gpus_fragmented", round6(last.fragmented_milli / 1000.0));
  write_file_atomically(out_dir + "/timeseries.csv", ts);
  nlohmann::json summary = packing_summary(scenario, seed, options, result, wall_s);
  write_file_atomically(out_dir + "/summary.json", summary.dump(2) + "\n");
  return summary;
}

}  // namespace aidcsim
