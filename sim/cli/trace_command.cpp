#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <numeric>

#include "sim/cli/commands.hpp"
#include "sim/core/cluster.hpp"
#include "sim/config/options.hpp"
#include "sim/policy/trace_reader.hpp"
#include "sim/core/registry.hpp"
#include "sim/core/units.hpp"

namespace aidcsim::cli {

// Median as statistics packages define it (mean of the two middle values for an even count), so
// the figures match the ones published with each trace.
static double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string format_trace_stats(const TraceReadResult& read) {
  const auto& jobs = read.jobs;
  std::map<int, long long> by_gpus;
  long long sharing = 0;
  double gpu_request = 0, gpu_seconds = 0, first = 0, last = 0;
  std::vector<double> durations;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const auto& j = jobs[i];
    ++by_gpus[j.gpus];
    if (j.gpus == 1 && j.gpu_milli < kWholeGpuMilli) ++sharing;
    double gpus = j.gpus * j.gpu_milli / 1000.0;
    gpu_request += gpus;
    gpu_seconds += gpus * j.duration_s;
    durations.push_back(j.duration_s);
    first = i ? std::min(first, j.submit_s) : j.submit_s;
    last = i ? std::max(last, j.submit_s) : j.submit_s;
  }
  std::string out = fmt::format("jobs: {}\n", jobs.size());
  out += "gpus per job:";
  for (const auto& [g, n] : by_gpus) out += fmt::format(" {}:{}", g, n);
  out += fmt::format("\nsharing jobs (1 GPU, gpu_milli < 1000): {}\n", sharing);
  out += fmt::format("total GPU request: {:.1f} GPUs\n", gpu_request);
  double mean = durations.empty() ? 0 : std::accumulate(durations.begin(), durations.end(), 0.0) / durations.size();
  out += fmt::format("duration_s: mean {:.1f}, median {}\n", mean, format_number(median(durations)));
  out += fmt::format("GPU-hours: {:.1f}\n", gpu_seconds / 3600);
  out += fmt::format("span_s: {} (first submit {}, last submit {})\n", format_number(last - first),
                     format_number(first), format_number(last));
  for (const auto& [reason, count] : read.skipped) out += fmt::format("skipped rows: {} ({})\n", count, reason);
  return out;
}

void add_trace_command(CLI::App& app, std::function<int()>& action) {
  auto* trace = app.add_subcommand("trace", "inspect job traces");
  trace->require_subcommand(1);
  auto format = std::make_shared<std::string>("native");
  auto file = std::make_shared<std::string>();
  auto reader_options = std::make_shared<std::vector<std::string>>();
  auto* stats = trace->add_subcommand("stats", "job count, GPU-count distribution, durations, GPU-hours, span");
  stats->add_option("--format", *format, "trace format (see `aidcsim list`)");
  stats->add_option("file", *file, "trace file")->required();
  stats->add_option("--option", *reader_options,
                    "a reader option as in workload.jobs, KEY=VALUE (VALUE parsed as JSON when it parses, else a "
                    "string), e.g. --option replay=all");
  stats->callback([format, file, reader_options, &action]() {
    action = [format, file, reader_options]() {
      const Registries& r = builtin_registries();
      const auto* entry = r.trace_readers.find(*format);
      if (!entry)
        throw InputErrors({{"--format", 0, "", fmt::format("unknown trace format \"{}\"; expected one of: {}", *format,
                                                           join_names(r.trace_readers.names()))}});
      if (std::string why = input_file_problem(*file); !why.empty())
        throw InputErrors({{*file, 0, "", why == "file not found" ? "trace file not found" : why}});
      ProblemList problems;
      nlohmann::json given = nlohmann::json::object();
      for (const auto& text : *reader_options) {
        auto eq = text.find('=');
        if (eq == std::string::npos || eq == 0)
          throw InputErrors({{"--option", 0, "", fmt::format("found \"{}\", expected KEY=VALUE", text)}});
        std::string value = text.substr(eq + 1);
        nlohmann::json parsed = nlohmann::json::parse(value, nullptr, false);
        given[text.substr(0, eq)] = parsed.is_discarded() ? nlohmann::json(value) : parsed;
      }
      OptionReader options(given, "", "--option", nullptr, problems);
      const Cluster no_cluster;
      const std::vector<JobSpec> no_jobs;
      PolicyArgs args{options, 1, no_cluster, no_jobs};
      auto reader = entry->make(args);
      options.reject_unknown();
      problems.throw_if_any();
      TraceReadResult read = reader->read(*file, problems);
      problems.throw_if_any();
      fmt::print("{}", format_trace_stats(read));
      return 0;
    };
  });
}

}  // namespace aidcsim::cli
